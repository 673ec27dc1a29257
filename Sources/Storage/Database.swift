import CLevelDB
import Foundation

/// A LevelDB database (through LevelDB's C API).
///
/// Thread-safe: any number of threads may read, iterate and write concurrently (LevelDB
/// serialises writers itself). `close()` waits for operations in flight and afterwards every
/// operation fails with `.closed`, so a late request during shutdown can never touch freed
/// memory.
///
/// Every read and write throws on failure: a read error is never mistaken for an absent key.
public final class Database: @unchecked Sendable {  // `handle` guarded by `rw`; LevelDB handles are thread-safe
    public let path: String

    private var handle: OpaquePointer?          // leveldb_t*
    private let options: OpaquePointer          // leveldb_options_t*
    private let cache: OpaquePointer            // leveldb_cache_t*
    private let filter: OpaquePointer           // leveldb_filterpolicy_t*
    private let readOptions: OpaquePointer      // leveldb_readoptions_t*
    private let scanOptions: OpaquePointer      // no fill_cache: long scans must not evict hot blocks
    private let writeAsync: OpaquePointer       // leveldb_writeoptions_t*
    private let writeSync: OpaquePointer
    /// Shared by every operation, exclusive for `close()`.
    private let rw: UnsafeMutablePointer<pthread_rwlock_t>

    /// Test-only injected faults (`StorageFaults`); nil in normal runs.
    public let faults: StorageFaults?

    /// Tuning. Defaults: 32 MB block cache, 10-bit bloom filters, 16 MB write buffer, and no
    /// compression (state keys and values are hashes and 32-byte words, which Snappy cannot
    /// shrink; measured in StorageBenchmarkTests).
    public struct Options: Sendable {
        public var createIfMissing = true
        public var blockCacheBytes = 32 << 20
        public var bloomBitsPerKey: Int32 = 10
        public var writeBufferBytes = 16 << 20
        public var maxFileBytes = 8 << 20
        public var maxOpenFiles: Int32 = 500
        public var compression = false
        public var paranoidChecks = false
        /// Test-only fault injection (nil: none).
        public var faults: StorageFaults? = nil
        public init() {}
    }

    public convenience init(path: String, createIfMissing: Bool = true) throws {
        var o = Options()
        o.createIfMissing = createIfMissing
        try self.init(path: path, options: o)
    }

    public init(path: String, options o: Options) throws {
        self.path = path
        self.faults = o.faults
        options = leveldb_options_create()
        cache = leveldb_cache_create_lru(o.blockCacheBytes)
        filter = leveldb_filterpolicy_create_bloom(o.bloomBitsPerKey)
        leveldb_options_set_create_if_missing(options, o.createIfMissing ? 1 : 0)
        leveldb_options_set_cache(options, cache)
        leveldb_options_set_filter_policy(options, filter)
        leveldb_options_set_write_buffer_size(options, o.writeBufferBytes)
        leveldb_options_set_max_file_size(options, o.maxFileBytes)
        leveldb_options_set_max_open_files(options, o.maxOpenFiles)
        leveldb_options_set_paranoid_checks(options, o.paranoidChecks ? 1 : 0)
        leveldb_options_set_compression(options, Int32(o.compression ? leveldb_snappy_compression : leveldb_no_compression))
        readOptions = leveldb_readoptions_create()
        scanOptions = leveldb_readoptions_create()
        leveldb_readoptions_set_fill_cache(scanOptions, 0)
        writeAsync = leveldb_writeoptions_create()
        writeSync = leveldb_writeoptions_create()
        leveldb_writeoptions_set_sync(writeSync, 1)
        rw = .allocate(capacity: 1)
        pthread_rwlock_init(rw, nil)

        var err: UnsafeMutablePointer<CChar>?
        let h = leveldb_open(options, path, &err)
        if let e = Database.takeError(&err) {
            // The remaining resources are freed by deinit (handle stays nil).
            throw StorageError.from(leveldbMessage: e, path: path)
        }
        handle = h
    }

    deinit {
        close()
        leveldb_options_destroy(options)
        leveldb_cache_destroy(cache)
        leveldb_filterpolicy_destroy(filter)
        leveldb_readoptions_destroy(readOptions)
        leveldb_readoptions_destroy(scanOptions)
        leveldb_writeoptions_destroy(writeAsync)
        leveldb_writeoptions_destroy(writeSync)
        pthread_rwlock_destroy(rw)
        rw.deallocate()
    }

