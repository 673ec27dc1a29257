import Primitives

/// EIP-712 typed structured data (`eth_signTypedData_v4`): parsing and validation of the
/// `{types, primaryType, domain, message}` document, `encodeType`, `typeHash`, `encodeData`,
/// `hashStruct`, the domain separator and the signing digest
/// `keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message))`.
///
/// Value rules follow eth-account (whose test messages are the accept/reject vectors) and
/// MetaMask's v4 where they agree:
/// - a missing or null struct value hashes as 32 zero bytes; so does a missing or null
///   `string`/`bytes`; any other missing value is an error;
/// - arrays hash as keccak256 of the concatenated element encodings; a fixed length is enforced;
/// - integers are JSON numbers, decimal strings or `0x` hex strings (`-` allowed for intN),
///   range-checked against their width;
/// - `string` takes text (or an integer, hashed as its big-endian bytes, as eth-account and
///   MetaMask do); `bytes`/`bytesN` take `0x` hex (or text, as eth-account does);
/// - the domain's fields are `types.EIP712Domain` when given (then they must name exactly the
///   domain's keys), else derived from the domain's keys in the canonical order
///   name, version, chainId, verifyingContract, salt;
/// - `primaryType`, when given, must be a defined type that no other type uses; when absent
///   it is derived (the one type no other type uses).
public struct EIP712TypedData: Sendable {
    public struct Field: Sendable, Equatable {
        public var name: String
        /// The type as written (used verbatim in `encodeType`).
        public var typeName: String
    }

    public struct TypedDataError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Struct definitions, including `EIP712Domain` (given or derived).
    public let types: [String: [Field]]
    public let primaryType: String
    public let domain: JSON
    public let message: JSON

    private let parsed: [String: [(Field, FieldType)]]
    private let typeHashes: [String: [UInt8]]

    indirect enum FieldType: Sendable {
        case uint(Int)
        case int(Int)
        case address
        case bool
        case fixedBytes(Int)
        case bytes
        case string
        case structRef(String)
        case array(FieldType, Int?)
    }

    static let domainTypeName = "EIP712Domain"
    static let canonicalDomain: [(String, String)] = [
        ("name", "string"), ("version", "string"), ("chainId", "uint256"),
        ("verifyingContract", "address"), ("salt", "bytes32"),
    ]

    // MARK: parsing

