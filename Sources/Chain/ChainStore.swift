import Foundation
import Primitives
import Storage

/// The node's LevelDB layout (besides the versioned state, which `VersionedState` keys):
///
///     H ‖ number(8)            → block hash (canonical chain)
///     B ‖ hash(32)             → block record (header, tx hashes, size)
///     T ‖ txhash(32)           → raw tx ‖ sender ‖ block number ‖ index
///     R ‖ txhash(32)           → receipt record
///     I a ‖ address ‖ number   → (empty) the block has a log from that address
///     I t ‖ topic ‖ number     → (empty) the block has a log with that topic (any position)
///     M ‖ name                 → node metadata: head number, clock, format
///     K ‖ codeHash(32)         → contract code (see `codePrefix`)
///
/// A block, its transactions, receipts, indexes, state versions, new code and the head
/// pointer go in one write batch, so a crash leaves either all of a block or none of it.
public final class ChainStore: Sendable {
    public let db: Database
    public let state: VersionedState
    public let codes: CodeStore

    public init(db: Database) {
        self.db = db
        self.state = VersionedState(db)
        self.codes = CodeStore(db: db)
    }

    /// `K` ‖ keccak256(code) → code. Not versioned: an account's code hash is versioned with
    /// the account (`StateKey.account`), and the bytes are stored once by their hash, written in
    /// the batch of the block (or cheat) that first set them. Never deleted: `evm_revert` and
    /// `anvil_reset` leave the blobs of code that no account uses any more behind as orphans,
    /// which is harmless (content-addressed, so a later block that sets the same code finds the
    /// same bytes) and keeps a revert from having to know which other block still uses them.
    public static let codePrefix: UInt8 = 0x4B

    static func numberKey(_ p: UInt8, _ n: UInt64) -> [UInt8] { [p] + n.bigEndianBytes }
    static func hashKey(_ p: UInt8, _ h: Hash) -> [UInt8] { [p] + h.bytes }
    static let headKey: [UInt8] = Array("Mhead".utf8)
    static let clockKey: [UInt8] = Array("Mclock".utf8)
    /// Written with fsync by the group commit (its value: the newest block it covers).
    static let syncMarkerKey: [UInt8] = Array("Msync".utf8)

    // MARK: reads

    public func headNumber() -> UInt64? {
        db.get(Self.headKey).map { UInt64(bigEndianBytes: $0) }
    }

    public func blockHash(number: UInt64) -> Hash? {
        db.get(Self.numberKey(0x48, number)).flatMap { Hash(bytes: $0) }
    }

    public func block(hash: Hash) -> Block? {
        guard let b = db.get(Self.hashKey(0x42, hash)) else { return nil }
        return try? Block(stored: b, hash: hash)
    }

    public func block(number: UInt64) -> Block? {
        blockHash(number: number).flatMap { block(hash: $0) }
    }

    public func transaction(hash: Hash) -> MinedTransaction? {
        guard let b = db.get(Self.hashKey(0x54, hash)) else { return nil }
        var r = ByteReader(b)
        guard let raw = try? r.data(), let sender = try? r.address(), let num = try? r.u64(),
              let idx = try? r.u64(), let bh = try? r.hash(), let tx = try? Transaction.decode(raw: raw) else { return nil }
        return MinedTransaction(tx: tx, hash: hash, sender: sender, blockNumber: num, blockHash: bh, index: UInt32(idx))
    }

    public func receipt(hash: Hash) -> ReceiptRecord? {
        guard let b = db.get(Self.hashKey(0x52, hash)) else { return nil }
        return try? ReceiptRecord(decoding: b)
    }

    public func receipts(of block: Block) -> [ReceiptRecord] {
        block.transactionHashes.compactMap { receipt(hash: $0) }
    }

    /// Block numbers in [from, to] whose logs mention `key` (an address or a topic).
    public func indexedBlocks(kind: UInt8, key: [UInt8], from: UInt64, to: UInt64, limit: Int) -> [UInt64]? {
        let prefix = [0x49, kind] + key
        var out: [UInt64] = []
        var overflow = false
        try? db.scan(from: prefix + from.bigEndianBytes, while: { $0.starts(with: prefix) }) { k, _ in
            let n = UInt64(bigEndianBytes: k.suffix(8))
            if n > to { return false }
            if out.count >= limit { overflow = true; return false }
            out.append(n)
            return true
        }
        return overflow ? nil : out
    }

