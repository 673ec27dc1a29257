import Primitives
import Chain

/// `eth_subscribe` / `eth_unsubscribe` over WebSocket.
enum SubscriptionMethods {
    static func register(_ t: MethodTable, _ n: NodeContext, manager: SubscriptionManager? = nil) {
        let manager = manager ?? SubscriptionManager(reader: n.reader)
        let attached = ObserverAttachment(n.chain, manager)

        t.register("eth_subscribe", maxParams: 2) { p in
            guard let connection = p.connection else { throw notSupported() }
            try p.requirePositional()
            let name = try p.string(0)
            let kind: SubscriptionManager.Kind
            switch name {
            case "newHeads":
                try p.requireCount(atMost: 1)
                kind = .newHeads
            case "logs":
                // As Anvil: fromBlock/toBlock/blockHash bound which new blocks report their
                // logs; nothing already mined is replayed (use eth_getLogs for that).
                let criteria = try p.optionalObject(1) ?? .object([])
                var range = SubscriptionManager.BlockRange()
                if let v = criteria["blockHash"], !v.isNull {
                    if (criteria["fromBlock"].map { !$0.isNull } ?? false) || (criteria["toBlock"].map { !$0.isNull } ?? false) {
                        throw RPCError.invalidParams("param 1: blockHash cannot be combined with fromBlock/toBlock")
                    }
                    range.hash = try ParamDecoder.hash(v, "param 1.blockHash")
                }
                if let v = criteria["fromBlock"], !v.isNull {
                    switch try ParamDecoder.blockTag(v, "param 1.fromBlock") {
                    case .number(let x): range.from = x
                    case .hash: throw RPCError.invalidParams("param 1.fromBlock: a block hash is not allowed here")
                    default: break
                    }
                }
                if let v = criteria["toBlock"], !v.isNull {
                    switch try ParamDecoder.blockTag(v, "param 1.toBlock") {
                    case .number(let x): range.to = x
                    case .earliest: range.nothing = true
                    case .hash: throw RPCError.invalidParams("param 1.toBlock: a block hash is not allowed here")
                    default: break
                    }
                }
                var rest = criteria
                if case .object(let fields) = criteria {
                    rest = .object(fields.filter { !["fromBlock", "toBlock", "blockHash"].contains($0.0) })
                }
                let f = try LogFilterParser.parse(rest, n)
                kind = .logs(addresses: f.addresses, topics: f.topics, blocks: range)
            case "newPendingTransactions":
                // `true`: whole transaction objects, as Anvil.
                kind = try p.optionalBool(1) == true ? .newPendingTransactionsFull : .newPendingTransactions
            case "transactionReceipts":
                var hashes: Set<Hash>? = nil
                if let o = try p.optionalObject(1), let list = o["transactionHashes"], !list.isNull {
                    let hs = try ParamDecoder.array(list, "param 1.transactionHashes").enumerated().map {
                        try ParamDecoder.hash($0.element, "param 1.transactionHashes[\($0.offset)]")
                    }
                    if !hs.isEmpty { hashes = Set(hs) }
                }
                kind = .transactionReceipts(hashes: hashes)
            case "syncing":
                try p.requireCount(atMost: 1)
                kind = .syncing
            default:
                throw RPCError.invalidParams("param 0: unknown subscription \"\(name)\"; supported: newHeads, logs, newPendingTransactions, transactionReceipts, syncing")
            }
            await attached.wait()
            let id = try manager.subscribe(kind, connection: connection)
            // Anvil's syncing subscription says `false` once (delivered after this response).
            if case .syncing = kind { connection.notify(subscription: id, result: .bool(false)) }
            return .string(id)
        }
        t.register("eth_unsubscribe", maxParams: 1) { p in
            guard let connection = p.connection else { throw notSupported() }
            try p.requirePositional()
            return .bool(manager.unsubscribe(try p.string(0), connection: connection))
        }
    }

    static func notSupported() -> RPCError {
        RPCError(code: -32601, message: "notifications not supported: eth_subscribe needs a WebSocket connection (ws://)")
    }
}