    /// Parses a typed-data document: a JSON object, or a string holding one (MetaMask sends
    /// `eth_signTypedData_v4`'s second parameter as a string).
    public init(json input: JSON) throws(TypedDataError) {
        var doc = input
        if case .string(let text) = input {
            do { doc = try JSON.parse(text) } catch { throw TypedDataError("typed data is not valid JSON: \(error)") }
        }
        guard case .object = doc else { throw TypedDataError("typed data must be an object, got \(doc.kindName)") }

        // types
        guard let typesJSON = doc["types"], case .object(let typePairs) = typesJSON else {
            throw TypedDataError("typed data needs a \"types\" object")
        }
        var types: [String: [Field]] = [:]
        for (name, def) in typePairs {
            guard case .array(let items) = def else { throw TypedDataError("types.\(name) must be an array of {name, type}") }
            var fields: [Field] = []
            var seen = Set<String>()
            for (i, item) in items.enumerated() {
                guard case .string(let fname)? = item["name"], case .string(let ftype)? = item["type"] else {
                    throw TypedDataError("types.\(name)[\(i)] must have string \"name\" and \"type\"")
                }
                guard seen.insert(fname).inserted else { throw TypedDataError("types.\(name): field \"\(fname)\" appears twice") }
                fields.append(Field(name: fname, typeName: ftype))
            }
            types[name] = fields
        }

        // domain
        var domain = doc["domain"] ?? .object([])
        if domain.isNull { domain = .object([]) }
        guard case .object(let domainPairs) = domain else { throw TypedDataError("domain must be an object, got \(domain.kindName)") }
        let domainKeys = domainPairs.map(\.0)
        if let declared = types[Self.domainTypeName] {
            let declaredNames = Set(declared.map(\.name))
            if declaredNames != Set(domainKeys) {
                let missing = declaredNames.subtracting(domainKeys).sorted(), extra = Set(domainKeys).subtracting(declaredNames).sorted()
                var why: [String] = []
                if !missing.isEmpty { why.append("domain lacks \(missing.joined(separator: ", "))") }
                if !extra.isEmpty { why.append("EIP712Domain does not declare \(extra.joined(separator: ", "))") }
                throw TypedDataError("domain does not match types.EIP712Domain: " + why.joined(separator: "; "))
            }
        } else {
            for k in domainKeys where !Self.canonicalDomain.contains(where: { $0.0 == k }) {
                throw TypedDataError("domain key \"\(k)\" is not an EIP-712 domain field (name, version, chainId, verifyingContract, salt)")
            }
            types[Self.domainTypeName] = Self.canonicalDomain.filter { domainKeys.contains($0.0) }.map { Field(name: $0.0, typeName: $0.1) }
        }

        // field types
        var parsed: [String: [(Field, FieldType)]] = [:]
        for (name, fields) in types {
            parsed[name] = try fields.map { f throws(TypedDataError) in
                (f, try Self.parseType(f.typeName, types: types, context: "types.\(name).\(f.name)"))
            }
        }

        // primary type
        var users: [String: Set<String>] = [:]      // type → the other types that use it
        for (name, fields) in parsed {
            for (_, t) in fields { if let s = Self.structName(t), s != name { users[s, default: []].insert(name) } }
        }
        let primary: String
        if let p = doc["primaryType"], !p.isNull {
            guard case .string(let name) = p else { throw TypedDataError("primaryType must be a string") }
            guard types[name] != nil else { throw TypedDataError("primaryType \"\(name)\" is not defined in types") }
            if name != Self.domainTypeName, let u = users[name], !u.isEmpty {
                throw TypedDataError("primaryType \"\(name)\" is used by \(u.sorted().joined(separator: ", ")); the primary type must be the root type")
            }
            primary = name
        } else {
            let roots = types.keys.filter { $0 != Self.domainTypeName && (users[$0]?.isEmpty ?? true) }
            guard roots.count == 1 else {
                throw TypedDataError(roots.isEmpty ? "no primaryType given and no root type to derive it from"
                                     : "no primaryType given and several root types: \(roots.sorted().joined(separator: ", "))")
            }
            primary = roots[0]
        }

        var message = doc["message"] ?? .null
        if primary == Self.domainTypeName, message.isNull { message = .object([]) }
        guard message.isObject else { throw TypedDataError("message must be an object, got \(message.kindName)") }

        self.types = types
        self.primaryType = primary
        self.domain = domain
        self.message = message
        self.parsed = parsed
        var hashes: [String: [UInt8]] = [:]
        for name in types.keys { hashes[name] = Keccak256.hash(Array(Self.encodeType(name, parsed: parsed).utf8)) }
        self.typeHashes = hashes
    }

    static func structName(_ t: FieldType) -> String? {
        switch t {
        case .structRef(let s): return s
        case .array(let e, _): return structName(e)
        default: return nil
        }
    }

    /// `T`, `T[]`, `T[n]`, nested up to `maxArrayDimensions` times; T a defined struct or an
    /// atomic type.
    static let maxArrayDimensions = 32

    static func parseType(_ full: String, types: [String: [Field]], context: String) throws(TypedDataError) -> FieldType {
        var text = Substring(full)
        var dims: [Int?] = []               // innermost last
        while text.hasSuffix("]") {
            guard let open = text.lastIndex(of: "[") else { throw TypedDataError("\(context): malformed array type \"\(full)\"") }
            let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
            if inner.isEmpty {
                dims.append(nil)
            } else {
                guard inner.utf8.allSatisfy({ $0 &- 48 < 10 }), inner.utf8.count <= 6, let n = Int(inner), n > 0 else {
                    throw TypedDataError("\(context): bad array length in \"\(full)\"")
                }
                dims.append(n)
            }
            guard dims.count <= maxArrayDimensions else {
                throw TypedDataError("\(context): more than \(maxArrayDimensions) array dimensions in \"\(full.prefix(80))\"")
            }
            text = text[..<open]
        }
        var t = try baseType(String(text), types: types, context: context)
        // "T[2][3]" is an array of 3 arrays of 2: the last suffix is the outermost.
        for d in dims.reversed() { t = .array(t, d) }
        return t
    }

    static func baseType(_ text: String, types: [String: [Field]], context: String) throws(TypedDataError) -> FieldType {
        if types[text] != nil { return .structRef(text) }
        switch text {
        case "address": return .address
        case "bool": return .bool
        case "string": return .string
        case "bytes": return .bytes
        default: break
        }
        func width(_ prefix: String) -> Int? {
            guard text.hasPrefix(prefix) else { return nil }
            let digits = text.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.first != "0", digits.utf8.allSatisfy({ $0 &- 48 < 10 }), digits.count <= 3 else { return nil }
            return Int(digits)
        }
        if let n = width("bytes"), (1...32).contains(n) { return .fixedBytes(n) }
        if let n = width("uint"), n % 8 == 0, (8...256).contains(n) { return .uint(n) }
        if let n = width("int"), n % 8 == 0, (8...256).contains(n) { return .int(n) }
        throw TypedDataError("\(context): type \"\(text)\" is neither defined in types nor a valid EIP-712 atomic type")
    }

