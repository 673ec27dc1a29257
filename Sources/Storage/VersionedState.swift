import Foundation

/// Multi-version key-value state over a `Database`: every write is keyed by (state key, block
/// number) and a read at block N returns the newest version ≤ N.
///
/// Layout (one byte namespace each, `StorageKeys.version` and `StorageKeys.change` by default):
/// - version:  `v ‖ len(key) ‖ key ‖ bigEndian(~block)` → `[]` (tombstone) or `0x01 ‖ value`
/// - change:   `c ‖ bigEndian(block) ‖ len(key) ‖ key` → `[]` (key written in that block)
///
/// `len` is one byte for keys shorter than 255 bytes, else `0xFF ‖ bigEndian(UInt32)`. With the
/// length in front, the versions of one key are contiguous and no key's versions can mix with
/// those of a key it is a prefix of. `~block` makes the newest version sort first, so one seek
/// to `key ‖ ~N` lands on the newest version ≤ N. The change entries let `truncate(above:)`
/// visit only the keys written after N (no scan of the state), and blocks that wrote nothing
/// cost nothing.
public final class VersionedState: Sendable {
    public let db: Database
    public let versionPrefix: UInt8
    public let changePrefix: UInt8

    public init(_ db: Database, versionPrefix: UInt8 = StorageKeys.version, changePrefix: UInt8 = StorageKeys.change) {
        precondition(versionPrefix != changePrefix)
        self.db = db
        self.versionPrefix = versionPrefix
        self.changePrefix = changePrefix
    }

    // MARK: encoding

    @inline(__always)
    static func lengthHeaderSize(_ n: Int) -> Int { n < 255 ? 1 : 5 }

    /// Writes `len(n)` at `p`; returns bytes written.
    @inline(__always)
    static func writeLength(_ n: Int, to p: UnsafeMutableRawPointer) -> Int {
        if n < 255 { p.storeBytes(of: UInt8(n), as: UInt8.self); return 1 }
        p.storeBytes(of: 0xFF, as: UInt8.self)
        p.storeBytes(of: UInt32(n).bigEndian, toByteOffset: 1, as: UInt32.self)
        return 5
    }

    /// Reads `len` at `b[offset...]`: (length, header size), or nil if malformed.
    @inline(__always)
    static func readLength(_ b: UnsafeRawBufferPointer, at offset: Int) -> (Int, Int)? {
        guard offset < b.count else { return nil }
        let first = b[offset]
        if first < 255 { return (Int(first), 1) }
        guard offset + 5 <= b.count else { return nil }
        let n = UInt32(b[offset + 1]) << 24 | UInt32(b[offset + 2]) << 16 | UInt32(b[offset + 3]) << 8 | UInt32(b[offset + 4])
        return (Int(n), 5)
    }

    @inline(__always)
    static func storeBE(_ v: UInt64, _ p: UnsafeMutableRawPointer, _ off: Int) {
        p.storeBytes(of: v.bigEndian, toByteOffset: off, as: UInt64.self)
    }