    public func clockState() -> ClockState? {
        guard let b = db.get(Self.clockKey) else { return nil }
        var r = ByteReader(b)
        guard let off = try? r.u64(), let hasNext = try? r.bool(), let next = try? r.u64(),
              let hasInt = try? r.bool(), let int = try? r.u64() else { return nil }
        var c = ClockState()
        c.offset = Int64(bitPattern: off)
        c.nextTimestamp = hasNext ? next : nil
        c.interval = hasInt ? int : nil
        return c
    }

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
        batch.put(Self.numberKey(0x48, n), block.hash.bytes)
        batch.put(Self.hashKey(0x42, block.hash), block.storedEncoding())
        var addrs = Set<Address>(), topics = Set<Hash>()
        for (i, p) in transactions.enumerated() {
            var w = ByteWriter(capacity: 200)
            w.data(encodings?[i] ?? p.tx.encoded()); w.address(p.sender); w.u64(n); w.u64(UInt64(i)); w.hash(block.hash)
            batch.put(Self.hashKey(0x54, p.hash), w.bytes)
        }
        for r in receipts {
            batch.put(Self.hashKey(0x52, r.txHash), r.encoded())
            for l in r.logs { addrs.insert(l.address); for t in l.topics { topics.insert(t) } }
        }
        for a in addrs { batch.put([0x49, 0x61] + a.bytes + n.bigEndianBytes, []) }
        for t in topics { batch.put([0x49, 0x74] + t.bytes + n.bigEndianBytes, []) }
        state.stage(stateWrites, block: n, into: &batch)
        for c in codes { self.codes.stage(c.code, hash: c.hash, into: &batch) }
        batch.put(Self.headKey, n.bigEndianBytes)
        stageClock(clock, into: &batch)
    }

    /// Deletes every block above `number` with its transactions, receipts, indexes and
    /// state versions, and makes `number` the head. One batch.
    func truncate(above number: UInt64, head: UInt64, clock: ClockState, sync: Bool) throws {
        guard head > number else { return }
        var batch = WriteBatch()
        for n in (number + 1)...head {
            guard let b = block(number: n) else { continue }
            batch.delete(Self.numberKey(0x48, n))
            batch.delete(Self.hashKey(0x42, b.hash))
            var addrs = Set<Address>(), topics = Set<Hash>()
            for h in b.transactionHashes {
                if let r = receipt(hash: h) { for l in r.logs { addrs.insert(l.address); for t in l.topics { topics.insert(t) } } }
                batch.delete(Self.hashKey(0x54, h)); batch.delete(Self.hashKey(0x52, h))
            }
            for a in addrs { batch.delete([0x49, 0x61] + a.bytes + n.bigEndianBytes) }
            for t in topics { batch.delete([0x49, 0x74] + t.bytes + n.bigEndianBytes) }
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
    private let lock = NSLock()
    private var cache: [Hash: [UInt8]] = [:]
    private var cachedBytes = 0
    /// Past this many cached bytes the cache starts over (a devnet's code is far smaller).
    let cacheLimit: Int

    init(db: Database, cacheLimit: Int = 32 << 20) { self.db = db; self.cacheLimit = cacheLimit }

    static func key(_ h: Hash) -> [UInt8] { [ChainStore.codePrefix] + h.bytes }

    /// The code with hash `h`: empty for the empty-code hash, and for a hash never stored
    /// (which a consistent database never has an account point to).
    public func code(_ h: Hash) -> [UInt8] {
        if h == Account.emptyCodeHash { return [] }
        if let hit = lock.withLock({ cache[h] }) { return hit }
        guard let c = db.get(Self.key(h)) else { return [] }
        remember(c, h)
        return c
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
public final class StateAtBlock: StateSource {
    let store: VersionedState
    let codes: CodeStore
    let cache: HeadStateCache?
    public let block: UInt64
    init(store: VersionedState, codes: CodeStore, block: UInt64, cache: HeadStateCache? = nil) {
        self.store = store; self.codes = codes; self.block = block; self.cache = cache
    }

    func raw(_ key: [UInt8]) -> [UInt8]? {
        if let cache {
            if let hit = cache.get(key, at: block) { return hit }
            let v = store.read(key, at: block)
            cache.fill(key, v, at: block)
            return v
        }
        return store.read(key, at: block)
    }

    public func account(_ a: Address) -> Account {
        raw(StateKey.account(a)).flatMap { Account(encoded: $0) } ?? .empty
    }
    public func storage(_ contract: Address, _ slot: Hash) -> UInt256 {
        raw(StateKey.storage(contract, slot)).flatMap { UInt256(bigEndian: $0) } ?? .zero
    }
    public func code(_ hash: Hash) -> [UInt8] { codes.code(hash) }
}
