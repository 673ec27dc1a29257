import Foundation
import Primitives
import EthCrypto
import Contracts
import Chain

/// A one-shot request for the next block (stakenet_rebase / _serveClaims / _operatorTick).
public enum OperatorAction: Sendable, Hashable {
    /// One rebase now, whatever its due time; the next due time moves on by one interval.
    case rebase
    /// Serve every pending claim, due or not.
    case serveClaims
    /// Run what is due, even in manual mode.
    case tick
}

/// What the operator did in one block.
public struct OperatorReport: Sendable, Equatable {
    public var blockNumber: UInt64
    public var rebases: Int = 0
    public var claimsServed: Int = 0
    public var transactions: Int = 0
    public init(blockNumber: UInt64) { self.blockNumber = blockNumber }
}

/// Everything `stakenet_status` shows, read from one block's state.
public struct OperatorStatus: Sendable {
    public struct Claim: Sendable, Equatable {
        public var claim: PendingClaim
        /// Timestamp of the block the claim was queued in.
        public var queuedAt: UInt64
        /// When the operator serves it (queuedAt + the current unbond period).
        public var dueAt: UInt64
    }
    public var blockNumber: UInt64
    public var timestamp: UInt64
    public var record: OperatorRecord
    public var ratio: UInt256
    public var claims: [Claim]
    public var stakes: [PendingStake]
    public var pendingStakesTotal: UInt256
    public var poolMatic: UInt256
    public var intermediaryMatic: UInt256
}

/// Ankr's off-chain operator, run inside block building.
///
/// Before a block's pooled transactions run, it does everything due at or before the block's
/// timestamp, in time order (a rebase and a claim due at the same second: the rebase first),
/// as ordinary signed legacy transactions from the operator keys:
///
/// - rebase: `claimToIntermediary(intermediary, <all pending stakes>)` when stakes are
///   pending, then `updateRatio(OperatorSettings.nextRatio(ratio))`;
/// - claims: the due prefix of the FIFO claim queue: the intermediary sends their MATIC sum
///   to the pool (MATIC `transfer`), then the operator sends `serveClaims(sum, intermediary, 0)`.
///
/// Its transactions pay exactly the block's base fee (no tip), use a gas limit of exactly the
/// gas they need, and are not held to the block gas limit: a long warp (3 650 rebases for ten
/// years) does in one block what mainnet spreads over many, and cannot fit in 30M gas. The
/// block's gasUsed then exceeds its gasLimit and the next base fee rises accordingly.
///
/// All its state is chain state (`OperatorRecord`), so snapshots, resets and restarts restore
/// it; the only in-memory state is the one-shot forced-action request and the last report.
public final class OperatorService: BlockHook, @unchecked Sendable {  // its vars are guarded by `lock`; the rest is immutable
    public let chain: Chain
    public let contracts: NativeContracts
    /// Values for a state that has no operator record yet (the CLI flags).
    public let defaults: OperatorSettings
    public let genesisTimestamp: UInt64
    let operatorKey: SigningKey
    let intermediaryKey: SigningKey
    /// The chain's id now (anvil_setChainId can change it).
    var chainId: UInt64 { chain.reader.chainId }

    /// A warp with a tiny interval could ask for millions of rebases; past this many in one
    /// block the rest stay due and are done by the following blocks.
    public static let maxRebasesPerBlock = 100_000

    private let lock = NSLock()
    private var pending = Set<OperatorAction>()
    /// The operator's work in the last blocks built (a block number mined again after a
    /// revert replaces its entry).
    private var recentReports: [UInt64: OperatorReport] = [:]
    /// Work `beforeTransactions` moved after the transactions of the block being built.
    private var deferred: (builder: ObjectIdentifier, forced: Set<OperatorAction>)?

    public enum SetupError: Error, CustomStringConvertible {
        case missingKeys
        public var description: String {
            "the operator needs the operator and intermediary keys (ChainConfig.extraKeys [0] and [2])"
        }
    }

