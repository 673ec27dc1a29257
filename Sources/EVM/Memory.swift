import Primitives
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A frame's byte-addressed memory: one growable buffer, zero-filled, sized in 32-byte words.
/// Expansion gas is computed (`expansionCost`) before the buffer grows.
struct Memory: ~Copyable {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var size: Int = 0
    private var capacity: Int

    init() {
        capacity = 1024
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }
    deinit { base.deallocate() }

    /// Gas of memory of `words` words: 3·w + w²/512.
    @inline(__always) static func cost(words: Int) -> Int { 3 &* words &+ (words &* words) / 512 }

    /// The extra gas to make `[offset, offset+len)` addressable, or nil when the region is
    /// absurd (beyond 2^32 bytes: no gas limit could pay for it). `len == 0` costs nothing.
    @inline(__always) func expansionCost(offset: Int, len: Int) -> Int? {
        if len == 0 { return 0 }
        let end = offset &+ len
        if end <= size { return 0 }
        if end > 0xFFFF_FFFF || end < 0 { return nil }
        let newWords = (end + 31) / 32
        return Memory.cost(words: newWords) - Memory.cost(words: size / 32)
    }

    /// Grows to cover `[offset, offset+len)` (caller charged the gas).
    @inline(__always) mutating func expand(offset: Int, len: Int) {
        if len == 0 { return }
        let end = offset + len
        if end <= size { return }
        let newSize = (end + 31) / 32 * 32
        if newSize > capacity {
            var cap = capacity
            while cap < newSize { cap *= 2 }
            let nb = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
            nb.copyMemory(from: base, byteCount: size)
            base.deallocate()
            base = nb
            capacity = cap
        }
        (base + size).initializeMemory(as: UInt8.self, repeating: 0, count: newSize - size)
        size = newSize
    }

    @inline(__always) func loadWord(_ offset: Int) -> UInt256 {
        let p = base + offset
        return UInt256(w0: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
                       w1: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
                       w2: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                       w3: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
    }

    @inline(__always) func storeWord(_ offset: Int, _ v: UInt256) {
        let p = base + offset
        p.storeBytes(of: v.w3.bigEndian, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: v.w2.bigEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: v.w1.bigEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: v.w0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    @inline(__always) func storeByte(_ offset: Int, _ b: UInt8) { base.storeBytes(of: b, toByteOffset: offset, as: UInt8.self) }

    func read(_ offset: Int, _ len: Int) -> [UInt8] {
        if len == 0 { return [] }
        return Array(UnsafeRawBufferPointer(start: base + offset, count: len))
    }

    /// Copies `src[srcOffset ..< srcOffset+len]` to `offset`, zero-filling past the end of `src`.
    func write(_ offset: Int, _ src: UnsafeRawBufferPointer, srcOffset: Int, len: Int) {
        if len == 0 { return }
        let avail = srcOffset < src.count ? min(len, src.count - srcOffset) : 0
        if avail > 0 { (base + offset).copyMemory(from: src.baseAddress! + srcOffset, byteCount: avail) }
        if avail < len { (base + offset + avail).initializeMemory(as: UInt8.self, repeating: 0, count: len - avail) }
    }

    func write(_ offset: Int, _ src: [UInt8], srcOffset: Int, len: Int) {
        src.withUnsafeBytes { write(offset, $0, srcOffset: srcOffset, len: len) }
    }

    /// MCOPY: overlapping-safe move inside memory.
    func move(to dst: Int, from src: Int, len: Int) {
        if len == 0 { return }
        memmove(base + dst, base + src, len)
    }

    func withBytes<R>(_ offset: Int, _ len: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: len == 0 ? nil : base + offset, count: len))
    }
}
