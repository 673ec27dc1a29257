/// The Solidity contract ABI: types, values, encoding, strict decoding, selectors, event
/// topics and revert data.
///
/// Decoding follows solc's ABI coder v2 (the default since Solidity 0.8) when `strict` is
/// true: too-short input, an offset or length pointing outside the input, and a static value
/// with dirty bits (an address above 2^160, a bool other than 0/1, a `uint8` above 255, a
/// `bytes4` with bytes set past the fourth, an `int8` that is not sign-extended) are errors.
/// With `strict` false it behaves like the old coder v1 (Solidity ≤ 0.7's default), which
/// cleans static values instead of rejecting them; bounds are still checked.
///
/// Decoding never traps on input: every failure is an `ABIError`.

// MARK: - Types

public indirect enum ABIType: Hashable, Sendable {
    /// `uintN`, N a multiple of 8 in 8…256.
    case uint(Int)
    /// `intN`, N a multiple of 8 in 8…256.
    case int(Int)
    case address
    case bool
    /// `bytesN`, N in 1…32.
    case fixedBytes(Int)
    case bytes
    case string
    /// `T[]`
    case array(ABIType)
    /// `T[k]`
    case fixedArray(ABIType, Int)
    /// `(T1,…,Tn)`
    case tuple([ABIType])

    public static let uint256 = ABIType.uint(256)
    public static let int256 = ABIType.int(256)
    public static let bytes4 = ABIType.fixedBytes(4)
    public static let bytes32 = ABIType.fixedBytes(32)

    /// True when the encoding has a variable size (and is reached through an offset).
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: return true
        case .fixedArray(let t, let k): return k > 0 && t.isDynamic
        case .tuple(let ts): return ts.contains(where: { $0.isDynamic })
        default: return false
        }
    }

    /// Bytes the type takes in the head of an enclosing tuple.
    public var headSize: Int {
        if isDynamic { return 32 }
        switch self {
        case .fixedArray(let t, let k): return t.headSize * k
        case .tuple(let ts): return ts.reduce(0) { $0 + $1.headSize }
        default: return 32
        }
    }

    /// Parses a canonical or shorthand type name: `uint256`, `uint` (= uint256), `int`,
    /// `address`, `bool`, `bytes`, `string`, `bytes32`, `uint32[]`, `address[3]`,
    /// `(address,uint256)[]`. Nil for anything else.
    public init?(_ text: String) {
        var p = ABITypeParser(Array(text.utf8))
        guard let t = p.parseType(), p.atEnd else { return nil }
        self = t
    }
}

extension ABIType: CustomStringConvertible {
    /// Canonical name as used in signatures (`uint256`, `(address,uint256)[]`).
    public var description: String {
        switch self {
        case .uint(let n): return "uint\(n)"
        case .int(let n): return "int\(n)"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes(let n): return "bytes\(n)"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array(let t): return "\(t)[]"
        case .fixedArray(let t, let k): return "\(t)[\(k)]"
        case .tuple(let ts): return "(" + ts.map(\.description).joined(separator: ",") + ")"
        }
    }
}

/// Recursive-descent parser for type names and signatures.
struct ABITypeParser {
    let s: [UInt8]
    var i = 0
    init(_ s: [UInt8]) { self.s = s }
    var atEnd: Bool { i == s.count }

    mutating func parseType() -> ABIType? {
        var base: ABIType
        if i < s.count && s[i] == UInt8(ascii: "(") {
            i += 1
            var parts: [ABIType] = []
            if i < s.count && s[i] == UInt8(ascii: ")") {
                i += 1
            } else {
                while true {
                    guard let t = parseType() else { return nil }
                    parts.append(t)
                    guard i < s.count else { return nil }
                    if s[i] == UInt8(ascii: ",") { i += 1; continue }
                    if s[i] == UInt8(ascii: ")") { i += 1; break }
                    return nil
                }
            }
            base = .tuple(parts)
        } else {
            let start = i
            while i < s.count, isIdent(s[i]) { i += 1 }
            guard i > start, let b = Self.elementary(String(decoding: s[start..<i], as: UTF8.self)) else { return nil }
            base = b
        }
        // array suffixes
        while i < s.count && s[i] == UInt8(ascii: "[") {
            i += 1
            let start = i
            while i < s.count, s[i] >= 48 && s[i] <= 57 { i += 1 }
            guard i < s.count && s[i] == UInt8(ascii: "]") else { return nil }
            if start == i {
                base = .array(base)
            } else {
                guard i - start <= 9, let k = Int(String(decoding: s[start..<i], as: UTF8.self)), k > 0 else { return nil }
                base = .fixedArray(base, k)
            }
            i += 1
        }
        return base
    }