    /// `chain.config.extraKeys` must hold the operator key at [0] and the intermediary's at
    /// [2] (the fee collector's at [1] is not used for signing here).
    public init(chain: Chain, defaults: OperatorSettings) throws {
        let keys = chain.config.extraKeys
        guard keys.count >= 3 else { throw SetupError.missingKeys }
        self.chain = chain
        self.contracts = chain.reader.contracts
        self.defaults = defaults
        self.operatorKey = keys[0]
        self.intermediaryKey = keys[2]
        self.genesisTimestamp = chain.reader.block(number: 0)?.header.timestamp ?? chain.config.genesisTimestamp
    }

    /// Writes the defaults into the head state when it has no operator record (a fresh chain;
    /// a restarted `--data-dir` chain keeps what it has) and registers the block hook.
    /// Returns the record in force.
    @discardableResult
    public func install() async throws -> OperatorRecord {
        let head = chain.reader.head
        var result: OperatorRecord?
        try await chain.modifyState { s in
            if let r = OperatorRecord.load({ s.storage(OperatorRecord.account, $0) }) { result = r; return }
            let r = self.initialRecord(s, time: head.header.timestamp)
            result = r
        }
        await chain.addHook(self)
        return result!
    }

    // MARK: record access

    static func read(_ s: WorldState) -> (Hash) -> UInt256 { { s.storage(OperatorRecord.account, $0) } }

    static func queuedAt(_ s: WorldState) -> (UInt64) -> UInt64 {
        { s.storage(OperatorRecord.account, OperatorRecord.claimSlot($0)).uint64 ?? .max }
    }

    /// A new record from the defaults, written to `s`; claims already queued (a chain created
    /// before the operator existed) count as queued at `time`.
    func initialRecord(_ s: WorldState, time: UInt64) -> OperatorRecord {
        var r = OperatorRecord(settings: defaults,
                               nextRebase: OperatorRecord.firstRebase(after: time, genesis: genesisTimestamp,
                                                                      interval: defaults.rebaseInterval))
        let n = UInt64(contracts.claimsEverQueued(state: s))
        let live = contracts.claimQueue(state: s)
        for c in live { s.setStorage(OperatorRecord.account, OperatorRecord.claimSlot(UInt64(c.index)), UInt256(time)) }
        r.claimsRecorded = n
        r.claimCursor = live.first.map { UInt64($0.index) } ?? n
        r.updateWake(queuedAt: Self.queuedAt(s))
        r.store { s.setStorage(OperatorRecord.account, $0, $1) }
        return r
    }

    /// The record in the head state (the defaults if there is none yet).
    public func record() -> OperatorRecord {
        let s = chain.reader.state(at: chain.reader.headNumber)
        return OperatorRecord.load({ s.storage(OperatorRecord.account, $0) })
            ?? OperatorRecord(settings: defaults, nextRebase: OperatorRecord.firstRebase(
                after: chain.reader.head.header.timestamp, genesis: genesisTimestamp, interval: defaults.rebaseInterval))
    }

    /// Changes settings in the head state (snapshot-safe: `Chain.modifyState`). A new rebase
    /// interval applies after the already scheduled next rebase, which keeps its time; a new
    /// unbond period applies to claims already queued too (due = queued + period), which keeps
    /// the due claims a FIFO prefix. Returns the new settings.
    @discardableResult
    public func updateSettings(_ change: @escaping @Sendable (inout OperatorSettings) -> Void) async throws -> OperatorSettings {
        let head = chain.reader.head
        var out = defaults
        try await chain.modifyState { s in
            var r = OperatorRecord.load(Self.read(s)) ?? self.initialRecord(s, time: head.header.timestamp)
            change(&r.settings)
            r.updateWake(queuedAt: Self.queuedAt(s))
            r.store { s.setStorage(OperatorRecord.account, $0, $1) }
            out = r.settings
        }
        return out
    }

    // MARK: forced actions

    /// Mines one block in which `action` is done; returns the block and what the operator did
    /// in it. (If another block is mined between the request and this one — a transaction
    /// arriving under automine at that instant — that block honours the request instead.)
    public func perform(_ action: OperatorAction) async throws -> (Block, OperatorReport) {
        do {
            // Queued on the chain actor right before its block is built: a block another
            // client's transaction triggers cannot take the action first.
            let b = try await chain.mineBlock(prepare: { [self] in lock.withLock { _ = pending.insert(action) } })
            return (b, report(for: b.number))
        } catch {
            lock.withLock { _ = pending.remove(action) }
            throw error
        }
    }

