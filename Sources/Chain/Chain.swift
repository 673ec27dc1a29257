import Foundation
import Primitives
import Contracts
import EthCrypto
import Storage
import EVM

/// What the chain tells the outside world (logging, filters, subscriptions).
public protocol ChainObserver: AnyObject, Sendable {
    func blockMined(_ block: Block, transactions: [PooledTransaction], receipts: [ReceiptRecord])
    func transactionPending(_ hash: Hash)
    func chainReorganized(to head: UInt64)
    /// `anvil_rollback` / `anvil_reorg` took these logs off the chain (each with `removed`
    /// set), before any block of the new chain is announced.
    func logsRemoved(_ logs: [PositionedLog])
    /// A transaction entered the pool (the default passes its hash to `transactionPending`).
    func transactionPooled(_ p: PooledTransaction)
}

extension ChainObserver {
    public func logsRemoved(_ logs: [PositionedLog]) {}
    public func transactionPooled(_ p: PooledTransaction) { transactionPending(p.hash) }
}

public enum ChainError: Error, Equatable, Sendable {
    case timestampBeforeHead(requested: UInt64, head: UInt64)
    case invalid(String)
    /// Code cannot be set at one of the five native contracts (their code is Swift).
    case nativeContractCode(name: String, address: Address)

    public var message: String {
        switch self {
        case let .timestampBeforeHead(t, h):
            return "timestamp \(t) is lower than the current head block's timestamp \(h)"
        case let .invalid(m): return m
        case let .nativeContractCode(name, a):
            return "\(a.checksummed) is stakenet's native \(name) contract: its code is Swift, not bytecode, and cannot be replaced"
        }
    }
}

