import CLevelDB

/// A set of puts and deletes applied atomically by `Database.write`. Later operations on the
/// same key win. A value type: copies are independent (copy-on-write over LevelDB's native
/// batch, which stores each operation in one contiguous buffer — measured faster than keeping
/// a Swift array of operations and converting it at write time, see StorageBenchmarkTests).
public struct WriteBatch {
    final class Box {
        let ptr: OpaquePointer
        init() { ptr = leveldb_writebatch_create() }
        init(copying other: Box) {
            ptr = leveldb_writebatch_create()
            leveldb_writebatch_append(ptr, other.ptr)
        }
        deinit { leveldb_writebatch_destroy(ptr) }
    }

    var box: Box
    /// Number of operations (puts + deletes) added so far.
    public private(set) var count: Int = 0
    /// Bytes of keys and values added so far (an estimate of the batch's size).
    public private(set) var byteCount: Int = 0

    public init() { box = Box() }

    public var isEmpty: Bool { count == 0 }

    private mutating func unique() -> OpaquePointer {
        if !isKnownUniquelyReferenced(&box) { box = Box(copying: box) }
        return box.ptr
    }

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        key.withUnsafeBytes { k in value.withUnsafeBytes { v in put(k, v) } }
    }

    public mutating func put(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        let p = unique()
        leveldb_writebatch_put(p, Database.cchar(key), key.count, Database.cchar(value), value.count)
        count += 1
        byteCount += key.count + value.count
    }

    public mutating func delete(_ key: [UInt8]) {
        key.withUnsafeBytes { delete($0) }
    }

    public mutating func delete(_ key: UnsafeRawBufferPointer) {
        let p = unique()
        leveldb_writebatch_delete(p, Database.cchar(key), key.count)
        count += 1
        byteCount += key.count
    }

    /// Appends every operation of `other` after this batch's own.
    public mutating func append(_ other: WriteBatch) {
        guard !other.isEmpty else { return }
        let p = unique()
        leveldb_writebatch_append(p, other.box.ptr)
        count += other.count
        byteCount += other.byteCount
    }

    /// Removes every operation.
    public mutating func removeAll() {
        if isKnownUniquelyReferenced(&box) { leveldb_writebatch_clear(box.ptr) } else { box = Box() }
        count = 0
        byteCount = 0
    }

    /// One operation, as reported by `forEach`.
    public enum Operation: Equatable {
        case put([UInt8], [UInt8])
        case delete([UInt8])
    }

    /// Visits the operations in order (for diagnostics and tests; not a hot path).
    public func forEach(_ body: (Operation) -> Void) {
        withoutActuallyEscaping(body) { body in
            var ctx = IterateContext(body: body)
            withUnsafeMutablePointer(to: &ctx) { c in
                leveldb_writebatch_iterate(box.ptr, UnsafeMutableRawPointer(c), { state, k, klen, v, vlen in
                    let ctx = state!.assumingMemoryBound(to: IterateContext.self)
                    ctx.pointee.body(.put(Database.bytes(k, klen), Database.bytes(v, vlen)))
                }, { state, k, klen in
                    let ctx = state!.assumingMemoryBound(to: IterateContext.self)
                    ctx.pointee.body(.delete(Database.bytes(k, klen)))
                })
            }
        }
    }

    private struct IterateContext {
        let body: (Operation) -> Void
    }
}
