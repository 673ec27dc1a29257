import Primitives

/// A JSON value. Numbers keep their literal text, so integers of any size (2^256 and up) survive
/// a round trip exactly; objects keep their key order, so responses come out in the order they
/// were built (`{"jsonrpc":"2.0","id":1,"result":…}` like geth).
///
/// Equality is semantic for objects (same keys and values, in any order; a key's last
/// occurrence wins) and literal for numbers (`1.0` is not `1`).
public enum JSON: Sendable {
    case null
    case bool(Bool)
    /// The number's literal text, exactly as it appeared (or as built: `JSON(5)` is `"5"`).
    case number(String)
    case string(String)
    case array([JSON])
    /// Key–value pairs in order. Duplicate keys are allowed in the data; lookups take the last.
    case object([(String, JSON)])
}

/// Why a byte sequence is not JSON, and where (0-based byte offset).
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public init(offset: Int, reason: String) { self.offset = offset; self.reason = reason }
    public var description: String { "\(reason) at byte \(offset)" }
}

// MARK: - construction helpers

extension JSON {
    public init(_ v: Int) { self = .number(String(v)) }
    public init(_ v: UInt64) { self = .number(String(v)) }
    public init(_ v: Bool) { self = .bool(v) }
    public init(_ v: String) { self = .string(v) }

    /// Ethereum quantity: `"0x…"`, lowercase, no leading zeros (`"0x0"` for zero).
    public static func quantity(_ v: UInt256) -> JSON { .string(v.hexQuantity) }
    public static func quantity(_ v: UInt64) -> JSON { .string("0x" + String(v, radix: 16)) }
    public static func quantity(_ v: Int) -> JSON { .string("0x" + String(UInt64(clamping: v), radix: 16)) }
    /// Unformatted data: `"0x"` + two lowercase hex digits per byte (`"0x"` when empty).
    public static func data<C: Collection>(_ bytes: C) -> JSON where C.Element == UInt8 { .string(Hex.encode(bytes)) }
    /// A 32-byte hash as `"0x"` + 64 lowercase hex digits.
    public static func hash(_ h: Hash) -> JSON { .string(h.hex) }
    /// An address as `"0x"` + 40 lowercase hex digits (geth's form).
    public static func address(_ a: Address) -> JSON { .string(a.hex) }
}

extension JSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// Keeps the literal's key order.
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(elements) }
}

// MARK: - accessors

extension JSON {
    public var isNull: Bool { if case .null = self { return true }; return false }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// The literal text of a number.
    public var numberText: String? { if case .number(let n) = self { return n }; return nil }
    public var arrayValue: [JSON]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [(String, JSON)]? { if case .object(let o) = self { return o }; return nil }
    public var isObject: Bool { if case .object = self { return true }; return false }
    public var isArray: Bool { if case .array = self { return true }; return false }

    /// A number that is an integer literal (no fraction, no exponent) fitting in `Int`.
    public var intValue: Int? {
        guard case .number(let n) = self else { return nil }
        return Int(n)
    }

    /// The value of `key` in an object (its last occurrence); nil when absent or not an object.
    public subscript(key: String) -> JSON? {
        guard case .object(let pairs) = self else { return nil }
        var i = pairs.count - 1
        while i >= 0 {
            if pairs[i].0 == key { return pairs[i].1 }
            i -= 1
        }
        return nil
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSON? {
        guard case .array(let a) = self, index >= 0, index < a.count else { return nil }
        return a[index]
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

extension JSON: Equatable {
    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            // Fast path: same keys in the same order.
            if x.count == y.count && zip(x, y).allSatisfy({ $0.0 == $1.0 && $0.1 == $1.1 }) { return true }
            let dx = Dictionary(x, uniquingKeysWith: { _, last in last })
            let dy = Dictionary(y, uniquingKeysWith: { _, last in last })
            return dx == dy
        default: return false
        }
    }
}

// MARK: - serializing

extension JSON {
    /// Compact UTF-8 JSON text.
    public func serialized() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(64)
        serialize(into: &out)
        return out
    }