    // MARK: hashing

    /// `encodeType(T)`: `T(type name,…)` followed by every struct T depends on, sorted by name.
    public func encodeType(_ name: String) -> String? {
        guard parsed[name] != nil else { return nil }
        return Self.encodeType(name, parsed: parsed)
    }

    static func encodeType(_ name: String, parsed: [String: [(Field, FieldType)]]) -> String {
        var deps = Set<String>()
        var stack = [name]
        while let t = stack.popLast() {
            for (_, ft) in parsed[t] ?? [] {
                if let s = structName(ft), s != name, deps.insert(s).inserted { stack.append(s) }
            }
        }
        let ordered = [name] + deps.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var out = ""
        for t in ordered {
            out += t + "(" + (parsed[t] ?? []).map { "\($0.0.typeName) \($0.0.name)" }.joined(separator: ",") + ")"
        }
        return out
    }

    /// keccak256(encodeType(T)).
    public func typeHash(_ name: String) -> [UInt8]? { typeHashes[name] }

    /// `encodeData(T, value)`: typeHash ‖ one 32-byte word per field.
    public func encodeData(_ name: String, _ value: JSON) throws(TypedDataError) -> [UInt8] {
        guard let fields = parsed[name], let th = typeHashes[name] else { throw TypedDataError("type \(name) is not defined") }
        guard case .object = value else { throw TypedDataError("\(name): expected an object, got \(value.kindName)") }
        var out = th
        out.reserveCapacity(32 * (fields.count + 1))
        for (f, t) in fields {
            out.append(contentsOf: try encodeValue(t, value[f.name] ?? .null, at: "\(name).\(f.name)"))
        }
        return out
    }

    /// keccak256(encodeData(T, value)).
    public func hashStruct(_ name: String, _ value: JSON) throws(TypedDataError) -> [UInt8] {
        Keccak256.hash(try encodeData(name, value))
    }

    public func domainSeparator() throws(TypedDataError) -> [UInt8] {
        try hashStruct(Self.domainTypeName, domain)
    }

    /// keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(primaryType, message)); when the
    /// primary type is `EIP712Domain`, keccak256(0x19 0x01 ‖ domainSeparator).
    public func digest() throws(TypedDataError) -> [UInt8] {
        var buf: [UInt8] = [0x19, 0x01]
        buf.append(contentsOf: try domainSeparator())
        if primaryType != Self.domainTypeName { buf.append(contentsOf: try hashStruct(primaryType, message)) }
        return Keccak256.hash(buf)
    }

    private static let zeroWord = [UInt8](repeating: 0, count: 32)

