import Foundation
import Primitives
import Chain

/// WebSocket subscriptions (`eth_subscribe` / `eth_unsubscribe`): `newHeads`, `logs` and
/// `newPendingTransactions`, pushed as
/// `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":id,"result":…}}`.
///
/// Subscriptions belong to their connection: only it can cancel them, and they are removed when
/// it closes. A connection holds at most `maxPerConnection` of them.
///
/// Notifications are built and queued on the chain actor as blocks are mined (the queue never
/// blocks); a `newHeads` header is serialized once per block for all subscribers.
public final class SubscriptionManager: ChainObserver, @unchecked Sendable {  // its vars are guarded by `lock`
    public struct Config: Sendable {
        public var maxPerConnection: Int
        public init(maxPerConnection: Int = 1_000) { self.maxPerConnection = maxPerConnection }
    }

    public enum Kind: Sendable {
        case newHeads
        /// Logs matching the addresses and topics (empty = any), of new blocks in `blocks`.
        case logs(addresses: [Address], topics: [[Hash]?], blocks: BlockRange = .any)
        case newPendingTransactions
        /// Anvil's `newPendingTransactions` with `true`: whole transaction objects.
        case newPendingTransactionsFull
        /// Anvil's `transactionReceipts`: each new block's receipts (only these hashes when given).
        case transactionReceipts(hashes: Set<Hash>?)
        /// Anvil's `syncing`: one `false` right after subscribing, then nothing.
        case syncing
    }

    /// Which new blocks a logs subscription reports, as Anvil filters them: a numeric
    /// `fromBlock`/`toBlock` bounds the block number (tags such as `latest` do not), a
    /// `toBlock` of `earliest` matches nothing new, a `blockHash` only that block.
    public struct BlockRange: Sendable, Equatable {
        public var from: UInt64?
        public var to: UInt64?
        public var hash: Hash?
        public var nothing = false
        public static let any = BlockRange()
        public init(from: UInt64? = nil, to: UInt64? = nil, hash: Hash? = nil, nothing: Bool = false) {
            self.from = from; self.to = to; self.hash = hash; self.nothing = nothing
        }
        func contains(_ b: Block) -> Bool { contains(number: b.number, hash: b.hash) }
        func contains(number: UInt64, hash h: Hash) -> Bool {
            if nothing { return false }
            if let from, number < from { return false }
            if let to, number > to { return false }
            if let hash, h != hash { return false }
            return true
        }
    }

    final class Subscription {
        let id: String
        let kind: Kind
        let connection: any RPCConnection
        init(id: String, kind: Kind, connection: any RPCConnection) { self.id = id; self.kind = kind; self.connection = connection }
    }

    public let config: Config
    let reader: ChainReader
    private let lock = NSLock()
    private var subscriptions: [String: Subscription] = [:]
    private var byConnection: [UInt64: Set<String>] = [:]
    private var heads = 0, logs = 0, pending = 0, receipts = 0

    public init(reader: ChainReader, config: Config = Config()) {
        self.reader = reader
        self.config = config
    }

    public var count: Int { lock.withLock { subscriptions.count } }

    /// Subscribes `connection`; returns the subscription id.
    public func subscribe(_ kind: Kind, connection: any RPCConnection) throws -> String {
        let cid = connection.connectionID
        let (id, first): (String, Bool) = try lock.withLock { () throws -> (String, Bool) in
            let mine = byConnection[cid]
            if let mine, mine.count >= config.maxPerConnection {
                throw RPCError.limitExceeded("too many subscriptions on this connection: the limit is \(config.maxPerConnection); cancel some with eth_unsubscribe")
            }
            var id = FilterManager.newID().hexQuantity
            while subscriptions[id] != nil { id = FilterManager.newID().hexQuantity }
            subscriptions[id] = Subscription(id: id, kind: kind, connection: connection)
            byConnection[cid, default: []].insert(id)
            adjust(kind, +1)
            return (id, mine == nil)
        }
        // Outside the lock: a connection that is already closed runs the callback at once.
        if first { connection.onClose { [weak self] in self?.connectionClosed(cid) } }
        return id
    }

    /// Cancels a subscription of `connection`; false when it has no such subscription.
    public func unsubscribe(_ id: String, connection: any RPCConnection) -> Bool {
        let key = Self.normalize(id)
        return lock.withLock {
            guard let s = subscriptions[key], s.connection.connectionID == connection.connectionID else { return false }
            remove(s)
            return true
        }
    }

    /// Ids are hex quantities; accept them with leading zeros or upper case too.
    static func normalize(_ id: String) -> String {
        guard let v = UInt256(hex: id), id.hasPrefix("0x") || id.hasPrefix("0X") else { return id }
        return v.hexQuantity
    }

    private func connectionClosed(_ cid: UInt64) {
        lock.withLock {
            guard let ids = byConnection[cid] else { return }
            for id in ids { if let s = subscriptions[id] { remove(s) } }
            byConnection[cid] = nil
        }
    }

    private func remove(_ s: Subscription) {
        subscriptions[s.id] = nil
        let cid = s.connection.connectionID
        byConnection[cid]?.remove(s.id)
        adjust(s.kind, -1)
    }

