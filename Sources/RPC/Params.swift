import Primitives

/// A request's parameters, with typed positional access. Every accessor throws
/// `RPCError.invalidParams` naming the parameter (0-based, as geth counts), e.g.
/// `invalid params: param 1: expected hex quantity, got "0xzz"`.
///
/// `optional…` accessors return nil when the parameter is absent or `null`.
public struct Params: Sendable {
    /// The `params` member: an array (positional) or an object (named); `[]` when absent.
    public let raw: JSON
    /// The method being called.
    public let method: String
    /// The connection the request came in on: the WebSocket for subscriptions, nil over HTTP.
    public let connection: (any RPCConnection)?

    public init(_ raw: JSON = .array([]), method: String = "", connection: (any RPCConnection)? = nil) {
        self.raw = raw
        self.method = method
        self.connection = connection
    }

    /// Positional parameters (elements of an array; 0 for named params).
    public var count: Int { raw.arrayValue?.count ?? 0 }

    /// The parameter at `i`, nil when absent.
    public subscript(i: Int) -> JSON? { raw[i] }

    /// True when parameter `i` is absent or null.
    public func isAbsent(_ i: Int) -> Bool {
        guard let v = raw[i] else { return true }
        return v.isNull
    }

    /// Rejects named params (an object) for a method that reads none of its params by name, so
    /// they are not silently ignored; how many positional params may come is the method's
    /// declaration (`MethodTable.register(_:maxParams:…)`).
    public func requirePositional() throws(RPCError) {
        if case .object = raw { throw .invalidParams("expected positional params (an array), got an object") }
    }

    /// Rejects more than `n` positional params where the limit depends on an earlier param
    /// (eth_subscribe's `newHeads` takes no filter, `logs` one); a method's own limit is its
    /// declaration's `maxParams`, checked before the handler runs.
    public func requireCount(atMost n: Int) throws(RPCError) {
        try requirePositional()
        if count > n { throw .invalidParams("too many params: want at most \(n), got \(count)") }
    }

    /// Parameter `i`, required (absent or null is an error).
    public func value(_ i: Int) throws(RPCError) -> JSON {
        if case .object = raw { throw .invalidParams("expected positional params (an array), got an object") }
        guard let v = raw[i], !v.isNull else { throw .invalidParams("param \(i): missing value") }
        return v
    }

    private func optionalValue(_ i: Int) throws(RPCError) -> JSON? {
        if case .object = raw { throw .invalidParams("expected positional params (an array), got an object") }
        guard let v = raw[i], !v.isNull else { return nil }
        return v
    }

    private func name(_ i: Int) -> String { "param \(i)" }

    public func quantity(_ i: Int) throws(RPCError) -> UInt256 { try ParamDecoder.quantity(try value(i), name(i)) }
    public func optionalQuantity(_ i: Int) throws(RPCError) -> UInt256? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.quantity(v, name(i))
    }
    public func uint64(_ i: Int) throws(RPCError) -> UInt64 { try ParamDecoder.uint64(try value(i), name(i)) }
    public func optionalUInt64(_ i: Int) throws(RPCError) -> UInt64? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.uint64(v, name(i))
    }
    public func address(_ i: Int) throws(RPCError) -> Address { try ParamDecoder.address(try value(i), name(i)) }
    public func optionalAddress(_ i: Int) throws(RPCError) -> Address? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.address(v, name(i))
    }
    public func hash(_ i: Int) throws(RPCError) -> Hash { try ParamDecoder.hash(try value(i), name(i)) }
    public func optionalHash(_ i: Int) throws(RPCError) -> Hash? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.hash(v, name(i))
    }
    public func bytes(_ i: Int) throws(RPCError) -> [UInt8] { try ParamDecoder.bytes(try value(i), name(i)) }
    public func optionalBytes(_ i: Int) throws(RPCError) -> [UInt8]? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.bytes(v, name(i))
    }
    public func bool(_ i: Int) throws(RPCError) -> Bool { try ParamDecoder.bool(try value(i), name(i)) }
    public func optionalBool(_ i: Int) throws(RPCError) -> Bool? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.bool(v, name(i))
    }
    public func string(_ i: Int) throws(RPCError) -> String { try ParamDecoder.string(try value(i), name(i)) }
    public func optionalString(_ i: Int) throws(RPCError) -> String? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.string(v, name(i))
    }
    /// An object parameter (returned as the JSON value, so `p.object(0)["to"]` works).
    public func object(_ i: Int) throws(RPCError) -> JSON { try ParamDecoder.object(try value(i), name(i)) }
    public func optionalObject(_ i: Int) throws(RPCError) -> JSON? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.object(v, name(i))
    }
    public func array(_ i: Int) throws(RPCError) -> [JSON] { try ParamDecoder.array(try value(i), name(i)) }
    public func optionalArray(_ i: Int) throws(RPCError) -> [JSON]? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.array(v, name(i))
    }
    /// A block parameter; absent or null gives `defaultTag`.
    public func blockTag(_ i: Int, default defaultTag: BlockTag = .latest) throws(RPCError) -> BlockTag {
        guard let v = try optionalValue(i) else { return defaultTag }
        return try ParamDecoder.blockTag(v, name(i))
    }
    public func optionalBlockTag(_ i: Int) throws(RPCError) -> BlockTag? {
        guard let v = try optionalValue(i) else { return nil }
        return try ParamDecoder.blockTag(v, name(i))
    }
}