    /// What the operator did in block `number`, if it is among the last blocks built.
    public func report(for number: UInt64) -> OperatorReport {
        lock.withLock { recentReports[number] ?? OperatorReport(blockNumber: number) }
    }

    // MARK: status

    public func status() -> OperatorStatus {
        let head = chain.reader.head
        let s = StateOverlay(base: chain.reader.state(at: head.number))
        let rec = OperatorRecord.load(Self.read(s)) ?? initialRecord(s, time: head.header.timestamp)
        let period = rec.settings.unbondPeriod
        let claims = contracts.claimQueue(state: s).map { c -> OperatorStatus.Claim in
            let i = UInt64(c.index)
            let q = i < rec.claimsRecorded
                ? s.storage(OperatorRecord.account, OperatorRecord.claimSlot(i)).uint64 ?? head.header.timestamp
                : head.header.timestamp
            return .init(claim: c, queuedAt: q, dueAt: q.addingClamped(period))
        }
        return OperatorStatus(
            blockNumber: head.number, timestamp: head.header.timestamp, record: rec,
            ratio: contracts.ratio(state: s), claims: claims, stakes: contracts.pendingStakes(state: s),
            pendingStakesTotal: contracts.pendingStakesTotal(state: s),
            poolMatic: contracts.poolMaticBalance(state: s),
            intermediaryMatic: contracts.maticBalance(of: contracts.roles.intermediary, state: s))
    }

    /// The notary's signature for the ANKR unstake-fee path: 65 bytes r ‖ s ‖ v (v = 27/28)
    /// over keccak256(abi.encode(chainId, pool, fee, useBeforeBlock, staker)), no prefix.
    /// Signed with the operator key (the notary at genesis).
    public func unstakeFeeSignature(fee: UInt256, useBeforeBlock: UInt256, staker: Address,
                                    key: SigningKey? = nil) throws -> [UInt8] {
        let digest = contracts.unstakeFeeDigest(chainId: chainId, fee: fee, useBeforeBlock: useBeforeBlock, staker: staker)
        return try Secp256k1.sign(hash: digest.bytes, privateKey: (key ?? operatorKey).privateKey).bytes65
    }

    public var operatorAddress: Address { operatorKey.address }

    // MARK: BlockHook

    public func beforeTransactions(_ builder: BlockBuilder) {
        let forced: Set<OperatorAction> = lock.withLock {
            let p = pending
            pending.removeAll()
            deferred = nil
            return p
        }
        let s = builder.state
        if forced.isEmpty {
            // The common case: nothing can be due yet (one storage read).
            let wake = s.storage(OperatorRecord.account, OperatorRecord.wakeSlot).uint64 ?? 0
            if wake > builder.env.timestamp { return }
        }
        // A user's own pooled transaction from an operator key (tests may send operator
        // transactions themselves) keeps its nonce: the work moves after the block's transactions.
        if builder.pooledSenders.contains(operatorKey.address) || builder.pooledSenders.contains(intermediaryKey.address) {
            lock.withLock { deferred = (ObjectIdentifier(builder), forced) }
            return
        }
        act(builder, forced: forced)
    }

    /// The block's operator work: what is due (auto mode or a forced tick) and the forced actions.
    private func act(_ builder: BlockBuilder, forced: Set<OperatorAction>) {
        let s = builder.state
        let rec = OperatorRecord.load(Self.read(s)) ?? initialRecord(s, time: builder.parent.timestamp)
        var run = Run(service: self, builder: builder, record: rec)
        run.recordClaims(time: builder.parent.timestamp)   // defensive: all are recorded after each block
        if rec.settings.mode == .auto || forced.contains(.tick) { run.doDue() }
        if forced.contains(.rebase) {
            run.rebase()
            run.record.nextRebase = run.record.nextRebase.addingClamped(max(run.record.settings.rebaseInterval, 1))
        }
        if forced.contains(.serveClaims) { run.serveAll() }
        run.record.updateWake(queuedAt: Self.queuedAt(s))
        if run.record != rec { run.record.store { s.setStorage(OperatorRecord.account, $0, $1) } }
        let report = run.report
        lock.withLock {
            recentReports[report.blockNumber] = report
            if recentReports.count > 64, let oldest = recentReports.keys.min() { recentReports[oldest] = nil }
        }
    }

