import Foundation
import Primitives
import Chain

/// Polling filters (`eth_newFilter`, `eth_newBlockFilter`, `eth_newPendingTransactionFilter`,
/// `eth_getFilterChanges`, `eth_uninstallFilter`), fed by the chain as a `ChainObserver`.
///
/// - Ids are random 128-bit hex quantities, as geth's.
/// - A filter not polled for `idleTimeout` seconds (5 minutes) is removed: checked on every
///   filter call and, at most every few seconds, when a block is mined.
/// - At most `maxFilters` filters exist at once; installing one more is a -32005 error.
/// - Each filter buffers at most `maxBuffered` items between polls (the oldest go first).
/// - On a reorganization (`evm_revert`, `anvil_reset`) buffered block hashes and logs above
///   the new head are dropped, so a poll never returns data the chain no longer has.
///
/// The chain calls the observer methods on its actor, so they only append to buffers; JSON is
/// built when a client polls.
public final class FilterManager: ChainObserver, @unchecked Sendable {  // its vars are guarded by `lock`
    public struct Config: Sendable {
        public var maxFilters: Int
        public var idleTimeout: Double
        public var maxBuffered: Int
        public init(maxFilters: Int = 10_000, idleTimeout: Double = 300, maxBuffered: Int = 100_000) {
            self.maxFilters = maxFilters; self.idleTimeout = idleTimeout; self.maxBuffered = maxBuffered
        }
    }

    public enum Kind: Sendable, Equatable { case blocks, pendingTransactions, logs }

    /// What a log filter selects. `fromBlock`/`toBlock` are nil when open (a tag such as
    /// `latest`), else explicit bounds that new logs must fall in.
    public struct LogCriteria: Sendable {
        public var fromBlock: UInt64?
        public var toBlock: UInt64?
        public var addresses: [Address]
        public var topics: [[Hash]?]
        /// The filter object as given, re-read by `eth_getFilterLogs` (so `latest` means the
        /// head at that time).
        public var raw: JSON

        public init(fromBlock: UInt64?, toBlock: UInt64?, addresses: [Address], topics: [[Hash]?], raw: JSON) {
            self.fromBlock = fromBlock; self.toBlock = toBlock; self.addresses = addresses; self.topics = topics; self.raw = raw
        }

        func matches(_ l: PositionedLog) -> Bool {
            if let f = fromBlock, l.blockNumber < f { return false }
            if let t = toBlock, l.blockNumber > t { return false }
            return ChainReader.LogFilter(fromBlock: 0, toBlock: 0, addresses: addresses, topics: topics).matches(l.log)
        }
    }

    final class Entry {
        let kind: Kind
        let criteria: LogCriteria?
        var lastUsed: Double
        /// Blocks at or below this number were already covered when the filter was installed
        /// (or the filter does not want them); lowered by a reorganization.
        var coveredThrough: UInt64
        var blocks: [(number: UInt64, hash: Hash)] = []
        var pending: [Hash] = []
        var logs: [PositionedLog] = []

        init(kind: Kind, criteria: LogCriteria?, now: Double, head: UInt64) {
            self.kind = kind; self.criteria = criteria; self.lastUsed = now; self.coveredThrough = head
        }
    }

    public let config: Config
    private let now: @Sendable () -> Double
    private let lock = NSLock()
    private var filters: [UInt256: Entry] = [:]
    private var lastSweep: Double
    private static let sweepInterval: Double = 5

    /// `now`: a monotonic clock in seconds (replaceable in tests).
    public init(config: Config = Config(), now: @escaping @Sendable () -> Double = FilterManager.monotonicSeconds) {
        self.config = config
        self.now = now
        self.lastSweep = now()
    }

