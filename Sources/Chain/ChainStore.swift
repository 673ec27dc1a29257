import Foundation
import Primitives
import Storage

/// The node's blocks, transactions, receipts, log indexes, metadata and code in LevelDB,
/// beside the versioned state. Every key prefix is named in `StorageKeys`.
///
/// A block, its transactions, receipts, indexes, state versions, new code and the head
/// pointer go in one write batch, so a crash leaves either all of a block or none of it.
///
/// Reads come in two kinds. The `load…` methods throw on a storage error; the chain's write
/// path (mining, reverts, startup) uses only those, so a failed read stops the operation
/// before anything is written. The non-throwing lookups (`block(number:)`, `receipt(hash:)`…)
/// serve RPC reads that answer "not found" with null: a storage error there answers null too,
/// and is reported to `failures` (logged) rather than passed off silently.
public final class ChainStore: Sendable {
    public let db: Database
    public let state: VersionedState
    public let codes: CodeStore
    /// Where storage errors that cannot be thrown to a caller are reported (stderr by default).
    public let failures: StorageFailureLog

    public init(db: Database, failures: StorageFailureLog = StorageFailureLog()) {
        self.db = db
        self.state = VersionedState(db)
        self.failures = failures
        self.codes = CodeStore(db: db, failures: failures)
    }

    /// `K` ‖ keccak256(code) → code. Not versioned: an account's code hash is versioned with
    /// the account (`StateKey.account`), and the bytes are stored once by their hash, written in
    /// the batch of the block (or cheat) that first set them. Never deleted: `evm_revert` and
    /// `anvil_reset` leave the blobs of code that no account uses any more behind as orphans,
    /// which is harmless (content-addressed, so a later block that sets the same code finds the
    /// same bytes) and keeps a revert from having to know which other block still uses them.
    public static let codePrefix: UInt8 = StorageKeys.code

    static func numberKey(_ p: UInt8, _ n: UInt64) -> [UInt8] { [p] + n.bigEndianBytes }
    static func hashKey(_ p: UInt8, _ h: Hash) -> [UInt8] { [p] + h.bytes }
    static func canonicalKey(_ n: UInt64) -> [UInt8] { numberKey(StorageKeys.canonicalHash, n) }
    static func blockKey(_ h: Hash) -> [UInt8] { hashKey(StorageKeys.block, h) }
    static func transactionKey(_ h: Hash) -> [UInt8] { hashKey(StorageKeys.transaction, h) }
    static func receiptKey(_ h: Hash) -> [UInt8] { hashKey(StorageKeys.receipt, h) }
    /// `I ‖ kind ‖ key`: the prefix of one address's or topic's log index entries.
    static func logIndexPrefix(kind: UInt8, _ key: [UInt8]) -> [UInt8] { [StorageKeys.logIndex, kind] + key }
    static func logIndexKey(kind: UInt8, _ key: [UInt8], _ n: UInt64) -> [UInt8] { logIndexPrefix(kind: kind, key) + n.bigEndianBytes }
    static let headKey: [UInt8] = StorageKeys.head
    static let clockKey: [UInt8] = StorageKeys.clock
    /// Written with fsync by the group commit (its value: the newest block it covers).
    static let syncMarkerKey: [UInt8] = StorageKeys.syncMarker

    // MARK: throwing reads (the write path)

    public func loadHeadNumber() throws -> UInt64? {
        try db.value(forKey: Self.headKey).map { UInt64(bigEndianBytes: $0) }
    }

    public func loadBlockHash(number: UInt64) throws -> Hash? {
        try db.value(forKey: Self.canonicalKey(number)).flatMap { Hash(bytes: $0) }
    }

    /// The block stored under `hash`; a record that does not decode throws (corruption).
    public func loadBlock(hash: Hash) throws -> Block? {
        guard let b = try db.value(forKey: Self.blockKey(hash)) else { return nil }
        do { return try Block(stored: b, hash: hash) } catch {
            throw StorageError.corrupted("block \(hash.hex) does not decode: \(error)")
        }
    }

    public func loadBlock(number: UInt64) throws -> Block? {
        guard let h = try loadBlockHash(number: number) else { return nil }
        return try loadBlock(hash: h)
    }

