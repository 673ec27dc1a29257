/// Hex text ↔ bytes.
public enum Hex {
    @inlinable public static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    @usableFromInline static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// `0x`-prefixed lowercase hex of `bytes`.
    public static func encode<C: Collection>(_ bytes: C, prefix: Bool = true) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2 + 2)
        if prefix { out.append(48); out.append(120) }
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex with an optional `0x` prefix. Odd length or a non-hex digit gives nil.
    public static func decode(_ text: String) -> [UInt8]? {
        var u = Substring(text).utf8[...]
        if u.count >= 2, u.first == 48, let x = u.dropFirst().first, x == 120 || x == 88 { u = u.dropFirst(2) }
        guard u.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var it = u.makeIterator()
        while let hi = it.next(), let lo = it.next() {
            guard let h = nibble(hi), let l = nibble(lo) else { return nil }
            out.append(h << 4 | l)
        }
        return out
    }
}

extension Array where Element == UInt8 {
    /// `0x`-prefixed lowercase hex.
    public var hex: String { Hex.encode(self) }
}