    /// Closes the database (releasing its LOCK) after operations in flight finish. Idempotent.
    public func close() {
        pthread_rwlock_wrlock(rw)
        defer { pthread_rwlock_unlock(rw) }
        if let h = handle {
            leveldb_close(h)
            handle = nil
        }
    }

    public var isOpen: Bool {
        pthread_rwlock_rdlock(rw); defer { pthread_rwlock_unlock(rw) }
        return handle != nil
    }

    @inline(__always)
    private func withHandle<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        pthread_rwlock_rdlock(rw); defer { pthread_rwlock_unlock(rw) }
        guard let h = handle else { throw StorageError.closed }
        return try body(h)
    }

    // MARK: reads

    /// The value stored under `key`, or nil when absent. Read errors and a closed database throw.
    public func value(forKey key: [UInt8]) throws -> [UInt8]? {
        try key.withUnsafeBytes { k in
            try withValue(forKey: k) { v in v.map { Array($0) } }
        }
    }

    /// Passes the value stored under `key` (nil if absent) to `body` without copying it into a
    /// Swift array. The buffer is only valid inside `body`. Read errors and a closed database throw.
    public func withValue<R>(forKey key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        if let faults { try faults.check(.read) }
        var len = 0
        var err: UnsafeMutablePointer<CChar>?
        let v = try withHandle { h in leveldb_get(h, readOptions, Database.cchar(key), key.count, &len, &err) }
        if let e = Database.takeError(&err) { throw StorageError.from(leveldbMessage: e, path: path) }
        guard let v else { return try body(nil) }
        defer { leveldb_free(v) }
        return try body(UnsafeRawBufferPointer(start: v, count: len))
    }

    // MARK: writes

    /// Applies `batch` atomically. With `sync`, returns only after the write reached the disk
    /// (fsync), so it survives a crash of the machine; without, it survives a crash of the process.
    public func write(_ batch: WriteBatch, sync: Bool) throws {
        if let faults {
            try faults.check(.write)
            if sync { try faults.check(.sync) }
        }
        var err: UnsafeMutablePointer<CChar>?
        try withHandle { h in leveldb_write(h, sync ? writeSync : writeAsync, batch.box.ptr, &err) }
        if let e = Database.takeError(&err) { throw StorageError.from(leveldbMessage: e, path: path) }
    }

    public func put(_ key: [UInt8], _ value: [UInt8], sync: Bool = false) throws {
        var b = WriteBatch()
        b.put(key, value)
        try write(b, sync: sync)
    }

    public func delete(_ key: [UInt8], sync: Bool = false) throws {
        var b = WriteBatch()
        b.delete(key)
        try write(b, sync: sync)
    }

    // MARK: iteration

    /// Runs `body` with a cursor over a consistent view of the database (the state when the
    /// cursor was created). The cursor is invalid after `body` returns.
    /// `fillCache: false` keeps a long scan from evicting hot blocks from the block cache.
    public func withCursor<R>(fillCache: Bool = true, _ body: (Cursor) throws -> R) throws -> R {
        if let faults { try faults.check(.read) }
        return try withHandle { h in
            let it = leveldb_create_iterator(h, fillCache ? readOptions : scanOptions)!
            let cursor = Cursor(it)
            defer {
                cursor.invalidate()
                leveldb_iter_destroy(it)
            }
            let r = try body(cursor)
            if let e = cursor.error() { throw StorageError.from(leveldbMessage: e, path: path) }
            return r
        }
    }

    /// Visits keys ≥ `start` in order while `while(key)` holds and `body` returns true.
    public func scan(from start: [UInt8], while condition: ([UInt8]) -> Bool = { _ in true },
                     _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        try withCursor(fillCache: false) { c in
            c.seek(start)
            while c.isValid {
                let k = c.key
                guard condition(k) else { break }
                guard try body(k, c.value) else { break }
                c.next()
            }
        }
    }

    /// Visits every key starting with `prefix`, in order, until `body` returns false.
    public func scan(prefix: [UInt8], _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Bool) throws {
        try withCursor(fillCache: false) { c in
            c.seek(prefix)
            while c.isValid, c.keyHasPrefix(prefix) {
                guard try body(c.key, c.value) else { break }
                c.next()
            }
        }
    }

    // MARK: maintenance

    /// A LevelDB property such as "leveldb.stats", "leveldb.sstables",
    /// "leveldb.approximate-memory-usage", or nil.
    public func property(_ name: String) -> String? {
        guard let p = try? withHandle({ h in leveldb_property_value(h, name) }) else { return nil }
        defer { leveldb_free(p) }
        return String(cString: p)
    }

    /// Compacts the whole key range (drops deleted data from disk).
    public func compact() throws {
        try withHandle { h in leveldb_compact_range(h, nil, 0, nil, 0) }
    }

    /// Deletes the database's files (it must not be open).
    public static func destroy(path: String) throws {
        let o = leveldb_options_create()
        defer { leveldb_options_destroy(o) }
        var err: UnsafeMutablePointer<CChar>?
        leveldb_destroy_db(o, path, &err)
        if let e = takeError(&err) { throw StorageError.from(leveldbMessage: e, path: path) }
    }

    // MARK: helpers

    static func takeError(_ err: inout UnsafeMutablePointer<CChar>?) -> String? {
        guard let e = err else { return nil }
        defer { leveldb_free(e); err = nil }
        return String(cString: e)
    }

    @inline(__always)
    static func cchar(_ b: UnsafeRawBufferPointer) -> UnsafePointer<CChar>? {
        b.baseAddress?.assumingMemoryBound(to: CChar.self)
    }

    @inline(__always)
    static func bytes(_ p: UnsafePointer<CChar>?, _ n: Int) -> [UInt8] {
        guard let p, n > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}