    public func loadTransaction(hash: Hash) throws -> MinedTransaction? {
        guard let b = try db.value(forKey: Self.transactionKey(hash)) else { return nil }
        var r = ByteReader(b)
        guard let raw = try? r.data(), let sender = try? r.address(), let num = try? r.u64(),
              let idx = try? r.u64(), let bh = try? r.hash(), let tx = try? Transaction.decode(raw: raw) else {
            throw StorageError.corrupted("transaction \(hash.hex) does not decode")
        }
        return MinedTransaction(tx: tx, hash: hash, sender: sender, blockNumber: num, blockHash: bh, index: UInt32(idx))
    }

    public func loadReceipt(hash: Hash) throws -> ReceiptRecord? {
        guard let b = try db.value(forKey: Self.receiptKey(hash)) else { return nil }
        do { return try ReceiptRecord(decoding: b) } catch {
            throw StorageError.corrupted("receipt \(hash.hex) does not decode: \(error)")
        }
    }

    public func loadClockState() throws -> ClockState? {
        guard let b = try db.value(forKey: Self.clockKey) else { return nil }
        var r = ByteReader(b)
        guard let off = try? r.u64(), let hasNext = try? r.bool(), let next = try? r.u64(),
              let hasInt = try? r.bool(), let int = try? r.u64() else {
            throw StorageError.corrupted("the stored chain clock does not decode")
        }
        var c = ClockState()
        c.offset = Int64(bitPattern: off)
        c.nextTimestamp = hasNext ? next : nil
        c.interval = hasInt ? int : nil
        return c
    }

    // MARK: lookups for RPC reads (a storage error answers nil and is logged)

    private func lookup<T>(_ what: @autoclosure () -> String, _ body: () throws -> T?) -> T? {
        do { return try body() } catch {
            if let request = ReadLatch.request {
                request.record(error, failures, reading: what())
            } else {
                failures.report("reading \(what()): \(error)")
            }
            return nil
        }
    }

    public func headNumber() -> UInt64? { lookup("the head number") { try loadHeadNumber() } }

    public func blockHash(number: UInt64) -> Hash? { lookup("block \(number)") { try loadBlockHash(number: number) } }

    public func block(hash: Hash) -> Block? { lookup("block \(hash.hex)") { try loadBlock(hash: hash) } }

    public func block(number: UInt64) -> Block? { lookup("block \(number)") { try loadBlock(number: number) } }

    public func transaction(hash: Hash) -> MinedTransaction? {
        lookup("transaction \(hash.hex)") { try loadTransaction(hash: hash) }
    }

    public func receipt(hash: Hash) -> ReceiptRecord? { lookup("receipt \(hash.hex)") { try loadReceipt(hash: hash) } }

    public func receipts(of block: Block) -> [ReceiptRecord] {
        block.transactionHashes.compactMap { receipt(hash: $0) }
    }

    /// Block numbers in [from, to] whose logs mention `key` (an address or a topic), nil when
    /// more than `limit` do. A storage error throws.
    public func indexedBlocks(kind: UInt8, key: [UInt8], from: UInt64, to: UInt64, limit: Int) throws -> [UInt64]? {
        let prefix = Self.logIndexPrefix(kind: kind, key)
        var out: [UInt64] = []
        var overflow = false
        try db.scan(from: prefix + from.bigEndianBytes, while: { $0.starts(with: prefix) }) { k, _ in
            let n = UInt64(bigEndianBytes: k.suffix(8))
            if n > to { return false }
            if out.count >= limit { overflow = true; return false }
            out.append(n)
            return true
        }
        return overflow ? nil : out
    }

    public func clockState() -> ClockState? { lookup("the chain clock") { try loadClockState() } }

    // MARK: writes

    static func encodeClock(_ c: ClockState) -> [UInt8] {
        var w = ByteWriter(capacity: 32)
        w.u64(UInt64(bitPattern: c.offset))
        w.bool(c.nextTimestamp != nil); w.u64(c.nextTimestamp ?? 0)
        w.bool(c.interval != nil); w.u64(c.interval ?? 0)
        return w.bytes
    }

    func stageClock(_ c: ClockState, into batch: inout WriteBatch) {
        batch.put(Self.clockKey, Self.encodeClock(c))
    }