    public func afterTransactions(_ builder: BlockBuilder) {
        let postponed: Set<OperatorAction>? = lock.withLock {
            guard let d = deferred, d.builder == ObjectIdentifier(builder) else { return nil }
            deferred = nil
            return d.forced
        }
        recordBlockClaims(builder)
        if let postponed { act(builder, forced: postponed) }
    }

    /// Records the claims this block's calls to the pool queued, at the block's time.
    private func recordBlockClaims(_ builder: BlockBuilder) {
        // Claims are queued only by calls to the pool.
        let pool = contracts.addresses.pool
        guard builder.included.contains(where: { $0.tx.to == pool }) else { return }
        let s = builder.state
        guard let rec = OperatorRecord.load(Self.read(s)) else { return }
        var run = Run(service: self, builder: builder, record: rec)
        run.recordClaims(time: builder.env.timestamp)
        if run.record != rec {
            run.record.updateWake(queuedAt: Self.queuedAt(s))
            run.record.store { s.setStorage(OperatorRecord.account, $0, $1) }
        }
    }
}

/// One block's operator work.
struct Run {
    let service: OperatorService
    let b: BlockBuilder
    var record: OperatorRecord
    var report: OperatorReport
    let contracts: NativeContracts
    let addresses: ContractAddresses
    /// Pending stakes are known to be zero (only the operator's own claimToIntermediary
    /// changes them before the block's user transactions run).
    var stakesKnownZero = false
    /// The live claim queue (loaded when a claim may be due) and our position in it.
    var queue: [PendingClaim]? = nil
    var qpos = 0
    /// Serving failed (intermediary out of MATIC, or a reverting call): stop trying this block.
    var claimsStuck = false
    /// Gas of updateRatio measured once per block (a fixed figure per function).
    var updateRatioGas: UInt64? = nil

    init(service: OperatorService, builder: BlockBuilder, record: OperatorRecord) {
        self.service = service; self.b = builder; self.record = record
        self.report = OperatorReport(blockNumber: builder.env.number)
        self.contracts = builder.contracts
        self.addresses = builder.contracts.addresses
    }

    var state: StateOverlay { b.state }

    func queuedAt(_ index: UInt64) -> UInt64 {
        state.storage(OperatorRecord.account, OperatorRecord.claimSlot(index)).uint64 ?? .max
    }

    /// Records `time` as the queue time of every claim queued since the last record.
    mutating func recordClaims(time: UInt64) {
        let n = UInt64(contracts.claimsEverQueued(state: state))
        guard n > record.claimsRecorded else { return }
        for i in record.claimsRecorded..<n {
            state.setStorage(OperatorRecord.account, OperatorRecord.claimSlot(i), UInt256(time))
        }
        record.claimsRecorded = n
    }

    // MARK: schedule

    mutating func doDue() {
        let t = b.env.timestamp
        var rebases = 0
        while true {
            let r = record.nextRebase
            let c = nextClaimDue(before: t)
            if r <= t && r != .max && rebases < OperatorService.maxRebasesPerBlock && (c == nil || r <= c!) {
                // A run of rebases with nothing else due in between (ties: rebases first).
                let interval = max(record.settings.rebaseInterval, 1)
                let bound = min(t, c ?? t)
                let run = min(Int(clamping: (bound - r) / interval) + 1, OperatorService.maxRebasesPerBlock - rebases)
                let done = run >= Self.batchThreshold ? rebaseBatch(run) : 0
                if done > 0 {
                    rebases += done
                    record.nextRebase = r.addingClamped(UInt64(done).multipliedReportingOverflow(by: interval).overflow
                                                        ? .max : UInt64(done) * interval)
                    continue
                }
                rebase()
                rebases += 1
                record.nextRebase = r.addingClamped(interval)
                continue
            }
            if let c, c <= t {
                // Claims due before the next rebase (at the same second the rebase goes first).
                let limit = r <= t ? r - 1 : t
                if !serve(dueBy: limit) { claimsStuck = true }
                continue
            }
            break
        }
    }