/// A block selector: a tag, a number, or (EIP-1898) a hash.
public enum BlockTag: Sendable, Hashable, CustomStringConvertible {
    case latest, pending, earliest, safe, finalized
    case number(UInt64)
    case hash(Hash, requireCanonical: Bool)

    public var description: String {
        switch self {
        case .latest: return "latest"
        case .pending: return "pending"
        case .earliest: return "earliest"
        case .safe: return "safe"
        case .finalized: return "finalized"
        case .number(let n): return "0x" + String(n, radix: 16)
        case .hash(let h, _): return h.hex
        }
    }

    /// The tag for a name (`latest`, `pending`, `earliest`, `safe`, `finalized`).
    public init?(name: String) {
        switch name {
        case "latest": self = .latest
        case "pending": self = .pending
        case "earliest": self = .earliest
        case "safe": self = .safe
        case "finalized": self = .finalized
        default: return nil
        }
    }
}

/// Typed decoding of single JSON values, for positional params and for fields of object params
/// (`what` names the value in the error: `"param 0"`, `"param 0.gas"`).
public enum ParamDecoder {
    /// `"0x…"` hex (leading zeros allowed; not empty; at most 256 bits), a decimal digit string,
    /// or a JSON number that is a non-negative integer (kept exact).
    public static func quantity(_ v: JSON, _ what: String) throws(RPCError) -> UInt256 {
        switch v {
        case .string(let s):
            let u = s.utf8
            if u.count >= 2, u.first == UInt8(ascii: "0"), let x = u.dropFirst().first, x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
                let digits = u.dropFirst(2)
                if digits.isEmpty { throw .invalidParams("\(what): empty hex quantity \"0x\"") }
                guard digits.allSatisfy({ Hex.nibble($0) != nil }) else {
                    throw .invalidParams("\(what): expected hex quantity, got \(shown(v))")
                }
                guard let q = UInt256(hex: s) else { throw .invalidParams("\(what): quantity exceeds 256 bits") }
                return q
            }
            if !u.isEmpty && u.allSatisfy({ $0 &- 48 < 10 }) {
                guard let q = UInt256(decimal: s) else { throw .invalidParams("\(what): quantity exceeds 256 bits") }
                return q
            }
            throw .invalidParams("\(what): expected hex quantity, got \(shown(v))")
        case .number(let n):
            guard n.utf8.allSatisfy({ $0 &- 48 < 10 }) else {
                throw .invalidParams("\(what): expected a non-negative integer, got \(n)")
            }
            guard let q = UInt256(decimal: n) else { throw .invalidParams("\(what): quantity exceeds 256 bits") }
            return q
        default:
            throw .invalidParams("\(what): expected hex quantity, got \(shown(v))")
        }
    }

    public static func uint64(_ v: JSON, _ what: String) throws(RPCError) -> UInt64 {
        guard let n = try quantity(v, what).uint64 else { throw .invalidParams("\(what): quantity exceeds 64 bits") }
        return n
    }

    /// A 32-byte word (a storage slot or value): hex of at most 64 digits (`0x1`, or a full
    /// zero-padded word), a decimal string or a JSON number below 2^256.
    public static func word(_ v: JSON, _ what: String) throws(RPCError) -> UInt256 {
        if case .string(let s) = v, s.hasPrefix("0x") || s.hasPrefix("0X"), s.utf8.count > 66 {
            throw .invalidParams("\(what): longer than 32 bytes (\(s.utf8.count - 2) hex digits)")
        }
        return try quantity(v, what)
    }

    /// Hex data (`0x` optional), even number of digits; `"0x"` is empty data.
    public static func bytes(_ v: JSON, _ what: String) throws(RPCError) -> [UInt8] {
        guard case .string(let s) = v else { throw .invalidParams("\(what): expected hex data, got \(shown(v))") }
        if let b = Hex.decode(s) { return b }
        var digits = Substring(s)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        if digits.utf8.allSatisfy({ Hex.nibble($0) != nil }) {
            throw .invalidParams("\(what): hex data has odd length")
        }
        throw .invalidParams("\(what): expected hex data, got \(shown(v))")
    }

    /// 20 bytes of hex (checksums not enforced).
    public static func address(_ v: JSON, _ what: String) throws(RPCError) -> Address {
        guard case .string = v else { throw .invalidParams("\(what): expected address, got \(shown(v))") }
        let b = try bytes(v, what)
        guard b.count == 20, let a = Address(bytes: b) else {
            throw .invalidParams("\(what): expected a 20-byte address, got \(b.count) bytes")
        }
        return a
    }

    /// 32 bytes of hex.
    public static func hash(_ v: JSON, _ what: String) throws(RPCError) -> Hash {
        guard case .string = v else { throw .invalidParams("\(what): expected 32-byte hash, got \(shown(v))") }
        let b = try bytes(v, what)
        guard b.count == 32, let h = Hash(bytes: b) else {
            throw .invalidParams("\(what): expected a 32-byte hash, got \(b.count) bytes")
        }
        return h
    }

    public static func bool(_ v: JSON, _ what: String) throws(RPCError) -> Bool {
        guard case .bool(let b) = v else { throw .invalidParams("\(what): expected boolean, got \(shown(v))") }
        return b
    }

    public static func string(_ v: JSON, _ what: String) throws(RPCError) -> String {
        guard case .string(let s) = v else { throw .invalidParams("\(what): expected string, got \(shown(v))") }
        return s
    }

    public static func object(_ v: JSON, _ what: String) throws(RPCError) -> JSON {
        guard case .object = v else { throw .invalidParams("\(what): expected object, got \(shown(v))") }
        return v
    }

    public static func array(_ v: JSON, _ what: String) throws(RPCError) -> [JSON] {
        guard case .array(let a) = v else { throw .invalidParams("\(what): expected array, got \(shown(v))") }
        return a
    }

    /// `latest|pending|earliest|safe|finalized`, a block number (hex string or JSON number),
    /// a bare 32-byte block hash, or an EIP-1898 object `{blockNumber}` /
    /// `{blockHash, requireCanonical?}`.
    public static func blockTag(_ v: JSON, _ what: String) throws(RPCError) -> BlockTag {
        switch v {
        case .string(let s):
            if let t = BlockTag(name: s) { return t }
            if s.utf8.count == 66, s.hasPrefix("0x"), let h = Hash(hex: s) { return .hash(h, requireCanonical: false) }
            return try blockNumber(v, what)
        case .number:
            return try blockNumber(v, what)
        case .object:
            let number = v["blockNumber"], hash = v["blockHash"]
            if let number, !number.isNull {
                if let hash, !hash.isNull { throw .invalidParams("\(what): cannot specify both blockHash and blockNumber") }
                if case .string(let s) = number, let t = BlockTag(name: s) { return t }
                return try blockNumber(number, "\(what).blockNumber")
            }
            if let hash, !hash.isNull {
                var canonical = false
                if let rc = v["requireCanonical"], !rc.isNull { canonical = try bool(rc, "\(what).requireCanonical") }
                return .hash(try self.hash(hash, "\(what).blockHash"), requireCanonical: canonical)
            }
            throw .invalidParams("\(what): block object needs blockNumber or blockHash")
        default:
            throw .invalidParams("\(what): expected block tag, number or hash, got \(shown(v))")
        }
    }

    private static func blockNumber(_ v: JSON, _ what: String) throws(RPCError) -> BlockTag {
        let q: UInt256
        do { q = try quantity(v, what) } catch {
            // A well-formed number too big even for 256 bits is still a number: say so.
            if isUnsignedIntegerLiteral(v) { throw .invalidParams("\(what): block number exceeds 64 bits") }
            throw .invalidParams("\(what): expected block tag (latest, pending, earliest, safe, finalized), number or hash, got \(shown(v))")
        }
        guard let n = q.uint64 else { throw .invalidParams("\(what): block number exceeds 64 bits") }
        return .number(n)
    }

    /// `"0x…"` with hex digits only, a decimal digit string, or a JSON number of digits only.
    private static func isUnsignedIntegerLiteral(_ v: JSON) -> Bool {
        switch v {
        case .number(let n): return !n.isEmpty && n.utf8.allSatisfy { $0 &- 48 < 10 }
        case .string(let s):
            var u = Substring(s).utf8[...]
            if u.count > 2, u.first == UInt8(ascii: "0"), let x = u.dropFirst().first, x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
                u = u.dropFirst(2)
                return u.allSatisfy { Hex.nibble($0) != nil }
            }
            return !u.isEmpty && u.allSatisfy { $0 &- 48 < 10 }
        default: return false
        }
    }

    /// The value as JSON text, cut to 64 characters, for error messages.
    static func shown(_ v: JSON) -> String {
        let t = v.jsonString
        if t.count <= 64 { return t }
        return String(t.prefix(61)) + "..."
    }
}
