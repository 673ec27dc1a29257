import Foundation

/// The newest values of the state keys read or written at one block (the chain's tip), so
/// reads at the head skip LevelDB's seek. The chain actor moves it forward with each block's
/// writes, applies state cheats to it, and empties it when history is rewritten; readers on
/// any thread fill it from LevelDB only while it still describes the block they read.
final class HeadStateCache: @unchecked Sendable {  // `block` and `values` guarded by `lock`
    private let lock = NSLock()
    private var block: UInt64
    /// key → raw stored value (nil: absent).
    private var values: [Key: [UInt8]?] = [:]

    /// A stored key hashed as one block of bytes (`[UInt8]`'s own hashing feeds the hasher a
    /// byte at a time: 53 rounds for a storage key, the largest cost of a cached read).
    struct Key: Hashable {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        func hash(into h: inout Hasher) { bytes.withUnsafeBytes { h.combine(bytes: $0) } }
    }
    /// Past this many keys the cache stops growing (a devnet's state is far smaller).
    let limit: Int

    init(block: UInt64, limit: Int = 1_000_000) { self.block = block; self.limit = limit }

    /// `.some(value)` when the cache knows `key` at block `b`.
    func get(_ key: [UInt8], at b: UInt64) -> [UInt8]?? {
        lock.lock(); defer { lock.unlock() }
        guard b == block else { return nil }
        return values[Key(key)]
    }

    /// Remembers what LevelDB answered for `key` at `b`, if the cache is still at `b`.
    func fill(_ key: [UInt8], _ value: [UInt8]?, at b: UInt64) {
        lock.lock(); defer { lock.unlock() }
        guard b == block, values.count < limit else { return }
        values[Key(key)] = .some(value)
    }

    /// Block `b` was written on top of the cached block with `writes`.
    func advance(to b: UInt64, writes: [([UInt8], [UInt8]?)]) {
        lock.lock(); defer { lock.unlock() }
        if b == block &+ 1 {
            for (k, v) in writes where values.count < limit || values[Key(k)] != nil { values[Key(k)] = .some(v) }
        } else {
            values.removeAll(keepingCapacity: true)
        }
        block = b
    }

    /// `writes` were made into block `b`'s own state (cheats at the head).
    func apply(_ writes: [([UInt8], [UInt8]?)], at b: UInt64) {
        lock.lock(); defer { lock.unlock() }
        guard b == block else { values.removeAll(keepingCapacity: true); block = b; return }
        for (k, v) in writes { values[Key(k)] = .some(v) }
    }

    /// History was rewritten: nothing cached is known to hold any more.
    func reset(to b: UInt64) {
        lock.lock(); defer { lock.unlock() }
        values.removeAll(keepingCapacity: true)
        block = b
    }
}