    /// Appends compact UTF-8 JSON text to `out`.
    public func serialize(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: JSONWriter.nullBytes)
        case .bool(let b): out.append(contentsOf: b ? JSONWriter.trueBytes : JSONWriter.falseBytes)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): JSONWriter.writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            var first = true
            for v in a {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                v.serialize(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (k, v) in o {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                v.serialize(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Compact JSON text as a String.
    public var jsonString: String { String(decoding: serialized(), as: UTF8.self) }
}

extension JSON: CustomStringConvertible {
    public var description: String { jsonString }
}

/// Low-level JSON text output, shared by the serializer and the JSON-RPC envelope writer.
public enum JSONWriter {
    static let nullBytes: [UInt8] = Array("null".utf8)
    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `s` as a quoted JSON string: `"` `\` and control characters escaped, everything
    /// else (including non-ASCII) copied as UTF-8.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { writeString(utf8: $0, into: &out) }
    }

    public static func writeString(utf8 p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        let n = p.count
        while i < n {
            let c = p[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C { i += 1; continue }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<i])) }
            out.append(0x5C)
            switch c {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                out.append(UInt8(ascii: "u")); out.append(48); out.append(48)
                out.append(hexDigits[Int(c >> 4)]); out.append(hexDigits[Int(c & 15)])
            }
            i += 1
            runStart = i
        }
        if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[runStart..<n])) }
        out.append(UInt8(ascii: "\""))
    }
}

// MARK: - parsing

extension JSON {
    /// The default nesting limit of `parse`.
    public static let defaultMaxDepth = 64

    /// Parses strict RFC 8259 JSON (UTF-8, one value, optional surrounding whitespace).
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSON {
        var p = JSONParser(UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count),
                           maxDepth: maxDepth)
        return try p.parseDocument()
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSON {
        let r: Result<JSON, JSONError> = bytes.withUnsafeBytes { raw in
            do throws(JSONError) { return .success(try parse(raw, maxDepth: maxDepth)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth) throws(JSONError) -> JSON {
        var text = text
        let r: Result<JSON, JSONError> = text.withUTF8 { p in
            do throws(JSONError) { return .success(try parse(UnsafeRawBufferPointer(p), maxDepth: maxDepth)) } catch { return .failure(error) }
        }
        return try r.get()
    }
}

struct JSONParser {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0
    let maxDepth: Int
    /// Scratch space for strings with escapes, reused.
    var scratch: [UInt8] = []

    init(_ b: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.b = b
        self.maxDepth = maxDepth
    }

    @inline(__always) func fail(_ reason: String, at: Int? = nil) -> JSONError {
        JSONError(offset: at ?? i, reason: reason)
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < b.count {
            let c = b[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    func describe(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16)
    }

    mutating func parseDocument() throws(JSONError) -> JSON {
        skipWhitespace()
        if i >= b.count { throw fail("empty input") }
        let v = try parseValue()
        skipWhitespace()
        if i < b.count { throw fail("unexpected \(describe(b[i])) after the JSON value") }
        return v
    }

    mutating func parseValue() throws(JSONError) -> JSON {
        guard i < b.count else { throw fail("unexpected end of input") }
        switch b[i] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected \(describe(b[i]))")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        let start = i
        guard b.count - i >= n else { throw fail("invalid literal", at: start) }
        let w = word.utf8Start
        for k in 0..<n where b[i + k] != w[k] { throw fail("invalid literal", at: start) }
        i += n
    }

    mutating func enter() throws(JSONError) {
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
    }

    mutating func parseArray() throws(JSONError) -> JSON {
        try enter()
        i += 1  // [
        var items: [JSON] = []
        skipWhitespace()
        if i < b.count && b[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard i < b.count else { throw fail("unterminated array") }
            let c = b[i]
            i += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { break }
            throw fail("expected ',' or ']' in array, got \(describe(c))", at: i - 1)
        }
        depth -= 1
        return .array(items)
    }

    mutating func parseObject() throws(JSONError) -> JSON {
        try enter()
        i += 1  // {
        var pairs: [(String, JSON)] = []
        skipWhitespace()
        if i < b.count && b[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(pairs) }
        pairs.reserveCapacity(4)
        while true {
            skipWhitespace()
            guard i < b.count else { throw fail("unterminated object") }
            guard b[i] == UInt8(ascii: "\"") else { throw fail("expected a string key in object, got \(describe(b[i]))") }
            let key = try parseString()
            skipWhitespace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else {
                throw fail(i < b.count ? "expected ':' after object key, got \(describe(b[i]))" : "unterminated object")
            }
            i += 1
            skipWhitespace()
            pairs.append((key, try parseValue()))
            skipWhitespace()
            guard i < b.count else { throw fail("unterminated object") }
            let c = b[i]
            i += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { break }
            throw fail("expected ',' or '}' in object, got \(describe(c))", at: i - 1)
        }
        depth -= 1
        return .object(pairs)
    }

    mutating func parseNumber() throws(JSONError) -> String {
        let start = i
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, isDigit(b[i]) else { throw fail("invalid number", at: start) }
        if b[i] == UInt8(ascii: "0") {
            i += 1
            if i < b.count && isDigit(b[i]) { throw fail("leading zero in number", at: start) }
        } else {
            while i < b.count && isDigit(b[i]) { i += 1 }
        }
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, isDigit(b[i]) else { throw fail("expected digits after '.'", at: i) }
            while i < b.count && isDigit(b[i]) { i += 1 }
        }
        if i < b.count && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            if i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw fail("expected digits in exponent", at: i) }
            while i < b.count && isDigit(b[i]) { i += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    }

    @inline(__always) func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// Parses a string starting at the opening quote.
    mutating func parseString() throws(JSONError) -> String {
        let open = i
        i += 1
        let start = i
        var ascii = true
        // Fast path: no escapes.
        while i < b.count {
            let c = b[i]
            if c == 0x22 {
                let slice = UnsafeBufferPointer(rebasing: b[start..<i])
                i += 1
                if ascii { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else { throw fail("invalid UTF-8 in string", at: start) }
                return s
            }
            if c == 0x5C { break }
            if c < 0x20 { throw fail("unescaped control character in string") }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        if i >= b.count { throw fail("unterminated string", at: open) }
        // Slow path: escapes. Copy what we have, then decode.
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[start..<i]))
        while true {
            guard i < b.count else { throw fail("unterminated string", at: open) }
            let c = b[i]
            if c == 0x22 { i += 1; break }
            if c < 0x20 { throw fail("unescaped control character in string") }
            if c != 0x5C {
                if c >= 0x80 { ascii = false }
                scratch.append(c); i += 1; continue
            }
            let escAt = i
            i += 1
            guard i < b.count else { throw fail("unterminated string", at: open) }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: escAt)
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // High surrogate: a low one must follow.
                    guard b.count - i >= 6, b[i] == 0x5C, b[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate in \\u escape", at: escAt)
                    }
                    i += 2
                    let low = try hex4(at: escAt)
                    guard low >= 0xDC00 && low < 0xE000 else { throw fail("unpaired surrogate in \\u escape", at: escAt) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw fail("unpaired surrogate in \\u escape", at: escAt)
                }
                appendUTF8(scalar)
            default:
                throw fail("invalid escape '\\\(describe(e).trimmingQuotes)' in string", at: escAt)
            }
        }
        if ascii { return String(decoding: scratch, as: UTF8.self) }
        guard let s = String(validating: scratch, as: UTF8.self) else { throw fail("invalid UTF-8 in string", at: start) }
        return s
    }

    mutating func hex4(at escAt: Int) throws(JSONError) -> UInt32 {
        guard b.count - i >= 4 else { throw fail("truncated \\u escape", at: escAt) }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let n = Hex.nibble(b[i + k]) else { throw fail("invalid \\u escape", at: escAt) }
            v = v << 4 | UInt32(n)
        }
        i += 4
        return v
    }

    mutating func appendUTF8(_ s: UInt32) {
        if s < 0x80 {
            scratch.append(UInt8(s))
        } else if s < 0x800 {
            scratch.append(UInt8(0xC0 | (s >> 6))); scratch.append(UInt8(0x80 | (s & 0x3F)))
        } else if s < 0x10000 {
            scratch.append(UInt8(0xE0 | (s >> 12))); scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        } else {
            scratch.append(UInt8(0xF0 | (s >> 18))); scratch.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F))); scratch.append(UInt8(0x80 | (s & 0x3F)))
        }
    }
}

private extension String {
    var trimmingQuotes: String {
        if hasPrefix("'") && hasSuffix("'") && count >= 2 { return String(dropFirst().dropLast()) }
        return self
    }
}