    private func adjust(_ k: Kind, _ d: Int) {
        switch k {
        case .newHeads: heads += d
        case .logs: logs += d
        case .newPendingTransactions, .newPendingTransactionsFull: pending += d
        case .transactionReceipts: receipts += d
        case .syncing: break
        }
    }

    // MARK: notifications

    private static let head: [UInt8] = Array("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"".utf8)
    private static let mid: [UInt8] = Array("\",\"result\":".utf8)

    static func notification(_ id: String, _ result: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(head.count + id.utf8.count + mid.count + result.count + 2)
        out.append(contentsOf: head)
        out.append(contentsOf: id.utf8)        // a hex quantity: nothing to escape
        out.append(contentsOf: mid)
        out.append(contentsOf: result)
        out.append(UInt8(ascii: "}")); out.append(UInt8(ascii: "}"))
        return out
    }

    private func deliver(_ messages: [(any RPCConnection, [UInt8])]) {
        for (c, m) in messages { c.send(m) }       // a closed connection drops it; onClose cleans up
    }

    /// The `newHeads` payload: the block's header fields and hash (geth's header JSON).
    static func headerJSON(_ b: Block, reader: ChainReader) -> JSON {
        guard case .object(let fields) = Format.block(b, fullTransactions: false, reader: reader) else { return .null }
        let drop: Set<String> = ["transactions", "uncles", "withdrawals", "size", "totalDifficulty"]
        return .object(fields.filter { !drop.contains($0.0) })
    }

    public func blockMined(_ block: Block, transactions: [PooledTransaction], receipts: [ReceiptRecord]) {
        let targets: [Subscription] = lock.withLock {
            if heads == 0 && logs == 0 && self.receipts == 0 { return [] }
            return subscriptions.values.filter {
                switch $0.kind {
                case .newHeads, .logs, .transactionReceipts: return true
                default: return false
                }
            }
        }
        if targets.isEmpty { return }
        var header: [UInt8]? = nil
        var blockLogs: [(PositionedLog, [UInt8]?)]? = nil
        var out: [(any RPCConnection, [UInt8])] = []
        for s in targets {
            switch s.kind {
            case .newHeads:
                if header == nil { header = Self.headerJSON(block, reader: reader).serialized() }
                out.append((s.connection, Self.notification(s.id, header!)))
            case .logs(let addresses, let topics, let range):
                guard range.contains(block) else { continue }
                if blockLogs == nil { blockLogs = receipts.flatMap(\.positionedLogs).map { ($0, nil) } }
                let filter = ChainReader.LogFilter(fromBlock: 0, toBlock: 0, addresses: addresses, topics: topics)
                for i in blockLogs!.indices where filter.matches(blockLogs![i].0.log) {
                    if blockLogs![i].1 == nil { blockLogs![i].1 = Format.log(blockLogs![i].0).serialized() }
                    out.append((s.connection, Self.notification(s.id, blockLogs![i].1!)))
                }
            case .transactionReceipts(let hashes):
                let chosen = receipts.filter { hashes?.contains($0.txHash) ?? true }
                if chosen.isEmpty { continue }
                out.append((s.connection, Self.notification(s.id, JSON.array(chosen.map(Format.receipt)).serialized())))
            case .newPendingTransactions, .newPendingTransactionsFull, .syncing:
                continue
            }
        }
        deliver(out)
    }

    public func transactionPending(_ hash: Hash) {}

    public func transactionPooled(_ p: PooledTransaction) {
        let targets: [Subscription] = lock.withLock {
            if pending == 0 { return [] }
            return subscriptions.values.filter {
                switch $0.kind {
                case .newPendingTransactions, .newPendingTransactionsFull: return true
                default: return false
                }
            }
        }
        if targets.isEmpty { return }
        var hashOnly: [UInt8]? = nil, full: [UInt8]? = nil
        deliver(targets.map { s in
            if case .newPendingTransactionsFull = s.kind {
                if full == nil { full = Format.transaction(p.tx, hash: p.hash, sender: p.sender, block: nil, index: nil).serialized() }
                return (s.connection, Self.notification(s.id, full!))
            }
            if hashOnly == nil { hashOnly = JSON.hash(p.hash).serialized() }
            return (s.connection, Self.notification(s.id, hashOnly!))
        })
    }

    /// Logs subscriptions get the logs a rollback or reorg removed, `removed: true`, when they
    /// match (Anvil's `filter_removed_logs`).
    public func logsRemoved(_ logs: [PositionedLog]) {
        let targets: [Subscription] = lock.withLock {
            if self.logs == 0 { return [] }
            return subscriptions.values.filter { if case .logs = $0.kind { return true }; return false }
        }
        var out: [(any RPCConnection, [UInt8])] = []
        for s in targets {
            guard case .logs(let addresses, let topics, let range) = s.kind else { continue }
            let filter = ChainReader.LogFilter(fromBlock: 0, toBlock: 0, addresses: addresses, topics: topics)
            for l in logs where filter.matches(l.log) && range.contains(number: l.blockNumber, hash: l.blockHash) {
                out.append((s.connection, Self.notification(s.id, Format.log(l).serialized())))
            }
        }
        deliver(out)
    }

    public func chainReorganized(to head: UInt64) {
        // Nothing is buffered: the next newHeads is the next block on the new chain.
    }
}