    /// Stages everything a mined block writes.
    func stage(block: Block, transactions: [PooledTransaction], encodings: [[UInt8]]? = nil, receipts: [ReceiptRecord],
               stateWrites: [([UInt8], [UInt8]?)], codes: [(hash: Hash, code: [UInt8])] = [], clock: ClockState,
               into batch: inout WriteBatch) {
        let n = block.number
        batch.put(Self.canonicalKey(n), block.hash.bytes)
        batch.put(Self.blockKey(block.hash), block.storedEncoding())
        var addrs = Set<Address>(), topics = Set<Hash>()
        for (i, p) in transactions.enumerated() {
            var w = ByteWriter(capacity: 200)
            w.data(encodings?[i] ?? p.tx.encoded()); w.address(p.sender); w.u64(n); w.u64(UInt64(i)); w.hash(block.hash)
            batch.put(Self.transactionKey(p.hash), w.bytes)
        }
        for r in receipts {
            batch.put(Self.receiptKey(r.txHash), r.encoded())
            for l in r.logs { addrs.insert(l.address); for t in l.topics { topics.insert(t) } }
        }
        for a in addrs { batch.put(Self.logIndexKey(kind: StorageKeys.logIndexAddress, a.bytes, n), []) }
        for t in topics { batch.put(Self.logIndexKey(kind: StorageKeys.logIndexTopic, t.bytes, n), []) }
        state.stage(stateWrites, block: n, into: &batch)
        for c in codes { self.codes.stage(c.code, hash: c.hash, into: &batch) }
        batch.put(Self.headKey, n.bigEndianBytes)
        stageClock(clock, into: &batch)
    }

    /// Deletes every block above `number` with its transactions, receipts, indexes and
    /// state versions, and makes `number` the head. One batch; a failed read throws before
    /// anything is written (a half-known block would otherwise be left behind).
    func truncate(above number: UInt64, head: UInt64, clock: ClockState, sync: Bool) throws {
        guard head > number else { return }
        var batch = WriteBatch()
        for n in (number + 1)...head {
            guard let b = try loadBlock(number: n) else { continue }
            batch.delete(Self.canonicalKey(n))
            batch.delete(Self.blockKey(b.hash))
            var addrs = Set<Address>(), topics = Set<Hash>()
            for h in b.transactionHashes {
                if let r = try loadReceipt(hash: h) { for l in r.logs { addrs.insert(l.address); for t in l.topics { topics.insert(t) } } }
                batch.delete(Self.transactionKey(h)); batch.delete(Self.receiptKey(h))
            }
            for a in addrs { batch.delete(Self.logIndexKey(kind: StorageKeys.logIndexAddress, a.bytes, n)) }
            for t in topics { batch.delete(Self.logIndexKey(kind: StorageKeys.logIndexTopic, t.bytes, n)) }
        }
        _ = try state.stageTruncate(above: number, into: &batch)
        batch.put(Self.headKey, number.bigEndianBytes)
        stageClock(clock, into: &batch)
        try db.write(batch, sync: sync)
    }
}

/// Contract code by hash (`ChainStore.codePrefix`), with a cache of what was read: the bytes
/// under a hash never change, so a cached entry never goes stale, whatever reverts happen.
public final class CodeStore: @unchecked Sendable {  // `cache` and `cachedBytes` guarded by `lock`
    let db: Database
    let failures: StorageFailureLog
    private let lock = NSLock()
    private var cache: [Hash: [UInt8]] = [:]
    private var cachedBytes = 0
    /// Past this many cached bytes the cache starts over (a devnet's code is far smaller).
    let cacheLimit: Int

    init(db: Database, failures: StorageFailureLog, cacheLimit: Int = 32 << 20) {
        self.db = db; self.failures = failures; self.cacheLimit = cacheLimit
    }

    static func key(_ h: Hash) -> [UInt8] { [ChainStore.codePrefix] + h.bytes }

    /// The code with hash `h`: empty for the empty-code hash, and for a hash never stored
    /// (which a consistent database never has an account point to). A read error throws.
    public func load(_ h: Hash) throws -> [UInt8] {
        if h == Account.emptyCodeHash { return [] }
        if let hit = lock.withLock({ cache[h] }) { return hit }
        guard let c = try db.value(forKey: Self.key(h)) else { return [] }
        remember(c, h)
        return c
    }

    /// As `load`, for RPC reads: a read error answers empty code and is reported to `failures`.
    public func code(_ h: Hash) -> [UInt8] {
        do { return try load(h) } catch {
            failures.report("reading code \(h.hex): \(error)")
            return []
        }
    }

    /// Adds the blob to `batch` (a no-op for empty code).
    func stage(_ code: [UInt8], hash h: Hash, into batch: inout WriteBatch) {
        guard !code.isEmpty else { return }
        batch.put(Self.key(h), code)
    }