/// A position in a database (see `Database.withCursor`). Only valid inside the closure that
/// received it; afterwards it behaves as positioned past the end.
public final class Cursor {
    private var it: OpaquePointer?

    init(_ it: OpaquePointer) { self.it = it }

    func invalidate() { it = nil }

    func error() -> String? {
        guard let it else { return nil }
        var err: UnsafeMutablePointer<CChar>?
        leveldb_iter_get_error(it, &err)
        return Database.takeError(&err)
    }

    public var isValid: Bool {
        guard let it else { return false }
        return leveldb_iter_valid(it) != 0
    }

    public func seekToFirst() { if let it { leveldb_iter_seek_to_first(it) } }
    public func seekToLast() { if let it { leveldb_iter_seek_to_last(it) } }

    /// Moves to the first key ≥ `key`.
    public func seek(_ key: [UInt8]) { key.withUnsafeBytes { seek($0) } }
    public func seek(_ key: UnsafeRawBufferPointer) {
        if let it { leveldb_iter_seek(it, Database.cchar(key), key.count) }
    }

    public func next() { if let it, leveldb_iter_valid(it) != 0 { leveldb_iter_next(it) } }
    public func prev() { if let it, leveldb_iter_valid(it) != 0 { leveldb_iter_prev(it) } }

    /// The current key ([] when not valid).
    public var key: [UInt8] { withKey { Array($0) } }
    /// The current value ([] when not valid).
    public var value: [UInt8] { withValue { Array($0) } }

    /// The current key without copying; valid only inside `body` and until the cursor moves.
    public func withKey<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard let it, leveldb_iter_valid(it) != 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        var n = 0
        let p = leveldb_iter_key(it, &n)
        return try body(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// The current value without copying; valid only inside `body` and until the cursor moves.
    public func withValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        guard let it, leveldb_iter_valid(it) != 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        var n = 0
        let p = leveldb_iter_value(it, &n)
        return try body(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// Whether the cursor is valid and its key starts with `prefix`.
    public func keyHasPrefix(_ prefix: [UInt8]) -> Bool {
        prefix.withUnsafeBytes { keyHasPrefix($0) }
    }

    public func keyHasPrefix(_ prefix: UnsafeRawBufferPointer) -> Bool {
        guard isValid else { return false }
        return withKey { k in
            k.count >= prefix.count && (prefix.count == 0 || memcmp(k.baseAddress!, prefix.baseAddress!, prefix.count) == 0)
        }
    }
}
