import Foundation
import Primitives
import Contracts
import Storage

/// Reads of committed blocks and state. Thread-safe and lock-light: RPC reads go here
/// directly and never wait behind the chain actor, which only publishes a new head.
public final class ChainReader: @unchecked Sendable {  // its vars are guarded by `lock`; the rest is immutable
    public let store: ChainStore
    public let executor: Executor
    public let config: ChainConfig
    /// anvil_impersonateSignature's signatures, handed to every block environment.
    public let recoverOverrides = RecoverOverrides()
    private let lock = NSLock()
    private var _head: Block

    /// Values at the chain's tip; see `HeadStateCache`.
    let cache: HeadStateCache

    init(store: ChainStore, executor: Executor, config: ChainConfig, head: Block) {
        self.store = store; self.executor = executor; self.config = config; self._head = head
        self._chainId = config.chainId
        self.cache = HeadStateCache(block: head.number)
    }

    /// The chain id: `config.chainId` until `anvil_setChainId` changes it (not persisted).
    public var chainId: UInt64 { lock.lock(); defer { lock.unlock() }; return _chainId }
    private var _chainId: UInt64
    func setChainId(_ id: UInt64) { lock.lock(); _chainId = id; lock.unlock() }

    /// A sequence lock around history rewrites (evm_revert, anvil_reset): odd while one runs.
    private var rewriteSequence: UInt64 = 0

    func beginRewrite() { lock.lock(); rewriteSequence &+= 1; lock.unlock() }
    func endRewrite() { lock.lock(); rewriteSequence &+= 1; lock.unlock() }
    private var sequence: UInt64 { lock.lock(); defer { lock.unlock() }; return rewriteSequence }

    public enum ReadError: Error { case blockRemoved(Block) }

    /// Runs `body` on the state at `block` and returns its answer only if no history rewrite
    /// overlapped it and `block` is still on the chain; a read never mixes two histories.
    /// Throws `.blockRemoved` when a revert took the block away.
    public func read<T>(at block: Block, _ body: (StateAtBlock) throws -> T) throws -> T {
        while true {
            let before = sequence
            if before & 1 == 1 { Thread.sleep(forTimeInterval: 0.000_2); continue }
            let st = state(at: block.number)
            let v = try body(st)
            // A storage error met during the read fails the request; never an "empty" answer.
            try st.checkReads()
            let after = sequence
            guard after == before else { continue }
            guard self.block(number: block.number)?.hash == block.hash else { throw ReadError.blockRemoved(block) }
            return v
        }
    }

    public var head: Block { lock.lock(); defer { lock.unlock() }; return _head }
    public var headNumber: UInt64 { head.number }
    func publish(head: Block) {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        lock.lock(); _head = head; _headWallTime = now; lock.unlock()
    }

    /// Unix wall time in milliseconds when the current head was published (node start for the
    /// head it opened with): `anvil_getLastBlockWallTime`.
    public var headWallTime: UInt64 { lock.lock(); defer { lock.unlock() }; return _headWallTime }
    private var _headWallTime = UInt64(Date().timeIntervalSince1970 * 1000)

    public var contracts: NativeContracts { executor.contracts }

    // MARK: blocks and transactions

    public func block(number: UInt64) -> Block? {
        let h = head
        if number == h.number { return h }
        if number > h.number { return nil }
        return store.block(number: number)
    }

    public func block(hash: Hash) -> Block? {
        let h = head
        if hash == h.hash { return h }
        guard let b = store.block(hash: hash), b.number <= h.number else { return nil }
        return b
    }

    public func transaction(hash: Hash) -> MinedTransaction? {
        guard let t = store.transaction(hash: hash), t.blockNumber <= headNumber else { return nil }
        return t
    }

    public func receipt(hash: Hash) -> ReceiptRecord? {
        guard let r = store.receipt(hash: hash), r.blockNumber <= headNumber else { return nil }
        return r
    }

    public func receipts(of block: Block) -> [ReceiptRecord] { store.receipts(of: block) }

    public func transactions(of block: Block) -> [MinedTransaction] {
        block.transactionHashes.compactMap { store.transaction(hash: $0) }
    }

    // MARK: state