    /// Caches a blob read from the database.
    func remember(_ code: [UInt8], _ h: Hash) {
        lock.withLock {
            guard cache[h] == nil else { return }
            if cachedBytes + code.count > cacheLimit { cache.removeAll(); cachedBytes = 0 }
            guard code.count <= cacheLimit else { return }
            cache[h] = code
            cachedBytes += code.count
        }
    }
}

/// Reads the versioned state as of one block.
///
/// `StateSource` reads cannot throw (the EVM and the native contracts read state in the
/// middle of execution), so a storage error is latched instead: the read answers as absent,
/// the error is kept in `latch` and reported to the failure log, and whoever uses the state
/// for anything that counts calls `checkReads()` first — the chain before it commits a block,
/// `ChainReader.read(at:)` before it answers a request. Nothing read through a failed read
/// is ever committed or returned, and a failed read never fills the head-state cache.
public final class StateAtBlock: StateSource {
    let store: VersionedState
    let codes: CodeStore
    let cache: HeadStateCache?
    public let block: UInt64
    public let latch: ReadLatch
    init(store: VersionedState, codes: CodeStore, block: UInt64, cache: HeadStateCache? = nil, latch: ReadLatch = ReadLatch()) {
        self.store = store; self.codes = codes; self.block = block; self.cache = cache; self.latch = latch
    }

    /// Throws the first storage error any read of this state met.
    public func checkReads() throws { try latch.check() }

    func raw(_ key: [UInt8]) -> [UInt8]? {
        if let cache, let hit = cache.get(key, at: block) { return hit }
        let v: [UInt8]?
        do { v = try store.value(key, at: block) } catch {
            latch.record(error, codes.failures, reading: "state at block \(block)")
            return nil
        }
        cache?.fill(key, v, at: block)
        return v
    }

    public func account(_ a: Address) -> Account {
        raw(StateKey.account(a)).flatMap { Account(encoded: $0) } ?? .empty
    }
    public func storage(_ contract: Address, _ slot: Hash) -> UInt256 {
        raw(StateKey.storage(contract, slot)).flatMap { UInt256(bigEndian: $0) } ?? .zero
    }
    public func code(_ hash: Hash) -> [UInt8] {
        do { return try codes.load(hash) } catch {
            latch.record(error, codes.failures, reading: "code \(hash.hex)")
            return []
        }
    }
}

/// The first storage error met by reads that cannot throw (see `StateAtBlock`). Shared by
/// everything one operation reads (a block's state and its BLOCKHASH lookups), checked before
/// the operation's result counts.
public final class ReadLatch: @unchecked Sendable {  // `first` guarded by `lock`
    private let lock = NSLock()
    private var first: Error?

    public init() {}

    /// The latch of the JSON-RPC request this task serves, when the transport set one
    /// (`ReadLatch.$request.withValue`): every storage error a read meets on the task is kept
    /// here too, so a lookup that could only answer "absent" still fails the request.
    @TaskLocal public static var request: ReadLatch?

    public var error: Error? { lock.withLock { first } }

    /// Keeps `e` if it is the first, and reports it to `log`.
    func record(_ e: Error, _ log: StorageFailureLog, reading what: String) {
        let isFirst: Bool = lock.withLock {
            guard first == nil else { return false }
            first = e
            return true
        }
        if isFirst { log.report("reading \(what): \(e)") }
        if let request = ReadLatch.request, request !== self { request.keep(e) }
    }

    private func keep(_ e: Error) { lock.withLock { if first == nil { first = e } } }

    /// Throws the latched error, if any.
    public func check() throws { if let e = error { throw e } }

    /// Runs a throwing read; on error latches it and answers nil.
    func guarding<T>(_ log: StorageFailureLog, reading what: @autoclosure () -> String, _ body: () throws -> T?) -> T? {
        do { return try body() } catch {
            record(error, log, reading: what())
            return nil
        }
    }
}

/// Where the node logs storage failures (stderr by default): every failed read or write the
/// chain meets is reported here, whether or not a request is there to receive the error.
public final class StorageFailureLog: @unchecked Sendable {
    private let lock = NSLock()
    private var sink: @Sendable (String) -> Void

    public init(sink: @escaping @Sendable (String) -> Void = StorageFailureLog.standardError) { self.sink = sink }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Replaces where reports go (tests).
    public func redirect(_ s: @escaping @Sendable (String) -> Void) { lock.withLock { sink = s } }

    public func report(_ message: String) {
        let s = lock.withLock { sink }
        s("storage error: \(message)\n")
    }
}
