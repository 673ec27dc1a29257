/// The 2048-bit logs bloom of receipts and block headers (Yellow Paper §4.3.1): each added
/// value sets three bits, chosen by the low 11 bits of the first three byte pairs of its keccak.
public struct Bloom: Hashable, Sendable {
    /// 256 bytes, big-endian bit order (bit 0 is the last byte's lowest bit).
    public private(set) var bytes: [UInt8]

    public static let byteCount = 256
    public static let empty = Bloom()

    public init() { bytes = [UInt8](repeating: 0, count: Bloom.byteCount) }

    /// Exactly 256 bytes; nil otherwise.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == Bloom.byteCount else { return nil }
        self.bytes = Array(bytes)
    }

    /// The bloom of all addresses and topics of `logs`.
    public init<S: Sequence>(logs: S) where S.Element == Log {
        self.init()
        for l in logs { add(log: l) }
    }

    /// The three (byte index, mask) positions of a value.
    @inline(__always)
    static func positions<C: Collection>(_ value: C) -> ((Int, UInt8), (Int, UInt8), (Int, UInt8)) where C.Element == UInt8 {
        let h = Keccak256.hash(value)
        @inline(__always) func at(_ i: Int) -> (Int, UInt8) {
            let bit = (Int(h[i]) << 8 | Int(h[i + 1])) & 2047
            return (Bloom.byteCount - 1 - bit / 8, UInt8(1) << UInt8(bit % 8))
        }
        return (at(0), at(2), at(4))
    }

    /// Adds a raw value (an address's 20 bytes or a topic's 32).
    public mutating func add<C: Collection>(_ value: C) where C.Element == UInt8 {
        let p = Bloom.positions(value)
        bytes[p.0.0] |= p.0.1
        bytes[p.1.0] |= p.1.1
        bytes[p.2.0] |= p.2.1
    }

    public mutating func add(address: Address) { add(address.bytes) }
    public mutating func add(topic: Hash) { add(topic.bytes) }

    /// Adds a log's address and each of its topics.
    public mutating func add(log: Log) {
        add(address: log.address)
        for t in log.topics { add(topic: t) }
    }

    /// Whether `value` may have been added (false means certainly not).
    public func contains<C: Collection>(_ value: C) -> Bool where C.Element == UInt8 {
        let p = Bloom.positions(value)
        return bytes[p.0.0] & p.0.1 != 0 && bytes[p.1.0] & p.1.1 != 0 && bytes[p.2.0] & p.2.1 != 0
    }

    public func contains(address: Address) -> Bool { contains(address.bytes) }
    public func contains(topic: Hash) -> Bool { contains(topic.bytes) }

    /// Whether every bit of `other` is set here.
    public func contains(_ other: Bloom) -> Bool {
        for i in 0..<Bloom.byteCount where bytes[i] & other.bytes[i] != other.bytes[i] { return false }
        return true
    }

    public mutating func formUnion(_ other: Bloom) {
        for i in 0..<Bloom.byteCount { bytes[i] |= other.bytes[i] }
    }

    public func union(_ other: Bloom) -> Bloom {
        var b = self
        b.formUnion(other)
        return b
    }

    public var isEmpty: Bool { bytes.allSatisfy { $0 == 0 } }

    /// `0x` + 512 hex digits.
    public var hex: String { Hex.encode(bytes) }
}

extension Bloom: CustomStringConvertible {
    public var description: String { hex }
}
