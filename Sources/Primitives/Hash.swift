/// A 32-byte value: block and transaction hashes, storage slots, log topics.
public struct Hash: Hashable, Comparable, Sendable {
    public var value: UInt256

    public init(_ value: UInt256) { self.value = value }
    /// Exactly 32 bytes; nil otherwise.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 32, let v = UInt256(bigEndian: bytes) else { return nil }
        value = v
    }
    /// `0x` + 64 hex digits; nil otherwise.
    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == 32 else { return nil }
        self.init(bytes: b)
    }

    public static let zero = Hash(.zero)
    public var bytes: [UInt8] { value.bytes32 }
    public var hex: String { Hex.encode(bytes) }
    public static func < (a: Hash, b: Hash) -> Bool { a.value < b.value }
}

extension Hash: CustomStringConvertible {
    public var description: String { hex }
}

extension Hash {
    /// keccak-256 of `bytes`.
    public static func keccak<C: Collection>(_ bytes: C) -> Hash where C.Element == UInt8 {
        Hash(bytes: Keccak256.hash(bytes))!
    }

    /// keccak-256 of an array, as a Hash (the common case, without the generic path).
    public static func keccak(_ bytes: [UInt8]) -> Hash {
        Hash(bytes: Keccak256.hash(bytes))!
    }
}