    private func isIdent(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95
    }

    static func elementary(_ name: String) -> ABIType? {
        switch name {
        case "address": return .address
        case "bool": return .bool
        case "bytes": return .bytes
        case "string": return .string
        case "uint": return .uint(256)
        case "int": return .int(256)
        case "function": return .fixedBytes(24)
        default: break
        }
        func bits(_ prefix: String) -> Int? {
            guard name.hasPrefix(prefix) else { return nil }
            let rest = name.dropFirst(prefix.count)
            guard !rest.isEmpty, rest.first != "0", rest.count <= 3, let n = Int(rest) else { return nil }
            return n
        }
        if let n = bits("uint") { return (n % 8 == 0 && n >= 8 && n <= 256) ? .uint(n) : nil }
        if let n = bits("int") { return (n % 8 == 0 && n >= 8 && n <= 256) ? .int(n) : nil }
        if let n = bits("bytes") { return (n >= 1 && n <= 32) ? .fixedBytes(n) : nil }
        return nil
    }
}

// MARK: - Values

public indirect enum ABIValue: Hashable, Sendable {
    case uint(UInt256)
    /// Two's-complement bit pattern of a signed value (sign-extended to 256 bits).
    case int(UInt256)
    case address(Address)
    case bool(Bool)
    /// `bytesN`: exactly N bytes.
    case fixedBytes([UInt8])
    case bytes([UInt8])
    case string(String)
    /// Elements of `T[]` or `T[k]`.
    case array([ABIValue])
    case tuple([ABIValue])

    /// A signed value from a Swift Int.
    public static func signed(_ v: Int) -> ABIValue {
        v >= 0 ? .int(UInt256(UInt64(v))) : .int(UInt256.zero &- UInt256(UInt64(v.magnitude)))
    }

    public var uintValue: UInt256? { if case .uint(let v) = self { return v }; return nil }
    public var addressValue: Address? { if case .address(let a) = self { return a }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var bytesValue: [UInt8]? {
        switch self {
        case .bytes(let b), .fixedBytes(let b): return b
        default: return nil
        }
    }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var arrayValue: [ABIValue]? {
        switch self {
        case .array(let a), .tuple(let a): return a
        default: return nil
        }
    }
}

// MARK: - Errors

public enum ABIError: Error, Hashable, Sendable {
    /// The input ends before the head (or a word) of the value.
    case tooShort
    /// A dynamic value's offset points outside the input.
    case offsetOutOfRange
    /// A dynamic value's length runs past the end of the input.
    case lengthOutOfRange
    /// A static value with dirty bits (strict decoding only).
    case dirtyValue
    /// A length so large that solc's decoder fails to allocate memory for it: the contract
    /// reverts with `Panic(0x41)` rather than with empty data.
    case allocationTooLarge
    /// Encoding: a value does not fit its type.
    case typeMismatch
    /// A type name or signature that does not parse.
    case invalidType(String)
}

// MARK: - ABI

public enum ABI {
    // MARK: selectors and topics

    /// First 4 bytes of keccak256 of a canonical signature, e.g. `transfer(address,uint256)`.
    public static func selector(_ signature: String) -> [UInt8] {
        Array(Keccak256.hash(Array(signature.utf8)).prefix(4))
    }

    /// The selector as a big-endian 32-bit number.
    public static func selectorValue(_ signature: String) -> UInt32 { selectorValue(of: selector(signature)) }

    /// Four selector bytes as a big-endian 32-bit number.
    public static func selectorValue(of s: [UInt8]) -> UInt32 {
        UInt32(s[0]) << 24 | UInt32(s[1]) << 16 | UInt32(s[2]) << 8 | UInt32(s[3])
    }

    /// keccak256 of an event signature: the event's topic 0.
    public static func eventTopic(_ signature: String) -> Hash {
        Hash.keccak(Array(signature.utf8))
    }

    /// Parses `name(type,…)` into the name and argument types.
    public static func parseSignature(_ signature: String) throws(ABIError) -> (name: String, types: [ABIType]) {
        let u = Array(signature.utf8)
        guard let open = u.firstIndex(of: UInt8(ascii: "(")), open > 0 else { throw .invalidType(signature) }
        var p = ABITypeParser(Array(u[open...]))
        guard let t = p.parseType(), p.atEnd, case .tuple(let ts) = t else { throw .invalidType(signature) }
        return (String(decoding: u[..<open], as: UTF8.self), ts)
    }

    /// The canonical form of a signature (`transfer(address,uint)` → `transfer(address,uint256)`).
    public static func canonicalSignature(_ signature: String) throws(ABIError) -> String {
        let (name, types) = try parseSignature(signature)
        return name + ABIType.tuple(types).description
    }

    // MARK: revert data

    /// `Error(string)` selector 0x08c379a0.
    public static let errorSelector: [UInt8] = [0x08, 0xc3, 0x79, 0xa0]
    /// `Panic(uint256)` selector 0x4e487b71.
    public static let panicSelector: [UInt8] = [0x4e, 0x48, 0x7b, 0x71]

    /// Revert data for `revert("reason")` / `require(…, "reason")`.
    public static func encodeError(_ reason: String) -> [UInt8] {
        var out = errorSelector
        out.reserveCapacity(4 + 64 + (reason.utf8.count + 31) / 32 * 32)
        appendWord(UInt256(32), to: &out)
        appendBytesTail(Array(reason.utf8), to: &out)
        return out
    }

    /// Revert data for a Solidity ≥ 0.8 panic (0x11 overflow, 0x12 division by zero, 0x32
    /// array index, 0x41 memory allocation…).
    public static func encodePanic(_ code: UInt64) -> [UInt8] {
        panicSelector + UInt256(code).bytes32
    }

    /// The reason of `Error(string)` revert data; nil for anything else.
    public static func decodeRevertReason<C: Collection>(_ data: C) -> String? where C.Element == UInt8 {
        let d = Array(data)
        guard d.count >= 4, Array(d[0..<4]) == errorSelector,
              let v = try? decode([.string], d, offset: 4), case .string(let s) = v[0] else { return nil }
        return s
    }

    /// The code of `Panic(uint256)` revert data; nil for anything else.
    public static func decodePanicCode<C: Collection>(_ data: C) -> UInt256? where C.Element == UInt8 {
        let d = Array(data)
        guard d.count == 36, Array(d[0..<4]) == panicSelector else { return nil }
        return UInt256(bigEndian: d[4..<36])
    }

    // MARK: encoding

    /// Appends one 32-byte big-endian word.
    @inlinable public static func appendWord(_ v: UInt256, to out: inout [UInt8]) {
        out.append(contentsOf: v.bytes32)
    }

    /// Appends `length ‖ data ‖ zero padding to 32`.
    public static func appendBytesTail(_ b: [UInt8], to out: inout [UInt8]) {
        appendWord(UInt256(UInt64(b.count)), to: &out)
        out.append(contentsOf: b)
        let pad = (32 - b.count % 32) % 32
        if pad > 0 { out.append(contentsOf: repeatElement(0, count: pad)) }
    }

    /// One word holding an address.
    public static func word(_ a: Address) -> [UInt8] { a.value.bytes32 }
    /// One word holding a bool.
    public static func word(_ b: Bool) -> [UInt8] { UInt256(b ? 1 : 0).bytes32 }
    /// One word holding a uint.
    public static func word(_ v: UInt256) -> [UInt8] { v.bytes32 }

    /// `abi.encode(values…)` for the given types.
    public static func encode(_ types: [ABIType], _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        guard types.count == values.count else { throw .typeMismatch }
        var out: [UInt8] = []
        try encodeTuple(types, values, into: &out)
        return out
    }

    /// `abi.encodeWithSignature(signature, values…)`: selector then the encoded arguments.
    public static func encodeCall(_ signature: String, _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        let (name, types) = try parseSignature(signature)
        var out = selector(name + ABIType.tuple(types).description)
        out += try encode(types, values)
        return out
    }

    static func encodeTuple(_ types: [ABIType], _ values: [ABIValue], into out: inout [UInt8]) throws(ABIError) {
        let base = out.count
        let headSize = types.reduce(0) { $0 + $1.headSize }
        // Heads first (dynamic ones as placeholders), then tails.
        var pending: [(headPos: Int, index: Int)] = []
        for (i, t) in types.enumerated() {
            if t.isDynamic {
                pending.append((out.count, i))
                out.append(contentsOf: repeatElement(0, count: 32))
            } else {
                try encodeStatic(t, values[i], into: &out)
            }
        }
        assert(out.count - base == headSize)
        for (headPos, i) in pending {
            let offset = UInt256(UInt64(out.count - base)).bytes32
            out.replaceSubrange(headPos..<headPos + 32, with: offset)
            try encodeDynamic(types[i], values[i], into: &out)
        }
    }

    static func encodeStatic(_ t: ABIType, _ v: ABIValue, into out: inout [UInt8]) throws(ABIError) {
        switch (t, v) {
        case (.uint(let n), .uint(let x)):
            guard n == 256 || x.bitWidth <= n else { throw .typeMismatch }
            appendWord(x, to: &out)
        case (.int(let n), .int(let x)):
            guard signExtend(x, bits: n) == x else { throw .typeMismatch }
            appendWord(x, to: &out)
        case (.address, .address(let a)):
            appendWord(a.value, to: &out)
        case (.bool, .bool(let b)):
            appendWord(UInt256(b ? 1 : 0), to: &out)
        case (.fixedBytes(let n), .fixedBytes(let b)), (.fixedBytes(let n), .bytes(let b)):
            guard b.count == n else { throw .typeMismatch }
            out.append(contentsOf: b)
            out.append(contentsOf: repeatElement(0, count: 32 - n))
        case (.fixedArray(let et, let k), .array(let items)):
            guard items.count == k else { throw .typeMismatch }
            for item in items { try encodeStatic(et, item, into: &out) }
        case (.tuple(let ts), .tuple(let items)):
            guard ts.count == items.count else { throw .typeMismatch }
            for (et, item) in zip(ts, items) { try encodeStatic(et, item, into: &out) }
        default:
            throw .typeMismatch
        }
    }

    static func encodeDynamic(_ t: ABIType, _ v: ABIValue, into out: inout [UInt8]) throws(ABIError) {
        switch (t, v) {
        case (.bytes, .bytes(let b)):
            appendBytesTail(b, to: &out)
        case (.string, .string(let s)):
            appendBytesTail(Array(s.utf8), to: &out)
        case (.array(let et), .array(let items)):
            appendWord(UInt256(UInt64(items.count)), to: &out)
            try encodeTuple(Array(repeating: et, count: items.count), items, into: &out)
        case (.fixedArray(let et, let k), .array(let items)):
            guard items.count == k else { throw .typeMismatch }
            try encodeTuple(Array(repeating: et, count: k), items, into: &out)
        case (.tuple(let ts), .tuple(let items)):
            guard ts.count == items.count else { throw .typeMismatch }
            try encodeTuple(ts, items, into: &out)
        default:
            throw .typeMismatch
        }
    }

    /// Sign-extends the low `bits` bits of `x` to 256 bits.
    public static func signExtend(_ x: UInt256, bits: Int) -> UInt256 {
        if bits >= 256 { return x }
        let mask = (UInt256.one << bits) &- .one
        let low = x & mask
        return low.bit(bits - 1) ? (low | ~mask) : low
    }

    // MARK: decoding

    /// Decodes `abi.encode(types…)` starting at `offset` of `data` (4 to skip a selector).
    /// Trailing bytes after the values are ignored, as solc does.
    public static func decode<C: Collection>(_ types: [ABIType], _ data: C, offset: Int = 0,
                                             strict: Bool = true) throws(ABIError) -> [ABIValue] where C.Element == UInt8 {
        let bytes = Array(data)
        guard offset >= 0, offset <= bytes.count else { throw .tooShort }
        var d = Decoder(data: bytes, strict: strict)
        return try d.tuple(types, base: offset)
    }

    /// Solc's decoder over a byte buffer. Positions are absolute indices into `data`.
    struct Decoder {
        let data: [UInt8]
        let strict: Bool
        /// Emulates solc's free-memory pointer while decoding calldata into memory, so lengths
        /// that would overflow the allocation give `.allocationTooLarge` (solc: Panic 0x41).
        var freePointer = UInt256(0x80)

        init(data: [UInt8], strict: Bool) { self.data = data; self.strict = strict }

        func word(_ pos: Int) -> UInt256 {
            data.withUnsafeBufferPointer { p in
                func limb(_ at: Int) -> UInt64 {
                    var v: UInt64 = 0
                    for j in 0..<8 { v = v << 8 | UInt64(p[at + j]) }
                    return v
                }
                return UInt256(w0: limb(pos + 24), w1: limb(pos + 16), w2: limb(pos + 8), w3: limb(pos))
            }
        }

        mutating func allocate(_ size: UInt256) throws(ABIError) {
            let (next, overflow) = freePointer.addingReportingOverflow(size)
            guard !overflow, next.bitWidth <= 64 else { throw .allocationTooLarge }
            freePointer = next
        }

        /// Validates a dynamic value's offset (relative to `base`) and returns its absolute
        /// position, which has a full word inside the data.
        func target(_ offsetWord: UInt256, base: Int) throws(ABIError) -> Int {
            guard offsetWord.bitWidth <= 64 else { throw .offsetOutOfRange }
            guard let off = offsetWord.int, off <= data.count, base + off + 32 <= data.count else { throw .offsetOutOfRange }
            return base + off
        }

        mutating func tuple(_ types: [ABIType], base: Int) throws(ABIError) -> [ABIValue] {
            let headSize = types.reduce(0) { $0 + $1.headSize }
            guard data.count - base >= headSize else { throw .tooShort }
            var out: [ABIValue] = []
            out.reserveCapacity(types.count)
            var pos = base
            for t in types {
                if t.isDynamic {
                    let at = try target(word(pos), base: base)
                    out.append(try dynamic(t, at: at))
                } else {
                    out.append(try staticValue(t, at: pos))
                }
                pos += t.headSize
            }
            return out
        }

        func staticValue(_ t: ABIType, at pos: Int) throws(ABIError) -> ABIValue {
            switch t {
            case .fixedArray(let et, let k):
                var items: [ABIValue] = []
                items.reserveCapacity(k)
                for i in 0..<k { items.append(try staticValue(et, at: pos + i * et.headSize)) }
                return .array(items)
            case .tuple(let ts):
                var items: [ABIValue] = []
                var p = pos
                for et in ts { items.append(try staticValue(et, at: p)); p += et.headSize }
                return .tuple(items)
            default:
                guard pos + 32 <= data.count else { throw .tooShort }
                return try elementary(t, word(pos))
            }
        }

        func elementary(_ t: ABIType, _ w: UInt256) throws(ABIError) -> ABIValue {
            switch t {
            case .uint(let n):
                if n == 256 { return .uint(w) }
                let clean = w & ((UInt256.one << n) &- .one)
                if strict && clean != w { throw .dirtyValue }
                return .uint(clean)
            case .int(let n):
                let clean = ABI.signExtend(w, bits: n)
                if strict && clean != w { throw .dirtyValue }
                return .int(clean)
            case .address:
                let a = Address(truncating: w)
                if strict && a.value != w { throw .dirtyValue }
                return .address(a)
            case .bool:
                if strict && w > .one { throw .dirtyValue }
                return .bool(!w.isZero)
            case .fixedBytes(let n):
                let b = w.bytes32
                if strict && b[n...].contains(where: { $0 != 0 }) { throw .dirtyValue }
                return .fixedBytes(Array(b[0..<n]))
            default:
                throw .typeMismatch
            }
        }

        mutating func dynamic(_ t: ABIType, at pos: Int) throws(ABIError) -> ABIValue {
            switch t {
            case .bytes, .string:
                let lenWord = word(pos)
                guard lenWord.bitWidth <= 64 else { throw .allocationTooLarge }
                let rounded = (lenWord &+ UInt256(31)) & ~UInt256(31)
                try allocate(rounded &+ UInt256(32))
                let start = pos + 32
                guard let len = lenWord.int, len <= data.count - start else { throw .lengthOutOfRange }
                let body = Array(data[start..<start + len])
                return t == .bytes ? .bytes(body) : .string(String(decoding: body, as: UTF8.self))
            case .array(let et):
                let lenWord = word(pos)
                guard lenWord.bitWidth <= 64 else { throw .allocationTooLarge }
                try allocate(lenWord &* UInt256(32) &+ UInt256(32))
                let start = pos + 32
                guard let len = lenWord.int, len <= (data.count - start) / max(et.headSize, 1) else { throw .lengthOutOfRange }
                return .array(try elements(et, count: len, base: start))
            case .fixedArray(let et, let k):
                try allocate(UInt256(UInt64(k * 32)))
                return .array(try elements(et, count: k, base: pos))
            case .tuple(let ts):
                try allocate(UInt256(UInt64(ts.count * 32)))
                return .tuple(try tuple(ts, base: pos))
            default:
                throw .typeMismatch
            }
        }

        mutating func elements(_ et: ABIType, count: Int, base: Int) throws(ABIError) -> [ABIValue] {
            guard data.count - base >= count * et.headSize else { throw .lengthOutOfRange }
            var items: [ABIValue] = []
            items.reserveCapacity(count)
            for i in 0..<count {
                let pos = base + i * et.headSize
                if et.isDynamic {
                    let at = try target(word(pos), base: base)
                    items.append(try dynamic(et, at: at))
                } else {
                    items.append(try staticValue(et, at: pos))
                }
            }
            return items
        }
    }
}

// MARK: - Calldata reader

/// Allocation-free reader of a call's arguments, for the hot path of a contract dispatcher:
/// `args.address(0)`, `args.uint(1)`, … read head words directly; `bytes(i)` follows an offset.
/// The same rules as `ABI.decode`: `strict` is solc's coder v2, non-strict is coder v1.
public struct ABICalldata {
    public let data: [UInt8]
    /// Where the arguments start (4: after the selector).
    public let base: Int
    public let strict: Bool
    /// solc's free-memory pointer while copying dynamic arguments to memory (see `ABI.Decoder`).
    var freePointer = UInt256(0x80)

    public init(_ data: [UInt8], base: Int = 4, strict: Bool = true) {
        self.data = data; self.base = base; self.strict = strict
    }

    /// Bytes of arguments available.
    public var argumentsSize: Int { max(0, data.count - base) }

    /// solc's first check: the head of `count` words must be present.
    public func requireHead(words count: Int) throws(ABIError) {
        guard data.count >= base && data.count - base >= count * 32 else { throw .tooShort }
    }

    /// The raw i-th head word.
    public func word(_ i: Int) throws(ABIError) -> UInt256 {
        let pos = base + i * 32
        guard pos >= 0, pos + 32 <= data.count else { throw .tooShort }
        return data.withUnsafeBufferPointer { p in
            func limb(_ at: Int) -> UInt64 {
                var v: UInt64 = 0
                for j in 0..<8 { v = v << 8 | UInt64(p[at + j]) }
                return v
            }
            return UInt256(w0: limb(pos + 24), w1: limb(pos + 16), w2: limb(pos + 8), w3: limb(pos))
        }
    }

    public func uint(_ i: Int) throws(ABIError) -> UInt256 { try word(i) }

    public func address(_ i: Int) throws(ABIError) -> Address {
        let w = try word(i)
        let a = Address(truncating: w)
        if strict && a.value != w { throw .dirtyValue }
        return a
    }

    public func bool(_ i: Int) throws(ABIError) -> Bool {
        let w = try word(i)
        if strict && w > .one { throw .dirtyValue }
        return !w.isZero
    }

    /// `bytesN` (left-aligned in the word).
    public func fixedBytes(_ i: Int, count n: Int) throws(ABIError) -> [UInt8] {
        let b = try word(i).bytes32
        if strict && b[n...].contains(where: { $0 != 0 }) { throw .dirtyValue }
        return Array(b[0..<n])
    }

    /// A `bytes` / `string` argument whose offset is the i-th head word, copied to memory as
    /// solc does (so an absurd length is `.allocationTooLarge`, i.e. Panic 0x41).
    public mutating func bytes(_ i: Int) throws(ABIError) -> [UInt8] {
        let off = try word(i)
        guard off.bitWidth <= 64, let o = off.int, o <= data.count, base + o + 32 <= data.count else { throw .offsetOutOfRange }
        let pos = base + o
        let lenWord = try ABICalldata(data, base: pos, strict: strict).word(0)
        guard lenWord.bitWidth <= 64 else { throw .allocationTooLarge }
        let rounded = (lenWord &+ UInt256(31)) & ~UInt256(31)
        let (next, overflow) = freePointer.addingReportingOverflow(rounded &+ UInt256(32))
        guard !overflow, next.bitWidth <= 64 else { throw .allocationTooLarge }
        freePointer = next
        let start = pos + 32
        guard let len = lenWord.int, len <= data.count - start else { throw .lengthOutOfRange }
        return Array(data[start..<start + len])
    }
}
