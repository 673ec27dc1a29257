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

    /// `0x`-prefixed lowercase hex of `bytes`. Generic callers copy into a contiguous buffer
    /// first: one unspecialised iteration per byte through protocol witnesses cost more than
    /// the encoding itself on the JSON-RPC paths.
    public static func encode<C: Collection>(_ bytes: C, prefix: Bool = true) -> String where C.Element == UInt8 {
        if let s = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0), prefix: prefix) }) { return s }
        return Array(bytes).withUnsafeBytes { encode($0, prefix: prefix) }
    }

    public static func encode(_ bytes: [UInt8], prefix: Bool = true) -> String {
        bytes.withUnsafeBytes { encode($0, prefix: prefix) }
    }

    /// The one encoder: writes the UTF-8 straight into the new string's storage.
    public static func encode(_ bytes: UnsafeRawBufferPointer, prefix: Bool = true) -> String {
        let count = bytes.count * 2 + (prefix ? 2 : 0)
        return String(unsafeUninitializedCapacity: count) { out in
            var i = 0
            if prefix { out[0] = 48; out[1] = 120; i = 2 }
            for b in bytes {
                out[i] = digit(b >> 4)
                out[i + 1] = digit(b & 15)
                i += 2
            }
            return count
        }
    }

    @inline(__always) static func digit(_ n: UInt8) -> UInt8 { n < 10 ? 48 + n : 87 + n }

    /// Decodes hex with an optional `0x` prefix. Odd length or a non-hex digit gives nil.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes hex UTF-8 with an optional `0x` prefix. Odd length or a non-hex digit gives nil.
    public static func decode(_ utf8: UnsafeRawBufferPointer) -> [UInt8]? {
        var start = 0
        if utf8.count >= 2, utf8[0] == 48, utf8[1] == 120 || utf8[1] == 88 { start = 2 }
        let digits = utf8.count - start
        guard digits % 2 == 0 else { return nil }
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: digits / 2) { buf, n in
            var i = start, o = 0
            while i < utf8.count {
                guard let h = nibble(utf8[i]), let l = nibble(utf8[i + 1]) else { failed = true; break }
                buf[o] = h << 4 | l
                i += 2; o += 1
            }
            n = o
        }
        return failed ? nil : out
    }
}

extension Array where Element == UInt8 {
    /// `0x`-prefixed lowercase hex.
    public var hex: String { Hex.encode(self) }
}