    /// The 32-byte encoding of one value (a field or an array element).
    private func encodeValue(_ t: FieldType, _ v: JSON, at path: String) throws(TypedDataError) -> [UInt8] {
        switch t {
        case .structRef(let name):
            if v.isNull { return Self.zeroWord }
            guard v.isObject else { throw TypedDataError("\(path): expected an object of type \(name), got \(v.kindName)") }
            return try hashStruct(name, v)
        case .string:
            switch v {
            case .null: return Self.zeroWord
            case .string(let s): return Keccak256.hash(Array(s.utf8))
            case .number: return Keccak256.hash(try Self.integer(v, signed: false, bits: 256, at: path).magnitude.minimalBytesOrZero)
            default: throw TypedDataError("\(path): expected a string, got \(v.kindName)")
            }
        case .bytes:
            if v.isNull { return Self.zeroWord }
            return Keccak256.hash(try Self.byteValue(v, at: path))
        case .array(let elem, let length):
            guard case .array(let items) = v else {
                throw TypedDataError(v.isNull ? "\(path): missing value" : "\(path): expected an array, got \(v.kindName)")
            }
            if let length, items.count != length {
                throw TypedDataError("\(path): expected \(length) elements, got \(items.count)")
            }
            var buf: [UInt8] = []
            buf.reserveCapacity(32 * items.count)
            for (i, item) in items.enumerated() {
                buf.append(contentsOf: try encodeValue(elem, item, at: "\(path)[\(i)]"))
            }
            return Keccak256.hash(buf)
        case .address:
            guard case .string(let s) = v else {
                throw TypedDataError(v.isNull ? "\(path): missing value" : "\(path): expected an address, got \(v.kindName)")
            }
            guard let b = Hex.decode(s), b.count == 20 else { throw TypedDataError("\(path): \"\(s)\" is not a 20-byte hex address") }
            return [UInt8](repeating: 0, count: 12) + b
        case .bool:
            switch v {
            case .bool(let b): return UInt256(b ? 1 : 0).bytes32
            case .string("true"): return UInt256.one.bytes32
            case .string("false"): return UInt256.zero.bytes32
            case .number("0"): return UInt256.zero.bytes32
            case .number("1"): return UInt256.one.bytes32
            case .null: throw TypedDataError("\(path): missing value")
            default: throw TypedDataError("\(path): expected a boolean, got \(v.jsonString.prefix(40))")
            }
        case .uint(let bits):
            if v.isNull { throw TypedDataError("\(path): missing value") }
            return try Self.integer(v, signed: false, bits: bits, at: path).word
        case .int(let bits):
            if v.isNull { throw TypedDataError("\(path): missing value") }
            return try Self.integer(v, signed: true, bits: bits, at: path).word
        case .fixedBytes(let n):
            if v.isNull { throw TypedDataError("\(path): missing value") }
            let b = try Self.byteValue(v, at: path)
            guard b.count <= n else { throw TypedDataError("\(path): \(b.count) bytes do not fit bytes\(n)") }
            return b + [UInt8](repeating: 0, count: 32 - b.count)
        }
    }

    /// `0x` hex → bytes; other text → its UTF-8; a non-negative integer → big-endian bytes.
    private static func byteValue(_ v: JSON, at path: String) throws(TypedDataError) -> [UInt8] {
        switch v {
        case .string(let s):
            if s.hasPrefix("0x") || s.hasPrefix("0X") {
                guard let b = Hex.decode(s) else { throw TypedDataError("\(path): \"\(s.prefix(40))\" is not valid hex") }
                return b
            }
            return Array(s.utf8)
        case .number:
            return try integer(v, signed: false, bits: 256, at: path).magnitude.minimalBytesOrZero
        default:
            throw TypedDataError("\(path): expected hex bytes, got \(v.kindName)")
        }
    }

    struct Integer {
        var negative: Bool
        var magnitude: UInt256
        /// Two's complement in 256 bits.
        var word: [UInt8] { negative ? ((~magnitude) &+ .one).bytes32 : magnitude.bytes32 }
    }

    /// A JSON number or a decimal / `0x` hex string, range-checked for uintN / intN.
    static func integer(_ v: JSON, signed: Bool, bits: Int, at path: String) throws(TypedDataError) -> Integer {
        var text: Substring
        switch v {
        case .number(let n): text = Substring(n)
        case .string(let s): text = Substring(s)
        default: throw TypedDataError("\(path): expected an integer, got \(v.kindName)")
        }
        var negative = false
        if text.hasPrefix("-") { negative = true; text = text.dropFirst() }
        let isHex = text.hasPrefix("0x") || text.hasPrefix("0X")
        let digits = isHex ? text.dropFirst(2) : text
        guard !digits.isEmpty, digits.utf8.allSatisfy({ isHex ? Hex.nibble($0) != nil : $0 &- 48 < 10 }) else {
            throw TypedDataError("\(path): \(v.jsonString.prefix(40)) is not an integer")
        }
        guard let m = isHex ? UInt256(hex: String(digits)) : UInt256(decimal: String(digits)) else {
            throw TypedDataError("\(path): integer exceeds 256 bits")
        }
        if negative && !m.isZero {
            guard signed else { throw TypedDataError("\(path): uint\(bits) cannot be negative") }
            // |v| ≤ 2^(bits-1)
            if m > UInt256.one << (bits - 1) { throw TypedDataError("\(path): \(v.jsonString.prefix(80)) does not fit int\(bits)") }
            return Integer(negative: true, magnitude: m)
        }
        let limit = signed ? bits - 1 : bits
        if limit < 256 && m >= UInt256.one << limit {
            throw TypedDataError("\(path): \(v.jsonString.prefix(80)) does not fit \(signed ? "int" : "uint")\(bits)")
        }
        return Integer(negative: false, magnitude: m)
    }
}

extension UInt256 {
    /// Big-endian bytes without leading zeros, `[0]` for zero (eth-utils' `to_bytes(int)`).
    var minimalBytesOrZero: [UInt8] { isZero ? [0] : minimalBytes }
}