    /// The due time of the oldest unserved claim, nil when there is none. Answers from the
    /// cursor alone (one storage read) while that is after `t`; loads the queue otherwise.
    mutating func nextClaimDue(before t: UInt64) -> UInt64? {
        if claimsStuck { return nil }
        let period = record.settings.unbondPeriod
        if let q = queue {
            guard qpos < q.count else { return nil }
            return queuedAt(UInt64(q[qpos].index)).addingClamped(period)
        }
        guard record.claimCursor < record.claimsRecorded else { return nil }
        // Queue times never decrease along the queue, so the cursor's (even if that claim was
        // served by someone else) bounds every unserved claim's from below.
        let atCursor = queuedAt(record.claimCursor).addingClamped(period)
        if atCursor > t { return atCursor }
        loadQueue()
        return nextClaimDue(before: t)
    }

    mutating func loadQueue() {
        let q = contracts.claimQueue(state: state)
        queue = q
        qpos = 0
        record.claimCursor = q.first.map { UInt64($0.index) } ?? record.claimsRecorded
    }

    /// Serves the queued claims due at or before `limit`. False when none could be served.
    mutating func serve(dueBy limit: UInt64) -> Bool {
        guard let q = queue else { return false }
        let period = record.settings.unbondPeriod
        var end = qpos
        while end < q.count && queuedAt(UInt64(q[end].index)).addingClamped(period) <= limit { end += 1 }
        return serve(q[qpos..<end])
    }

    /// Serves every pending claim (stakenet_serveClaims).
    mutating func serveAll() {
        loadQueue()
        if let q = queue { _ = serve(q[qpos...]) }
    }

    /// The intermediary sends the sum of the longest prefix of `claims` it can pay to the pool,
    /// then the operator serves them. Reloads the queue afterwards (the contract decides what
    /// it actually served). True when the queue moved.
    mutating func serve(_ claims: ArraySlice<PendingClaim>) -> Bool {
        guard let first = claims.first else { return false }
        let intermediary = service.intermediaryKey.address
        let available = contracts.maticBalance(of: intermediary, state: state)
        var sum = UInt256.zero
        for c in claims {
            guard let s = sum.checkedAdd(c.amount), s <= available else { break }
            sum = s
        }
        guard !sum.isZero else { return false }
        guard send(service.intermediaryKey, to: addresses.matic,
                   data: OperatorCalls.transfer(to: addresses.pool, amount: sum)) else { return false }
        guard send(service.operatorKey, to: addresses.pool,
                   data: OperatorCalls.serveClaims(amountToUse: sum, residue: intermediary, minThreshold: .zero)) else { return false }
        loadQueue()
        // Claims leave the queue from its front only: those of `claims` before the new front
        // were served.
        let front = queue!.first?.index ?? Int.max
        report.claimsServed += claims.prefix { $0.index < front }.count
        return queue!.first?.index != first.index
    }

    // MARK: rebase

    mutating func rebase() {
        if !stakesKnownZero {
            let pendingTotal = contracts.pendingStakesTotal(state: state)
            if !pendingTotal.isZero {
                _ = send(service.operatorKey, to: addresses.pool,
                         data: OperatorCalls.claimToIntermediary(service.intermediaryKey.address, threshold: pendingTotal))
            }
            stakesKnownZero = contracts.pendingStakesTotal(state: state).isZero
        }
        let ratio = contracts.ratio(state: state)
        let next = record.settings.nextRatio(ratio)
        let data = Self.updateRatioSelector + next.bytes32
        if let g = updateRatioGas {
            if send(service.operatorKey, to: addresses.aMATICb, data: data, gas: g) { record.rebasesDone &+= 1; report.rebases += 1 }
        } else if let g = send(service.operatorKey, to: addresses.aMATICb, data: data, measured: true) {
            updateRatioGas = g
            record.rebasesDone &+= 1; report.rebases += 1
        }
    }

    /// Below this many consecutive rebases, they are done one by one.
    static let batchThreshold = 16