/// The chain: the one owner of every mutation (mining, the mempool, the clock, cheats,
/// snapshots). Reads of committed data go through `reader`, which never waits on it.
public actor Chain {
    public nonisolated let config: ChainConfig
    public nonisolated let reader: ChainReader
    let store: ChainStore
    private(set) var executor: Executor
    public private(set) var clock: ChainClock
    public private(set) var pool = TxPool()
    public private(set) var automine = true
    /// Seconds between interval-mined blocks (`--block-time`, `evm_setIntervalMining`); nil when off.
    public private(set) var miningInterval: UInt64?
    private var intervalMiner: Task<Void, Never>?
    private var hooks: [BlockHook] = []
    private var observers: [ChainObserver] = []
    private var nextBaseFeeOverride: UInt256?
    private var blockGasLimit: UInt64
    public private(set) var impersonated = Set<Address>()
    public private(set) var autoImpersonate = false

    struct Snapshot {
        let head: UInt64
        let clock: ClockState
        let pool: TxPool
        let blockGasLimit: UInt64
        /// Raw prior values of state keys written at `head` after the snapshot was taken.
        var undo: [[UInt8]: [UInt8]?] = [:]
    }
    private var snapshots: [UInt64: Snapshot] = [:]
    private var nextSnapshotId: UInt64 = 0
    /// The state the node started with (after its own setup), which `anvil_reset` restores.
    private var baseline: Snapshot?

    /// The newest mined block. With `--data-dir` it can be ahead of `reader.head` until the
    /// group commit has made it durable; readers only ever see durable blocks.
    private var tip: Block
    /// Group commit: blocks written but not yet fsynced, and who waits for them.
    private var unsynced: [(Block, [PooledTransaction], [ReceiptRecord])] = []
    /// Resumed with true to make that caller the next group-commit leader.
    private var durabilityWaiters: [CheckedContinuation<Bool, Error>] = []
    private var flushing = false

    /// Opens the chain in `store`: resumes its head when it has one, else writes genesis.
    public init(config: ChainConfig, store: ChainStore, contracts: NativeContracts) throws {
        var config = config
        let head: Block
        var clockState: ClockState?
        // Throwing reads: a storage error here must stop the node, never pass for a new chain.
        if let n = try store.loadHeadNumber() {
            guard let b = try store.loadBlock(number: n), let genesis = try store.loadBlock(number: 0) else {
                throw ChainError.invalid("the database's head block \(n) is missing: the data directory is corrupted")
            }
            head = b
            clockState = try store.loadClockState()
            // A resumed chain keeps its own genesis time (the clock and the operator's
            // schedule count from it), whatever --timestamp says this time.
            config.genesisTimestamp = genesis.header.timestamp
        } else {
            head = try Genesis.write(config: config, store: store, contracts: contracts)
        }
        // A database written before accounts had code: give the native contracts theirs.
        try Genesis.installNativeCode(store: store, contracts: contracts, head: head.number, sync: config.syncWrites)
        self.config = config
        self.store = store
        self.executor = Executor(contracts: contracts, chainId: config.chainId)
        self.blockGasLimit = config.gasLimit
        var clock = ChainClock(useWallClock: config.useWallClock, genesisTimestamp: config.genesisTimestamp)
        if let c = clockState { clock.state = c }
        self.clock = clock
        self.tip = head
        self.reader = ChainReader(store: store, executor: executor, config: config, head: head)
    }

    public func addHook(_ h: BlockHook) { hooks.append(h) }
    public func addObserver(_ o: ChainObserver) { observers.append(o) }

    /// The newest block (possibly not yet durable; see `tip`).
    public var head: Block { tip }

    // MARK: transactions

    /// Validates and pools a transaction whose sender is already known (recovered by the
    /// caller, off the actor); mines it at once under automine. Returns its hash.
    @discardableResult
    public func submit(_ p: PooledTransaction) async throws -> Hash {
        let env = nextEnv(timestamp: clock.nextBlockTimestamp(parent: head.header.timestamp))
        let state = reader.state(at: head.number)
        let acct = state.account(p.sender)
        try state.checkReads()
        do throws(TxError) { try executor.validate(p.tx, sender: p.sender, account: acct, env: env) } catch { throw TxValidationError.invalid(error) }
        do { try pool.add(p) } catch PoolError.alreadyKnown {
            throw TxValidationError.alreadyKnown
        } catch PoolError.replacementUnderpriced {
            throw TxValidationError.replacementUnderpriced
        }
        for o in observers { o.transactionPooled(p) }
        // A nonce above the sender's next one waits for the gap to fill; nothing to mine yet.
        if automine && p.tx.nonce == acct.nonce {
            // A block that fails (storage) fails this request: the transaction is not kept
            // either, so it cannot be mined later behind the back of a client told it failed.
            do { try mineUnsynced() } catch {
                pool.remove(p.hash)
                throw error
            }
        }
        try await waitDurable()
        return p.hash
    }

    /// The nonce the sender's next transaction should use, counting pooled ones.
    public func pendingNonce(_ a: Address) -> UInt64 {
        pool.pendingNonce(sender: a, stateNonce: reader.account(a, at: head.number).nonce)
    }

    public func poolSplit() -> (pending: [PooledTransaction], queued: [PooledTransaction]) {
        let n = head.number
        return pool.split { self.reader.account($0, at: n).nonce }
    }

    @discardableResult
    public func dropTransaction(_ h: Hash) -> Bool { pool.remove(h) != nil }

    public func dropAllTransactions() { pool = TxPool() }

    /// `anvil_removePoolTransactions`: drops every pooled transaction of `sender`.
    public func removePoolTransactions(from sender: Address) { pool.removeAll(from: sender) }

    /// The address that receives priority fees in the blocks mined from now on
    /// (`anvil_setCoinbase`); `config.coinbase` at start.
    public var coinbase: Address { coinbaseOverride ?? config.coinbase }
    private var coinbaseOverride: Address?
    public func setCoinbase(_ a: Address) { coinbaseOverride = a }

    // MARK: mining

    /// `latch` catches storage errors of the BLOCKHASH lookups (see `StateAtBlock`).
    func nextEnv(timestamp: UInt64, latch: ReadLatch = ReadLatch()) -> BlockEnv {
        let parent = head.header
        let baseFee = nextBaseFeeOverride ?? BlockHeader.nextBaseFee(
            // Operator catch-up blocks may use more than the gas limit (3 650 rebases do not fit
            // 30M gas); they count as full, so the base fee rises by at most 12.5 %.
            parentGasUsed: min(parent.gasUsed, parent.gasLimit), parentGasLimit: parent.gasLimit,
            parentBaseFee: parent.baseFeePerGas ?? config.genesisBaseFee)
        var env = BlockEnv(number: parent.number + 1, timestamp: timestamp, baseFee: baseFee,
                           coinbase: coinbase, chainId: reader.chainId, gasLimit: blockGasLimit,
                           prevRandao: nextPrevRandao ?? Self.prevRandao(parent: head.hash),
                           blockHash: { [store] n in latch.guarding(store.failures, reading: "block \(n)") { try store.loadBlockHash(number: n) } })
        env.recoverOverrides = reader.recoverOverrides.all
        return env
    }

    /// The base fee the next block will have.
    public var nextBaseFee: UInt256 { nextEnv(timestamp: head.header.timestamp).baseFee }

    /// Mines one block with every ready transaction that fits; returns once it is durable
    /// and visible to readers.
    /// `prepare` runs on the actor just before the block is built, so nothing else can be
    /// mined in between (the operator queues a forced action this way).
    @discardableResult
    public func mineBlock(timestamp: UInt64? = nil, prepare: (@Sendable () -> Void)? = nil) async throws -> Block {
        prepare?()
        let b = try mineUnsynced(timestamp: timestamp)
        try await waitDurable()
        return b
    }

    /// `only`: mine exactly these transactions (those that are valid in turn) instead of the
    /// pool's (anvil_reorg's blocks).
    ///
    /// A storage error while the block is built (a read, latched by its state) or written stops
    /// it: nothing is committed, the pool is as before, and the error is logged and thrown.
    @discardableResult
    private func mineUnsynced(timestamp: UInt64? = nil, only: [PooledTransaction]? = nil) throws -> Block {
        let poolBefore = pool
        do {
            return try buildAndCommit(timestamp: timestamp, only: only)
        } catch {
            pool = poolBefore
            if Self.isStorageFailure(error) {
                store.failures.report("block \(head.number + 1) was not mined, nothing of it was committed: \(error)")
            }
            throw error
        }
    }

    /// Whether `error` comes from the database (not from a request's own content).
    static func isStorageFailure(_ error: Error) -> Bool { error is StorageError }

    private func buildAndCommit(timestamp: UInt64?, only: [PooledTransaction]?) throws -> Block {
        let parent = head
        if let t = timestamp, t < parent.header.timestamp {
            throw ChainError.timestampBeforeHead(requested: t, head: parent.header.timestamp)
        }
        let ts = timestamp ?? clock.nextBlockTimestamp(parent: parent.header.timestamp)
        // One latch for everything the block reads: a failed read stops the block before commit.
        let latch = ReadLatch()
        let env = nextEnv(timestamp: ts, latch: latch)
        let base = reader.state(at: parent.number, latch: latch)
        let overlay = StateOverlay(base: base)
        let builder = BlockBuilder(env: env, parent: parent.header, state: overlay, executor: executor)
        if !pool.isEmpty { builder.pooledSenders = pool.senders }
        for h in hooks { h.beforeTransactions(builder) }

        // An if-expression, not `??`: its autoclosure would capture `overlay`, used again below.
        let candidates = if let only { only } else { readyTransactions(overlay, baseFee: env.baseFee) }
        for p in candidates {
            if let why = builder.refusal(p) {
                // A sender who cannot pay is dropped; one whose turn has not come (nonce, fee
                // cap under the base fee, no gas left in this block) waits for a later block.
                if why.kind == .insufficientFunds && only == nil { pool.remove(p.hash) }
                continue
            }
            builder.include(p)
            if only == nil { pool.remove(p.hash) }
        }
        for h in hooks { h.afterTransactions(builder) }
        try latch.check()
        let block = try commit(builder, parent: parent)
        nextBaseFeeOverride = nil
        nextPrevRandao = nil
        return block
    }

    /// The pool's executable transactions in block order (arrival, or fee cap with `--order fees`).
    func readyTransactions(_ state: StateOverlay, baseFee: UInt256) -> [PooledTransaction] {
        Self.readyTransactions(in: pool, orderByFees: config.orderByFees, state)
    }

    /// The same, nonisolated: `state` stays out of the actor's region, so `pendingState` can send it.
    nonisolated static func readyTransactions(in pool: TxPool, orderByFees: Bool, _ state: StateOverlay) -> [PooledTransaction] {
        orderByFees ? pool.readyByFees(stateNonce: { state.nonce(of: $0) })
                    : pool.ready(stateNonce: { state.nonce(of: $0) })
    }

    /// Mines `count` blocks `interval` seconds apart (anvil_mine). Empty blocks after the
    /// first take the fast path: no hooks have work, no transactions are pending.
    /// Returns the last block mined. Keeps nothing per block, so a million blocks cost no memory.
    @discardableResult
    public func mine(count: UInt64, interval: UInt64?) async throws -> Block? {
        var last: Block?
        for i in 0..<count {
            var ts: UInt64? = nil
            if let interval, i > 0 { ts = head.header.timestamp &+ interval }
            last = try mineUnsynced(timestamp: ts)
            // With --data-dir, make long runs durable as they go rather than queue them all.
            if unsynced.count >= 4_096 { try await waitDurable() }
        }
        try await waitDurable()
        return last
    }

    /// The block `b` makes on `parent`: its header (roots, bloom, gas) and the receipts with
    /// the block hash filled in, and the transactions' encodings. Mining commits it; the
    /// pending block (`pendingBlock`) is shown without being committed.
    static func assemble(_ b: BlockBuilder, parent: Block, writes: [([UInt8], [UInt8]?)]) -> (Block, [ReceiptRecord], [[UInt8]]) {
        let env = b.env
        var receipts: [ReceiptRecord] = []
        var cumulative: UInt64 = 0
        var logIndex: UInt32 = 0
        var bloom = Bloom()
        var consensusReceipts: [[UInt8]] = []
        var txEncodings: [[UInt8]] = []
        for (i, (p, o)) in zip(b.included, b.outcomes).enumerated() {
            cumulative &+= o.gasUsed
            let r = ReceiptRecord(txHash: p.hash, txType: p.tx.type.rawValue, blockNumber: env.number, blockHash: .zero,
                                  index: UInt32(i), from: p.sender, to: p.tx.to, status: o.status, gasUsed: o.gasUsed,
                                  cumulativeGasUsed: cumulative, effectiveGasPrice: o.effectiveGasPrice,
                                  logs: o.logs, firstLogIndex: logIndex,
                                  contractAddress: p.tx.to == nil ? EVM.createAddress(p.sender, p.tx.nonce) : nil)
            logIndex += UInt32(o.logs.count)
            let cr = Receipt(type: p.tx.type.rawValue, status: o.status, cumulativeGasUsed: cumulative, logs: o.logs)
            if !o.logs.isEmpty { bloom.formUnion(cr.bloom) }
            consensusReceipts.append(cr.encoded())
            txEncodings.append(p.tx.encoded())
            receipts.append(r)
        }
        let stateRoot = Self.stateCommitment(parent: parent.header.stateRoot, writes: writes)
        let header = BlockHeader(
            parentHash: parent.hash, miner: env.coinbase, stateRoot: stateRoot,
            transactionsRoot: Trie.orderedRoot(txEncodings), receiptsRoot: Trie.orderedRoot(consensusReceipts),
            logsBloom: bloom, number: env.number, gasLimit: env.gasLimit, gasUsed: b.gasUsed,
            timestamp: env.timestamp, mixHash: env.prevRandao,
            baseFeePerGas: env.baseFee)
        let block = Block(header: header, transactionHashes: b.included.map(\.hash), transactions: txEncodings)
        for i in receipts.indices { receipts[i].blockHash = block.hash }
        return (block, receipts, txEncodings)
    }

    private func commit(_ b: BlockBuilder, parent: Block) throws -> Block {
        let env = b.env
        let writes = b.state.stateWrites()
        let codes = b.state.codeWrites()
        let (block, receipts, txEncodings) = Self.assemble(b, parent: parent, writes: writes)

        var clockAfter = clock
        clockAfter.blockMined(timestamp: env.timestamp)
        var batch = WriteBatch()
        store.stage(block: block, transactions: b.included, encodings: txEncodings, receipts: receipts, stateWrites: writes,
                    codes: codes, clock: clockAfter.state, into: &batch)
        try store.db.write(batch, sync: false)
        reader.cache.advance(to: block.number, writes: writes)
        clock = clockAfter
        tip = block
        for p in b.included { pool.prune(sender: p.sender, below: p.tx.nonce + 1) }
        if config.syncWrites {
            unsynced.append((block, b.included, receipts))
        } else {
            publish(block, b.included, receipts)
        }
        return block
    }

    private func publish(_ block: Block, _ txs: [PooledTransaction], _ receipts: [ReceiptRecord]) {
        reader.publish(head: block)
        for o in observers { o.blockMined(block, transactions: txs, receipts: receipts) }
    }

    // MARK: group commit

    /// Returns once every block mined so far is durable (fsynced) and published. Concurrent
    /// callers share one fsync: while one sync runs, later blocks queue for the next.
    ///
    /// The caller that finds no sync running leads the round itself (no task is spawned, so a
    /// lone client pays one thread hop for its fsync, not three); callers arriving meanwhile wait,
    /// and the first of them leads the next round.
    func waitDurable() async throws {
        guard config.syncWrites, !unsynced.isEmpty || flushing else { return }
        if flushing {
            let lead = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Bool, Error>) in
                durabilityWaiters.append(c)
            }
            if !lead { return }
        } else {
            flushing = true
        }
        try await flushRound()
    }

    /// One group commit, run by its leader: fsyncs every block written so far, publishes them,
    /// releases the callers that were waiting when it started, then hands the lead to the first
    /// caller that arrived during the fsync (or ends the flushing).
    private func flushRound() async throws {
        let blocks = unsynced, waiters = durabilityWaiters
        unsynced = []; durabilityWaiters = []
        let db = store.db
        let last = blocks.last.map { $0.0.number.bigEndianBytes } ?? []
        let result: Result<Void, Error> = await withCheckedContinuation { c in
            DispatchQueue.global().async {
                // A sync write fsyncs LevelDB's log, and with it every earlier write.
                var marker = WriteBatch()
                marker.put(ChainStore.syncMarkerKey, last)
                c.resume(returning: Result { try db.write(marker, sync: true) })
            }
        }
        switch result {
        case .success:
            for (b, t, r) in blocks { publish(b, t, r) }
            for w in waiters { w.resume(returning: false) }
        case .failure(let e):
            // Not durable: the blocks stay unpublished; the callers get the error. They are in
            // the database already, so a later successful fsync may still publish them.
            store.failures.report("fsync of blocks up to \(blocks.last?.0.number ?? head.number) failed, they are not acknowledged: \(e)")
            unsynced = blocks + unsynced
            for w in waiters { w.resume(throwing: e) }
        }
        if durabilityWaiters.isEmpty {
            flushing = false
        } else {
            durabilityWaiters.removeFirst().resume(returning: true)
        }
        if case .failure(let e) = result { throw e }
    }

    /// Waits for in-flight group commits before history is rewritten.
    private func drain() async throws {
        try await waitDurable()
    }

    /// Not a Merkle-Patricia root: keccak(parent commitment ‖ this block's sorted writes).
    /// Deterministic, and changes exactly when state changes.
    static func stateCommitment(parent: Hash, writes: [([UInt8], [UInt8]?)]) -> Hash {
        if writes.isEmpty { return parent }
        var buf = parent.bytes
        for (k, v) in writes {
            buf.append(contentsOf: UInt64(k.count).bigEndianBytes); buf.append(contentsOf: k)
            if let v { buf.append(1); buf.append(contentsOf: UInt64(v.count).bigEndianBytes); buf.append(contentsOf: v) } else { buf.append(0) }
        }
        return Hash.keccak(buf)
    }

    /// A deterministic stand-in for the beacon chain's randomness.
    static func prevRandao(parent: Hash) -> Hash { Hash.keccak(parent.bytes + Array("prevrandao".utf8)) }

    // MARK: mining mode

    /// As Anvil: turning automine on ends interval mining; turning it off leaves interval
    /// mining as it is.
    public func setAutomine(_ on: Bool) async throws {
        automine = on
        if on { stopIntervalMining() }
        if on && !pool.isEmpty { try await mineBlock() }
    }

    /// Interval mining, as Anvil's `evm_setIntervalMining`: a block (empty or not) every
    /// `seconds` of wall-clock time, holding whatever is ready in the pool; automine goes off.
    /// 0 stops interval mining and leaves automine off (transactions wait for `evm_mine`).
    public func setIntervalMining(_ seconds: UInt64) {
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        setIntervalMining(nanoseconds: nanos.overflow ? UInt64.max : nanos.partialValue)
    }

    /// Interval mining with a period in nanoseconds (`-b 0.5`); `miningInterval` reports whole
    /// seconds, rounded up.
    public func setIntervalMining(nanoseconds: UInt64) {
        stopIntervalMining()
        automine = false
        guard nanoseconds > 0 else { return }
        miningInterval = nanoseconds / 1_000_000_000 + (nanoseconds % 1_000_000_000 == 0 ? 0 : 1)
        let sleep = nanoseconds
        intervalMiner = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: sleep)
                guard !Task.isCancelled, let self else { return }
                // No request waits for an interval block: its failure is logged (the block
                // was not committed, the pool is kept) and the next tick tries again.
                do { try await self.mineIntervalBlock() } catch {
                    self.store.failures.report("interval mining: \(error)")
                }
            }
        }
    }

    /// Ends interval mining (also called at shutdown).
    public func stopIntervalMining() {
        intervalMiner?.cancel()
        intervalMiner = nil
        miningInterval = nil
    }

    /// One interval block, unless interval mining was stopped while this task slept.
    private func mineIntervalBlock() async throws {
        guard miningInterval != nil, !Task.isCancelled else { return }
        try await mineBlock()
    }

    public func setNextBaseFee(_ fee: UInt256) { nextBaseFeeOverride = fee }
    public func setBlockGasLimit(_ limit: UInt64) { blockGasLimit = limit }
    public var currentBlockGasLimit: UInt64 { blockGasLimit }

    // MARK: time

    /// Saves `c` as the clock, then adopts it: when the write fails the clock stays as it was
    /// (in memory and on disk), the failure is logged and thrown to the request.
    private func saveClock(_ c: ChainClock) throws {
        do {
            try store.db.put(ChainStore.clockKey, ChainStore.encodeClock(c.state), sync: config.syncWrites)
        } catch {
            store.failures.report("the chain clock was not changed: \(error)")
            throw error
        }
        clock = c
    }

    /// evm_increaseTime: returns the total offset.
    public func increaseTime(_ seconds: UInt64) throws -> Int64 {
        var c = clock
        c.state.offset &+= Int64(clamping: seconds)
        try saveClock(c)
        return clock.state.offset
    }

    public func setNextBlockTimestamp(_ t: UInt64) throws {
        let h = head.header.timestamp
        if t < h { throw ChainError.timestampBeforeHead(requested: t, head: h) }
        var c = clock
        c.state.nextTimestamp = t
        try saveClock(c)
    }

    /// anvil_setTime: returns the new offset.
    public func setTime(_ t: UInt64) throws -> Int64 {
        let h = head.header.timestamp
        if t < h { throw ChainError.timestampBeforeHead(requested: t, head: h) }
        var c = clock
        c.setTime(t)
        try saveClock(c)
        return clock.state.offset
    }

    public func setBlockTimestampInterval(_ s: UInt64?) throws {
        var c = clock
        c.state.interval = s
        try saveClock(c)
    }

    public var now: UInt64 { clock.now }

    // MARK: snapshots

    public func snapshot() async throws -> UInt64 {
        try await drain()
        let id = nextSnapshotId
        nextSnapshotId += 1
        snapshots[id] = Snapshot(head: head.number, clock: clock.state, pool: pool, blockGasLimit: blockGasLimit)
        return id
    }

    /// Restores snapshot `id` and drops it and every later one; false when unknown.
    public func revert(to id: UInt64) async throws -> Bool {
        guard let s = snapshots[id] else { return false }
        try await drain()
        reader.beginRewrite()
        defer { reader.endRewrite() }
        try rewind(to: s.head, clock: s.clock)
        if !s.undo.isEmpty {
            var batch = WriteBatch()
            store.state.stage(s.undo.map { ($0.key, $0.value) }, block: s.head, into: &batch)
            try store.db.write(batch, sync: config.syncWrites)
            reader.cache.reset(to: s.head)
        }
        pool = s.pool
        blockGasLimit = s.blockGasLimit
        snapshots = snapshots.filter { $0.key < id }
        return true
    }

    /// Marks the current state as what `anvil_reset` returns to: call it once the node's own
    /// setup (operator settings, `--load-state`) is written. Cheats at block 0 after this are
    /// undone by a reset.
    public func sealBaseline() async throws {
        try await drain()
        baseline = Snapshot(head: head.number, clock: clock.state, pool: TxPool(), blockGasLimit: blockGasLimit)
    }

    /// anvil_reset: back to genesis with an empty mempool and no time offset.
    public func reset() async throws {
        try await drain()
        reader.beginRewrite()
        defer { reader.endRewrite() }
        try rewind(to: 0, clock: ClockState())
        // State cheats made at block 0 after startup wrote into genesis's own version: undo them.
        if let b = baseline, b.head == 0, !b.undo.isEmpty {
            var batch = WriteBatch()
            store.state.stage(b.undo.map { ($0.key, $0.value) }, block: 0, into: &batch)
            try store.db.write(batch, sync: config.syncWrites)
            reader.cache.reset(to: 0)
            baseline?.undo = [:]
        }
        pool = TxPool()
        snapshots = [:]
        blockGasLimit = config.gasLimit
        nextBaseFeeOverride = nil
    }

    /// Callers bracket it with `reader.beginRewrite()` / `endRewrite()`.
    private func rewind(to number: UInt64, clock c: ClockState) throws {
        let h = head.number
        if number < h {
            // Read the new head before anything is deleted, so a failed read changes nothing.
            guard let b = try store.loadBlock(number: number) else { throw ChainError.invalid("block \(number) missing") }
            do { try store.truncate(above: number, head: h, clock: c, sync: config.syncWrites) } catch {
                store.failures.report("removing the blocks above \(number) failed, nothing was removed: \(error)")
                throw error
            }
            reader.cache.reset(to: number)
            tip = b
            reader.publish(head: b)
            clock.state = c         // written in the truncate's batch
        } else {
            var after = clock
            after.state = c
            try saveClock(after)
        }
        for o in observers { o.chainReorganized(to: number) }
    }

    // MARK: state cheats (applied to the head block's state, like Anvil)

    /// Writes `writes` into the head's state version, remembering prior values for any
    /// snapshot taken at this head so `evm_revert` can undo them. `codes` are the code blobs
    /// the writes refer to, stored in the same batch (a revert leaves them as harmless orphans).
    func writeAtHead(_ writes: [([UInt8], [UInt8]?)], codes: [(hash: Hash, code: [UInt8])] = []) async throws {
        try await drain()
        let n = head.number
        for (id, var s) in snapshots where s.head == n {
            for (k, _) in writes where s.undo[k] == nil { s.undo[k] = .some(try store.state.value(k, at: n)) }
            snapshots[id] = s
        }
        if var b = baseline, b.head == n {
            for (k, _) in writes where b.undo[k] == nil { b.undo[k] = .some(try store.state.value(k, at: n)) }
            baseline = b
        }
        var batch = WriteBatch()
        store.state.stage(writes, block: n, into: &batch)
        for c in codes { store.codes.stage(c.code, hash: c.hash, into: &batch) }
        do { try store.db.write(batch, sync: config.syncWrites) } catch {
            store.failures.report("a state change at block \(n) was not written: \(error)")
            throw error
        }
        reader.cache.apply(writes, at: n)
    }

    /// Runs `body` on an overlay of the head state and writes what it changed.
    public func modifyState(_ body: (StateOverlay) throws -> Void) async throws {
        try await drain()
        let base = reader.state(at: head.number)
        let overlay = StateOverlay(base: base)
        try body(overlay)
        try base.checkReads()
        try await writeAtHead(overlay.stateWrites(), codes: overlay.codeWrites())
    }

    public func setBalance(_ a: Address, _ v: UInt256) async throws { try await modifyState { $0.setBalance(v, of: a) } }
    public func setNonce(_ a: Address, _ n: UInt64) async throws {
        try await modifyState { s in var acct = s.account(a); acct.nonce = n; s.setAccount(acct, of: a) }
    }

    /// `anvil_setCode`: gives `a` this code (empty: none) in the head state. Refused at the five
    /// native contracts, whose code is Swift.
    public func setCode(_ code: [UInt8], of a: Address) async throws {
        if let name = executor.contracts.addresses.name(of: a) { throw ChainError.nativeContractCode(name: name, address: a) }
        try await modifyState { $0.setCode(code, of: a) }
    }

    /// `anvil_setStorageAt`: one storage word of `a` in the head state (any address, the native
    /// contracts' solc-layout slots included).
    public func setStorage(_ a: Address, _ slot: Hash, _ value: UInt256) async throws {
        try await modifyState { $0.setStorage(a, slot, value) }
    }

    // MARK: Anvil's other cheats

    /// `anvil_setNextBlockPrevRandao` / `hardhat_setPrevRandao`: the next mined block's
    /// PREVRANDAO (its mixHash); later blocks derive theirs again.
    private var nextPrevRandao: Hash?
    public func setNextBlockPrevRandao(_ h: Hash) { nextPrevRandao = h }

    /// `anvil_setChainId`: the chain id from now on (transactions must be signed for it; the
    /// CHAINID opcode, eth_chainId and new blocks use it). Not kept across a --data-dir restart.
    /// Pooled transactions the EVM's validation now refuses (signed for the old id) are
    /// dropped: no block could include them.
    public func setChainId(_ id: UInt64) {
        reader.setChainId(id)
        executor = Executor(contracts: executor.contracts, chainId: id)
        for p in pool.all {
            do throws(TxError) { try Executor.validateStateless(p.tx, sender: p.sender, chainId: id) } catch {
                _ = pool.remove(p.hash)
            }
        }
    }

    /// The next block as Anvil's `pending` tag sees it: its environment (timestamp, base fee,
    /// number) and the head state with the pool's ready transactions applied in block order.
    /// Operator work due in that block is not applied (it runs only when the block is mined).
    public func pendingState() -> sending (state: StateOverlay, env: BlockEnv, included: [PooledTransaction]) {
        let b = pendingBuilder()
        return (b.state, b.env, b.included)
    }

    /// The next block as it would be mined now, not committed: its header, hash and
    /// transactions (Anvil's `pending` block).
    public func pendingBlock() -> (block: Block, transactions: [PooledTransaction]) {
        let b = pendingBuilder()
        return (Self.assemble(b, parent: head, writes: b.state.stateWrites()).0, b.included)
    }

    private func pendingBuilder() -> sending BlockBuilder {
        let env = nextEnv(timestamp: clock.nextBlockTimestamp(parent: head.header.timestamp))
        let overlay = StateOverlay(base: reader.state(at: head.number))
        let builder = BlockBuilder(env: env, parent: head.header, state: overlay, executor: executor)
        guard !pool.isEmpty else { return builder }
        for p in Self.readyTransactions(in: pool, orderByFees: config.orderByFees, overlay) {
            if builder.refusal(p) != nil { continue }
            builder.include(p)
        }
        return builder
    }

    /// `anvil_rollback`: removes the newest `depth` blocks; their transactions are gone (not
    /// pooled again), chain time goes back to the new head's timestamp, snapshots of the
    /// removed blocks are dropped.
    public func rollback(depth: UInt64) async throws {
        let h = head.number
        guard depth <= h else {
            throw ChainError.invalid("Rollback depth must not exceed current chain height: current height \(h), depth \(depth)")
        }
        guard depth > 0 else { return }
        try await drain()
        reader.beginRewrite()
        defer { reader.endRewrite() }
        let target = h - depth
        guard let common = try store.loadBlock(number: target) else { throw ChainError.invalid("block \(target) missing") }
        // The logs leaving the chain, announced as removed (as Anvil does for subscriptions).
        var removed: [PositionedLog] = []
        for num in (target + 1)...h {
            guard let b = try store.loadBlock(number: num) else { continue }
            for r in try b.transactionHashes.compactMap({ try store.loadReceipt(hash: $0) }) {
                for var l in r.positionedLogs { l.removed = true; removed.append(l) }
            }
        }
        var c = clock
        c.setTime(common.header.timestamp)
        c.state.nextTimestamp = nil
        try rewind(to: target, clock: c.state)
        snapshots = snapshots.filter { $0.value.head <= target }
        if !removed.isEmpty { for o in observers { o.logsRemoved(removed) } }
    }

    /// `anvil_reorg`: rolls back `depth` blocks, then mines `depth` new ones; block `i` holds
    /// `blocks[i]` (those valid in turn), the pool is left for later blocks.
    public func reorg(depth: UInt64, blocks: [[PooledTransaction]]) async throws {
        try await rollback(depth: depth)
        for i in 0..<Int(depth) {
            try mineUnsynced(only: i < blocks.count ? blocks[i] : [])
        }
        try await waitDurable()
    }

    // MARK: impersonation

    public func impersonate(_ a: Address) { impersonated.insert(a) }
    public func stopImpersonating(_ a: Address) { impersonated.remove(a) }
    public func setAutoImpersonate(_ on: Bool) { autoImpersonate = on }
    public func canSendUnsigned(from a: Address) -> Bool { autoImpersonate || impersonated.contains(a) }
}
