import Primitives
import Chain

/// Everything the "clients" work adds to the method table: polling filters, WebSocket
/// subscriptions, message signing and the state cheats (deal, dump, load).
public enum ClientMethods {
    public static func register(_ t: MethodTable, _ n: NodeContext) {
        FilterMethods.register(t, n, manager: FilterManager(config: .init(maxFilters: n.limits.maxFilters)))
        SubscriptionMethods.register(t, n, manager: SubscriptionManager(
            reader: n.reader, config: .init(maxPerConnection: n.limits.maxSubscriptionsPerConnection)))
        SigningMethods.register(t, n)
        StateMethods.register(t, n)
    }
}

/// `eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`,
/// `eth_getFilterChanges`, `eth_getFilterLogs`, `eth_uninstallFilter`.
enum FilterMethods {
    static func register(_ t: MethodTable, _ n: NodeContext, manager: FilterManager = FilterManager()) {
        let attached = ObserverAttachment(n.chain, manager)

        t.register("eth_newFilter", maxParams: 1) { p in
            try p.requirePositional()
            let raw = try p.object(0)
            let parsed = try LogFilterParser.parse(raw, n)      // validates addresses, topics, range
            var from: UInt64? = nil, to: UInt64? = nil
            let hasBlockHash = raw["blockHash"].map { !$0.isNull } ?? false
            if hasBlockHash {
                from = parsed.fromBlock; to = parsed.toBlock
            } else {
                from = try explicitBound(raw["fromBlock"], "param 0.fromBlock")
                to = try explicitBound(raw["toBlock"], "param 0.toBlock")
            }
            await attached.wait()
            let head = n.reader.headNumber
            let criteria = FilterManager.LogCriteria(fromBlock: from, toBlock: to, addresses: parsed.addresses,
                                                     topics: parsed.topics, raw: raw)
            let id = try manager.install(.logs, criteria: criteria, head: head)
            // Like Anvil: a filter with an explicit start returns the logs already in its range
            // on the first poll.
            if hasBlockHash || (raw["fromBlock"].map { !$0.isNull } ?? false) {
                var f = parsed
                f.toBlock = min(f.toBlock, head)
                if f.fromBlock <= f.toBlock {
                    do {
                        manager.prepend(logs: try n.reader.logs(f, maxResults: n.limits.maxLogResults), to: id)
                    } catch {
                        _ = manager.uninstall(.string(id))
                        throw RPCError.limitExceeded("the filter's range already holds more than \(n.limits.maxLogResults) matching logs: narrow the block range or add address/topic filters")
                    }
                }
            }
            return .string(id)
        }
        t.register("eth_newBlockFilter", maxParams: 0) { p in
            try p.requirePositional()
            await attached.wait()
            return .string(try manager.install(.blocks, head: n.reader.headNumber))
        }
        t.register("eth_newPendingTransactionFilter", maxParams: 1) { p in
            try p.requirePositional()
            await attached.wait()
            return .string(try manager.install(.pendingTransactions, head: n.reader.headNumber))
        }
        t.register("eth_getFilterChanges", maxParams: 1) { p in
            try p.requirePositional()
            return try manager.changes(try p.value(0))
        }
        t.register("eth_getFilterLogs", maxParams: 1, long: true) { p in
            try p.requirePositional()
            let c = try manager.logCriteria(try p.value(0))
            return try EthMethods.logsJSON(try LogFilterParser.parse(c.raw, n), n)
        }
        t.register("eth_uninstallFilter", maxParams: 1) { p in
            try p.requirePositional()
            return .bool(manager.uninstall(try p.value(0)))
        }
    }

    /// An explicit block bound (a number or `earliest`); nil for absent, null or a moving tag.
    static func explicitBound(_ v: JSON?, _ what: String) throws -> UInt64? {
        guard let v, !v.isNull else { return nil }
        switch try ParamDecoder.blockTag(v, what) {
        case .number(let x): return x
        case .earliest: return 0
        default: return nil
        }
    }
}
