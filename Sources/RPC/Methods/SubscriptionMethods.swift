import Primitives
import Chain

/// `eth_subscribe` / `eth_unsubscribe` over WebSocket.
enum SubscriptionMethods {
    static func register(_ t: MethodTable, _ n: NodeContext, manager: SubscriptionManager? = nil) {
        let manager = manager ?? SubscriptionManager(reader: n.reader)
        let attached = ObserverAttachment(n.chain, manager)

        t.register("eth_subscribe") { p in
            guard let connection = p.connection else { throw notSupported() }
            try p.requireCount(atMost: 2)
            let name = try p.string(0)
            let kind: SubscriptionManager.Kind
            switch name {
            case "newHeads":
                try p.requireCount(atMost: 1)
                kind = .newHeads
            case "logs":
                let criteria = try p.optionalObject(1) ?? .object([])
                if let v = criteria["fromBlock"], !v.isNull { throw RPCError.invalidParams("param 1.fromBlock: a logs subscription follows new blocks; use eth_getLogs for past ones") }
                if let v = criteria["toBlock"], !v.isNull { throw RPCError.invalidParams("param 1.toBlock: a logs subscription follows new blocks; use eth_getLogs for past ones") }
                if let v = criteria["blockHash"], !v.isNull { throw RPCError.invalidParams("param 1.blockHash: a logs subscription follows new blocks; use eth_getLogs for past ones") }
                let f = try LogFilterParser.parse(criteria, n)
                kind = .logs(addresses: f.addresses, topics: f.topics)
            case "newPendingTransactions":
                if try p.optionalBool(1) == true {
                    throw RPCError.invalidParams("param 1: full transaction objects are not supported; subscribe without it to get hashes")
                }
                kind = .newPendingTransactions
            default:
                throw RPCError.invalidParams("param 0: unknown subscription \"\(name)\"; supported: newHeads, logs, newPendingTransactions")
            }
            await attached.wait()
            return .string(try manager.subscribe(kind, connection: connection))
        }
        t.register("eth_unsubscribe") { p in
            guard let connection = p.connection else { throw notSupported() }
            try p.requireCount(atMost: 1)
            return .bool(manager.unsubscribe(try p.string(0), connection: connection))
        }
    }

    static func notSupported() -> RPCError {
        RPCError(code: -32601, message: "notifications not supported: eth_subscribe needs a WebSocket connection (ws://)")
    }
}
