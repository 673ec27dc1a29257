/// A 20-byte account address.
public struct Address: Hashable, Comparable, Sendable {
    /// The address as a number below 2^160.
    public let value: UInt256

    /// The low 160 bits of `value`.
    public init(truncating value: UInt256) {
        self.value = UInt256(w0: value.w0, w1: value.w1, w2: value.w2 & 0xffff_ffff, w3: 0)
    }
    /// Exactly 20 bytes; nil otherwise.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 20, let v = UInt256(bigEndian: bytes) else { return nil }
        value = v
    }
    /// `0x` + 40 hex digits in any case (checksums are not enforced; see `init(checksummed:)`).
    public init?(hex: String) {
        guard let b = Hex.decode(hex), b.count == 20 else { return nil }
        self.init(bytes: b)
    }
    /// Like `init(hex:)`, but mixed-case input must carry a valid EIP-55 checksum.
    public init?(checksummed text: String) {
        guard let a = Address(hex: text) else { return nil }
        let body = text.dropFirst(2)
        let mixed = body.contains(where: { $0.isUppercase }) && body.contains(where: { $0.isLowercase })
        if mixed && a.checksummed != text { return nil }
        self = a
    }

    /// The three words that can be non-zero (the top one of `value` is always zero).
    @inlinable public func hash(into h: inout Hasher) {
        h.combine(value.w0); h.combine(value.w1); h.combine(value.w2)
    }

    public static let zero = Address(truncating: .zero)
    public var isZero: Bool { value.isZero }

    public var bytes: [UInt8] {
        var out = [UInt8](); out.reserveCapacity(20)
        value.appendBigEndian(20, to: &out)
        return out
    }
    /// Lowercase `0x` hex.
    public var hex: String { Hex.encode(bytes) }

    /// EIP-55 mixed-case checksum form.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes, prefix: false).utf8)
        let h = Keccak256.hash(lower)
        var out: [UInt8] = [48, 120]
        for (i, c) in lower.enumerated() {
            let nib = (i % 2 == 0) ? h[i / 2] >> 4 : h[i / 2] & 15
            out.append(c >= 97 && nib >= 8 ? c - 32 : c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Shortened form for logs: `0x7099…79C8`.
    public var short: String {
        let c = checksummed
        return "\(c.prefix(6))…\(c.suffix(4))"
    }

    public static func < (a: Address, b: Address) -> Bool { a.value < b.value }
}

extension Address: CustomStringConvertible {
    public var description: String { checksummed }
}