    @inline(__always)
    static func loadBE(_ b: UnsafeRawBufferPointer, _ off: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(b[off + i]) }
        return v
    }

    /// Builds `prefix ‖ len(key) ‖ key ‖ BE(suffix)` (suffix optional) in a temporary buffer.
    @inline(__always)
    static func withEncodedKey<R>(_ prefix: UInt8, _ key: UnsafeRawBufferPointer, suffix: UInt64?,
                                  _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let size = 1 + lengthHeaderSize(key.count) + key.count + (suffix == nil ? 0 : 8)
        return try withUnsafeTemporaryAllocation(byteCount: size, alignment: 1) { buf in
            let p = buf.baseAddress!
            p.storeBytes(of: prefix, as: UInt8.self)
            var o = 1 + writeLength(key.count, to: p + 1)
            if key.count > 0 { (p + o).copyMemory(from: key.baseAddress!, byteCount: key.count) }
            o += key.count
            if let s = suffix { storeBE(s, p, o) }
            return try body(UnsafeRawBufferPointer(buf))
        }
    }

    /// The database key of `key`'s version at `block`.
    public func versionKey(_ key: [UInt8], block: UInt64) -> [UInt8] {
        key.withUnsafeBytes { k in Self.withEncodedKey(versionPrefix, k, suffix: ~block) { Array($0) } }
    }

    /// The database key of the change entry for `key` at `block`.
    public func changeKey(_ key: [UInt8], block: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 9 + Self.lengthHeaderSize(key.count) + key.count)
        out.withUnsafeMutableBytes { o in
            let p = o.baseAddress!
            p.storeBytes(of: changePrefix, as: UInt8.self)
            Self.storeBE(block, p, 1)
            let h = Self.writeLength(key.count, to: p + 9)
            key.withUnsafeBytes { k in if k.count > 0 { (p + 9 + h).copyMemory(from: k.baseAddress!, byteCount: k.count) } }
        }
        return out
    }

    // MARK: reads

    /// The value of `key` at `block` (its newest version ≤ block), nil if it was never written
    /// by then or its newest version is a deletion. A read error throws: it is never taken for
    /// an absent key.
    public func value(_ key: [UInt8], at block: UInt64) throws -> [UInt8]? {
        try key.withUnsafeBytes { k in
            try withValue(k, at: block) { v in v.map { Array($0) } }
        }
    }

    /// Passes the value of `key` at `block` (nil if absent) to `body` without copying it.
    public func withValue<R>(_ key: UnsafeRawBufferPointer, at block: UInt64,
                             _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        try db.withCursor { c in try Self.find(c, versionPrefix, key, at: block, body) }
    }

    /// Reads several keys at `block` from one consistent view (cheaper than separate reads).
    public func read(_ keys: [[UInt8]], at block: UInt64) throws -> [[UInt8]?] {
        try db.withCursor { c in
            try keys.map { key in
                try key.withUnsafeBytes { k in try Self.find(c, versionPrefix, k, at: block) { $0.map { Array($0) } } }
            }
        }
    }

    @inline(__always)
    static func find<R>(_ c: Cursor, _ vp: UInt8, _ key: UnsafeRawBufferPointer, at block: UInt64,
                        _ body: (UnsafeRawBufferPointer?) throws -> R) throws -> R {
        try withEncodedKey(vp, key, suffix: ~block) { target in
            c.seek(target)
            let hit = c.withKey { found in
                found.count == target.count
                    && memcmp(found.baseAddress!, target.baseAddress!, target.count - 8) == 0
            }
            guard hit else { return try body(nil) }
            return try c.withValue { v in
                guard v.count > 0 else { return try body(nil) }              // tombstone
                return try body(UnsafeRawBufferPointer(rebasing: v[1...]))
            }
        }
    }

    /// Visits every key starting with `prefix` that has a value at `block` (newest version ≤
    /// block, deletions skipped), from one consistent view. Keys come ordered by length, then
    /// bytes.
    public func forEach(prefix: [UInt8], at block: UInt64, _ body: (_ key: [UInt8], _ value: [UInt8]) throws -> Void) throws {
        let vp = versionPrefix
        try db.withCursor(fillCache: false) { c in
            var length = prefix.count
            lengths: while true {
                // Seek to the first key of this length with the prefix.
                var rangeHead = [vp]
                rangeHead.append(contentsOf: Self.encodedLength(length))
                rangeHead.append(contentsOf: prefix)
                c.seek(rangeHead)
                while true {
                    guard c.isValid else { break lengths }
                    // Where did we land?
                    let landed: (len: Int, header: Int)? = c.withKey { k in
                        guard k.count > 0, k[0] == vp, let (n, h) = Self.readLength(k, at: 1) else { return nil }
                        return (n, h)
                    }
                    guard let landed else { break lengths }
                    if landed.len > length {
                        length = landed.len            // no (more) keys of this length: jump
                        continue lengths
                    }
                    guard landed.len == length else { break lengths }   // cannot happen: keys are ordered
                    guard c.keyHasPrefix(rangeHead) else {
                        guard length < Int(UInt32.max) else { break lengths }
                        length += 1                     // past the prefix for this length
                        continue lengths
                    }
                    let keyEnd = 1 + landed.header + length
                    let stateKey: [UInt8]? = c.withKey { k in k.count == keyEnd + 8 ? Array(k[(1 + landed.header)..<keyEnd]) : nil }
                    guard let stateKey else { c.next(); continue }       // malformed entry: skip it
                    // Newest version ≤ block, then skip past all of this key's versions.
                    let v: [UInt8]? = try stateKey.withUnsafeBytes { k in
                        try Self.find(c, vp, k, at: block) { $0.map { Array($0) } }
                    }
                    if let v { try body(stateKey, v) }
                    var skip = [UInt8](repeating: 0, count: keyEnd + 9)
                    stateKey.withUnsafeBytes { k in
                        Self.withEncodedKey(vp, k, suffix: nil) { e in
                            skip.withUnsafeMutableBytes { s in
                                s.copyMemory(from: e)
                                for i in keyEnd..<(keyEnd + 8) { s[i] = 0xFF }
                            }
                        }
                    }
                    c.seek(skip)
                }
            }
        }
    }

    /// Every stored version of `key`, newest block first: (block, value), nil for a deletion.
    /// For maintenance (rewriting a key's history), not for reads at a block.
    public func versions(of key: [UInt8]) throws -> [(block: UInt64, value: [UInt8]?)] {
        var prefix = [versionPrefix]
        prefix.append(contentsOf: Self.encodedLength(key.count))
        prefix.append(contentsOf: key)
        var out: [(block: UInt64, value: [UInt8]?)] = []
        try db.scan(prefix: prefix) { k, v in
            guard k.count == prefix.count + 8 else { return true }
            let block = ~k.withUnsafeBytes { Self.loadBE($0, prefix.count) }
            out.append((block, v.isEmpty ? nil : Array(v.dropFirst())))
            return true
        }
        return out
    }

    static func encodedLength(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: lengthHeaderSize(n))
        out.withUnsafeMutableBytes { _ = writeLength(n, to: $0.baseAddress!) }
        return out
    }

    // MARK: writes

    /// Adds to `batch` the writes of `block` (nil = delete) and their change entries. Calling it
    /// again for the same block (in this batch or a later one) adds to that block's changes;
    /// a later write of the same key at the same block replaces the earlier one.
    public func stage(_ writes: [([UInt8], [UInt8]?)], block: UInt64, into batch: inout WriteBatch) {
        for (k, v) in writes { stage(k, v, block: block, into: &batch) }
    }

    /// Adds one write (nil = delete) at `block` to `batch`.
    public func stage(_ key: [UInt8], _ value: [UInt8]?, block: UInt64, into batch: inout WriteBatch) {
        key.withUnsafeBytes { k in
            let h = Self.lengthHeaderSize(k.count)
            let size = 1 + h + k.count + 8
            withUnsafeTemporaryAllocation(byteCount: size, alignment: 1) { buf in
                let p = buf.baseAddress!
                // version key
                p.storeBytes(of: versionPrefix, as: UInt8.self)
                _ = Self.writeLength(k.count, to: p + 1)
                if k.count > 0 { (p + 1 + h).copyMemory(from: k.baseAddress!, byteCount: k.count) }
                Self.storeBE(~block, p, 1 + h + k.count)
                let vkey = UnsafeRawBufferPointer(buf)
                if let value {
                    Self.withTaggedValue(value) { batch.put(vkey, $0) }
                } else {
                    batch.put(vkey, UnsafeRawBufferPointer(start: nil, count: 0))
                }
                // change key: same bytes, with the block moved to the front
                p.storeBytes(of: changePrefix, as: UInt8.self)
                Self.storeBE(block, p, 1)
                _ = Self.writeLength(k.count, to: p + 9)
                if k.count > 0 { (p + 9 + h).copyMemory(from: k.baseAddress!, byteCount: k.count) }
                batch.put(UnsafeRawBufferPointer(buf), UnsafeRawBufferPointer(start: nil, count: 0))
            }
        }
    }

    @inline(__always)
    static func withTaggedValue<R>(_ value: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        value.withUnsafeBytes { v in
            withUnsafeTemporaryAllocation(byteCount: v.count + 1, alignment: 1) { buf in
                buf[0] = 1
                if v.count > 0 { (buf.baseAddress! + 1).copyMemory(from: v.baseAddress!, byteCount: v.count) }
                return body(UnsafeRawBufferPointer(buf))
            }
        }
    }

    /// Adds to `batch` the deletion of every version (and change entry) of blocks > `block`,
    /// visiting only the change entries of those blocks. Returns the number of versions removed.
    /// Combine it with the deletion of the blocks themselves in one batch for an atomic revert.
    @discardableResult
    public func stageTruncate(above block: UInt64, into batch: inout WriteBatch) throws -> Int {
        guard block < UInt64.max else { return 0 }
        let cp = changePrefix, vp = versionPrefix
        var removed = 0
        var start = [UInt8](repeating: 0, count: 9)
        start[0] = cp
        start.withUnsafeMutableBytes { Self.storeBE(block + 1, $0.baseAddress!, 1) }
        try db.withCursor(fillCache: false) { c in
            c.seek(start)
            while c.isValid {
                let done: Bool = c.withKey { k in
                    guard k.count >= 10, k[0] == cp else { return true }
                    if let (n, h) = Self.readLength(k, at: 9), 9 + h + n == k.count {
                        let b = Self.loadBE(k, 1)
                        // version key: vp ‖ len ‖ key ‖ ~b
                        withUnsafeTemporaryAllocation(byteCount: k.count, alignment: 1) { buf in
                            let p = buf.baseAddress!
                            p.storeBytes(of: vp, as: UInt8.self)
                            (p + 1).copyMemory(from: k.baseAddress! + 9, byteCount: h + n)
                            Self.storeBE(~b, p, 1 + h + n)
                            batch.delete(UnsafeRawBufferPointer(buf))
                        }
                        removed += 1
                    }
                    batch.delete(k)
                    return false
                }
                if done { break }
                c.next()
            }
        }
        return removed
    }

    /// Deletes every version of blocks > `block` in one atomic write (evm_revert, anvil_reset).
    /// `head` is not needed (the change entries say which blocks wrote anything); it is accepted
    /// so callers can state their intent. Returns the number of versions removed.
    @discardableResult
    public func truncate(above block: UInt64, head: UInt64? = nil, sync: Bool = false) throws -> Int {
        var batch = WriteBatch()
        let n = try stageTruncate(above: block, into: &batch)
        if !batch.isEmpty { try db.write(batch, sync: sync) }
        return n
    }

    /// The state keys written in `block` (from its change entries), in key order.
    public func changedKeys(in block: UInt64) throws -> [[UInt8]] {
        var prefix = [UInt8](repeating: 0, count: 9)
        prefix[0] = changePrefix
        prefix.withUnsafeMutableBytes { Self.storeBE(block, $0.baseAddress!, 1) }
        var out: [[UInt8]] = []
        try db.scan(prefix: prefix) { k, _ in
            k.withUnsafeBytes { kb in
                if let (n, h) = Self.readLength(kb, at: 9), 9 + h + n == kb.count { out.append(Array(kb[(9 + h)...])) }
            }
            return true
        }
        return out
    }
}