    public static let monotonicSeconds: @Sendable () -> Double = {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    public var count: Int { lock.withLock { filters.count } }

    // MARK: ids

    static func newID() -> UInt256 {
        var rng = SystemRandomNumberGenerator()
        var id = UInt256(w0: rng.next(), w1: rng.next(), w2: 0, w3: 0)
        if id.isZero { id = .one }
        return id
    }

    /// A filter id as clients send it back: a hex quantity (leading zeros tolerated).
    static func parseID(_ v: JSON) -> UInt256? {
        guard case .string(let s) = v, s.hasPrefix("0x") || s.hasPrefix("0X") else { return nil }
        return UInt256(hex: s)
    }

    static func notFound() -> RPCError { RPCError.server("filter not found") }

    // MARK: install / poll / uninstall

    /// Installs a filter; `head` is the chain head it starts after (blocks up to it are not
    /// reported as changes). Returns the id.
    public func install(_ kind: Kind, criteria: LogCriteria? = nil, head: UInt64) throws -> String {
        let t = now()
        return try lock.withLock { () throws -> String in
            sweepLocked(t)
            if filters.count >= config.maxFilters {
                throw RPCError.limitExceeded("too many filters: \(filters.count) installed, the limit is \(config.maxFilters); remove some with eth_uninstallFilter (idle filters expire after \(Int(config.idleTimeout)) s)")
            }
            var id = Self.newID()
            while filters[id] != nil { id = Self.newID() }
            filters[id] = Entry(kind: kind, criteria: criteria, now: t, head: head)
            return id.hexQuantity
        }
    }

    /// Puts logs that existed when a log filter was installed in front of its buffer (Anvil
    /// returns them on the first poll of a filter with an explicit `fromBlock`).
    func prepend(logs: [PositionedLog], to idText: String) {
        guard let id = UInt256(hex: idText) else { return }
        lock.withLock {
            guard let e = filters[id] else { return }
            e.logs = logs.filter { $0.blockNumber <= e.coveredThrough } + e.logs
            trim(e)
        }
    }

    /// What arrived since the last poll: block hashes, pending transaction hashes or logs.
    public func changes(_ idJSON: JSON) throws -> JSON {
        let t = now()
        let taken: (Kind, [Hash], [PositionedLog]) = try lock.withLock { () throws -> (Kind, [Hash], [PositionedLog]) in
            sweepLocked(t)
            guard let id = Self.parseID(idJSON), let e = filters[id] else { throw Self.notFound() }
            e.lastUsed = t
            switch e.kind {
            case .blocks:
                let h = e.blocks.map(\.hash); e.blocks.removeAll(keepingCapacity: false)
                return (.blocks, h, [])
            case .pendingTransactions:
                let h = e.pending; e.pending.removeAll(keepingCapacity: false)
                return (.pendingTransactions, h, [])
            case .logs:
                let l = e.logs; e.logs.removeAll(keepingCapacity: false)
                return (.logs, [], l)
            }
        }
        switch taken.0 {
        case .blocks, .pendingTransactions: return .array(taken.1.map { .hash($0) })
        case .logs: return .array(taken.2.map(Format.log))
        }
    }

    /// The criteria of a log filter (for `eth_getFilterLogs`); refreshes its idle timer.
    public func logCriteria(_ idJSON: JSON) throws -> LogCriteria {
        let t = now()
        return try lock.withLock { () throws -> LogCriteria in
            sweepLocked(t)
            guard let id = Self.parseID(idJSON), let e = filters[id], let c = e.criteria else { throw Self.notFound() }
            e.lastUsed = t
            return c
        }
    }

    /// Removes a filter; false when there is no such filter.
    public func uninstall(_ idJSON: JSON) -> Bool {
        let t = now()
        return lock.withLock {
            sweepLocked(t)
            guard let id = Self.parseID(idJSON) else { return false }
            return filters.removeValue(forKey: id) != nil
        }
    }

    /// Removes filters idle for longer than the timeout.
    public func sweep() {
        let t = now()
        lock.withLock { sweepLocked(t) }
    }

    private func sweepLocked(_ t: Double) {
        lastSweep = t
        if filters.isEmpty { return }
        let limit = config.idleTimeout
        filters = filters.filter { t - $0.value.lastUsed <= limit }
    }

    private func trim(_ e: Entry) {
        let m = config.maxBuffered
        if e.blocks.count > m { e.blocks.removeFirst(e.blocks.count - m) }
        if e.pending.count > m { e.pending.removeFirst(e.pending.count - m) }
        if e.logs.count > m { e.logs.removeFirst(e.logs.count - m) }
    }

    // MARK: ChainObserver

    public func blockMined(_ block: Block, transactions: [PooledTransaction], receipts: [ReceiptRecord]) {
        lock.withLock {
            if filters.isEmpty { return }
            let t = now()
            if t - lastSweep > Self.sweepInterval { sweepLocked(t) }
            var logs: [PositionedLog]? = nil
            for e in filters.values where block.number > e.coveredThrough {
                switch e.kind {
                case .blocks:
                    e.blocks.append((block.number, block.hash))
                case .pendingTransactions:
                    continue
                case .logs:
                    if logs == nil { logs = receipts.flatMap(\.positionedLogs) }
                    guard let c = e.criteria else { continue }
                    for l in logs! where c.matches(l) { e.logs.append(l) }
                }
                trim(e)
            }
        }
    }

    public func transactionPending(_ hash: Hash) {
        lock.withLock {
            if filters.isEmpty { return }
            for e in filters.values where e.kind == .pendingTransactions {
                e.pending.append(hash)
                if e.pending.count > config.maxBuffered { trim(e) }
            }
        }
    }

    public func chainReorganized(to head: UInt64) {
        lock.withLock {
            for e in filters.values {
                e.coveredThrough = min(e.coveredThrough, head)
                e.blocks.removeAll { $0.number > head }
                e.logs.removeAll { $0.blockNumber > head }
            }
        }
    }
}

/// Adds an observer to the chain once, and lets handlers wait until it is attached (so a
/// filter or subscription never misses a block mined right after it was created).
final class ObserverAttachment: Sendable {
    private let task: Task<Void, Never>
    init(_ chain: Chain, _ observer: ChainObserver) {
        task = Task { await chain.addObserver(observer) }
    }
    func wait() async { await task.value }
}