    /// The state at block `number`. Its reads latch storage errors in `latch` (see
    /// `StateAtBlock`); check it before the answer counts.
    public func state(at number: UInt64, latch: ReadLatch = ReadLatch()) -> StateAtBlock {
        StateAtBlock(store: store.state, codes: store.codes, block: number, cache: cache, latch: latch)
    }

    public func account(_ a: Address, at number: UInt64) -> Account { state(at: number).account(a) }

    /// The code of `a` at block `number` (empty when it has none).
    public func code(of a: Address, at number: UInt64) -> [UInt8] { store.codes.code(account(a, at: number).codeHash) }

    /// The environment a call at `block` sees (the block's own number and timestamp).
    public func env(of block: Block) -> BlockEnv {
        var env = BlockEnv(number: block.number, timestamp: block.header.timestamp, baseFee: block.header.baseFeePerGas ?? .zero,
                           coinbase: block.header.miner, chainId: chainId, gasLimit: block.header.gasLimit,
                           prevRandao: block.header.mixHash, blockHash: { [store] n in store.block(number: n)?.hash })
        env.recoverOverrides = recoverOverrides.all
        return env
    }

    // MARK: logs

    public struct LogFilter: Sendable {
        public var fromBlock: UInt64
        public var toBlock: UInt64
        public var addresses: [Address]
        /// Per position: nil = any, else any of the listed topics.
        public var topics: [[Hash]?]
        public init(fromBlock: UInt64, toBlock: UInt64, addresses: [Address] = [], topics: [[Hash]?] = []) {
            self.fromBlock = fromBlock; self.toBlock = toBlock; self.addresses = addresses; self.topics = topics
        }

        public func matches(_ l: Log) -> Bool {
            if !addresses.isEmpty && !addresses.contains(l.address) { return false }
            for (i, want) in topics.enumerated() {
                guard let want, !want.isEmpty else { continue }
                guard i < l.topics.count, want.contains(l.topics[i]) else { return false }
            }
            return true
        }
    }

    public enum LogQueryError: Error { case tooManyBlocks(Int), tooManyResults(Int) }

    /// Logs matching `filter`, using the address/topic indexes to visit only blocks that
    /// can match.
    public func logs(_ filter: LogFilter, maxResults: Int = 10_000) throws -> [PositionedLog] {
        let to = min(filter.toBlock, headNumber)
        guard filter.fromBlock <= to else { return [] }
        var candidates: [UInt64]? = nil
        func narrow(_ kind: UInt8, _ keys: [[UInt8]]) throws {
            var set = Set<UInt64>()
            for k in keys {
                guard let found = try store.indexedBlocks(kind: kind, key: k, from: filter.fromBlock, to: to, limit: 1_000_000) else { return }
                set.formUnion(found)
            }
            let list = set.sorted()
            if let c = candidates { let s = Set(list); candidates = c.filter { s.contains($0) } } else { candidates = list }
        }
        if !filter.addresses.isEmpty { try narrow(StorageKeys.logIndexAddress, filter.addresses.map { $0.bytes }) }
        for case let want? in filter.topics where !want.isEmpty { try narrow(StorageKeys.logIndexTopic, want.map { $0.bytes }) }
        var out: [PositionedLog] = []
        func visit(_ n: UInt64) throws {
            guard let b = block(number: n) else { return }
            for r in receipts(of: b) {
                for pl in r.positionedLogs where filter.matches(pl.log) {
                    out.append(pl)
                    if out.count > maxResults { throw LogQueryError.tooManyResults(maxResults) }
                }
            }
        }
        if let c = candidates {
            for n in c { try visit(n) }
        } else {
            for n in filter.fromBlock...to { try visit(n) }
        }
        return out
    }
}

extension ChainReader {
    /// Every storage word of `a` at block `number` (zero words included when a block wrote
    /// them), in key order. A storage error is thrown, never taken for "no slots".
    public func forEachStorageSlot(of a: Address, at number: UInt64, _ body: (Hash, [UInt8]) throws -> Void) throws {
        try store.state.forEach(prefix: [StorageKeys.storage] + a.bytes, at: number) { key, value in
            guard key.count == 53, let slot = Hash(bytes: key[21..<53]) else { return }
            try body(slot, value)
        }
    }
}
