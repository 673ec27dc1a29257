import Primitives

/// A compact binary encoding for the node's own LevelDB records (blocks, receipts,
/// transaction locations). Not a consensus format: consensus encodings are RLP.
struct ByteWriter {
    var bytes: [UInt8] = []
    init(capacity: Int = 128) { bytes.reserveCapacity(capacity) }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func u64(_ v: UInt64) { bytes.append(contentsOf: v.bigEndianBytes) }
    mutating func u256(_ v: UInt256) { let m = v.minimalBytes; bytes.append(UInt8(m.count)); bytes.append(contentsOf: m) }
    mutating func hash(_ h: Hash) { bytes.append(contentsOf: h.bytes) }
    mutating func address(_ a: Address) { bytes.append(contentsOf: a.bytes) }
    mutating func optionalAddress(_ a: Address?) { if let a { u8(1); address(a) } else { u8(0) } }
    mutating func data(_ d: [UInt8]) { u64(UInt64(d.count)); bytes.append(contentsOf: d) }
}

enum DecodeError: Error { case truncated, malformed }

struct ByteReader {
    let bytes: [UInt8]
    var pos = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var isAtEnd: Bool { pos >= bytes.count }
    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, pos + n <= bytes.count else { throw DecodeError.truncated }
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }
    mutating func u8() throws -> UInt8 { try take(1).first! }
    mutating func bool() throws -> Bool { try u8() != 0 }
    mutating func u64() throws -> UInt64 { UInt64(bigEndianBytes: try take(8)) }
    mutating func u256() throws -> UInt256 {
        let n = Int(try u8())
        guard let v = UInt256(bigEndian: try take(n)) else { throw DecodeError.malformed }
        return v
    }
    mutating func hash() throws -> Hash { Hash(bytes: try take(32))! }
    mutating func address() throws -> Address { Address(bytes: try take(20))! }
    mutating func optionalAddress() throws -> Address? { try u8() == 1 ? try address() : nil }
    mutating func data() throws -> [UInt8] {
        let n = try u64()
        guard n <= UInt64(bytes.count - pos) else { throw DecodeError.truncated }
        return Array(try take(Int(n)))
    }
}