    /// `count` consecutive rebases, once the first of the block has measured updateRatio's gas
    /// and delegated the pending stakes: nothing else touches the ratio or the operator's
    /// nonce in between, so every transaction is known in advance and they are signed in
    /// parallel (signing is most of a long warp's cost), then executed in order like any
    /// other. Returns how many were done (0: do them one by one).
    mutating func rebaseBatch(_ count: Int) -> Int {
        guard stakesKnownZero, let gas = updateRatioGas else { return 0 }
        let key = service.operatorKey
        let acct = state.account(key.address)
        guard acct.nonce <= UInt64.max - UInt64(count) else { return 0 }
        let price = b.env.baseFee
        var ratio = contracts.ratio(state: state)
        var unsigned: [Transaction] = []
        unsigned.reserveCapacity(count)
        var cost = UInt256.zero
        for i in 0..<count {
            ratio = record.settings.nextRatio(ratio)
            let data = Self.updateRatioSelector + ratio.bytes32
            let limit = Self.intrinsicGas(data) &+ gas
            cost = cost.saturatingAdd(UInt256(limit).saturatingMul(price))
            unsigned.append(Transaction.legacy(chainId: service.chainId, nonce: acct.nonce + UInt64(i), gasPrice: price,
                                               gasLimit: limit, to: addresses.aMATICb, value: .zero, data: data))
        }
        guard cost <= acct.balance else { return 0 }
        var signed = [PooledTransaction?](repeating: nil, count: count)
        let chunks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / 8))
        let unsignedTxs = unsigned
        signed.withUnsafeMutableBufferPointer { out in
            // nonisolated(unsafe): chunk c writes only the indexes ≡ c mod chunks; read after concurrentPerform returns.
            nonisolated(unsafe) let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var i = c
                while i < count {
                    if let tx = try? unsignedTxs[i].signed(privateKey: key.privateKey) {
                        base[i] = PooledTransaction(tx: tx, hash: tx.hash, sender: key.address)
                    }
                    i += chunks
                }
            }
        }
        var done = 0
        for p in signed {
            guard let p else { break }
            let o = b.include(p)
            report.transactions += 1
            guard o.status else { break }
            done += 1
        }
        record.rebasesDone &+= UInt64(done)
        report.rebases += done
        return done
    }

    static let updateRatioSelector = ABI.selector("updateRatio(uint256)")

    /// Intrinsic gas of a call with `data` (21 000 + 4 per zero byte + 16 per other byte).
    static func intrinsicGas(_ data: [UInt8]) -> UInt64 {
        var g: UInt64 = 21_000
        for x in data { g &+= x == 0 ? 4 : 16 }
        return g
    }

    // MARK: transactions

    /// Sends a call as a signed legacy transaction from `key`, measuring its gas with a view
    /// first; nothing is sent when the view reverts or the key cannot pay. True on success.
    @discardableResult
    mutating func send(_ key: SigningKey, to: Address, data: [UInt8]) -> Bool {
        send(key, to: to, data: data, measured: true) != nil
    }

    /// Like `send`, returning the execution gas measured.
    mutating func send(_ key: SigningKey, to: Address, data: [UInt8], measured: Bool) -> UInt64? {
        let v = b.view(from: key.address, to: to, data: data)
        guard v.success else { return nil }
        return send(key, to: to, data: data, gas: v.gasUsed) ? v.gasUsed : nil
    }

    /// Sends with a known execution gas (gas limit = intrinsic + it).
    mutating func send(_ key: SigningKey, to: Address, data: [UInt8], gas execution: UInt64) -> Bool {
        let gas = Self.intrinsicGas(data) &+ execution
        let price = b.env.baseFee
        let acct = state.account(key.address)
        guard acct.nonce != .max, acct.balance >= UInt256(gas).saturatingMul(price) else { return false }
        let tx = Transaction.legacy(chainId: service.chainId, nonce: acct.nonce, gasPrice: price, gasLimit: gas,
                                    to: to, value: .zero, data: data)
        guard let signed = try? tx.signed(privateKey: key.privateKey) else { return false }
        let o = b.include(PooledTransaction(tx: signed, hash: signed.hash, sender: key.address))
        report.transactions += 1
        return o.status
    }
}
