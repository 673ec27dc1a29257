import Primitives

// Solidity's function dispatcher, shared by the five contracts:
//
// - calldata shorter than 4 bytes (a plain ETH transfer included) goes to the fallback, and
//   none of the contracts has a fallback or receive function: revert with empty data;
// - an unknown selector: revert with empty data;
// - ETH sent to a non-payable function: revert with empty data (solc's callvalue check);
// - arguments: the head must be present, then each argument is decoded in order (solc ABI
//   coder v2 for the 0.8 contracts, coder v1 for the 0.5 tokens) and a decode failure
//   reverts with empty data (Panic 0x41 for a `bytes`/`string` too large to allocate).

/// How an argument is shown in the node's transaction log.
enum ArgFormat: Sendable {
    case address, amount, integer, bool, bytes, string
}

enum Mutability: String, Sendable {
    case pure, view, nonpayable, payable
}

struct Param: Sendable {
    let name: String
    let type: String
    let format: ArgFormat
}

/// What a function body sees: its arguments, `msg.sender` and `msg.value`.
struct Call {
    var args: ABICalldata
    let sender: Address
    let value: UInt256

    func address(_ i: Int) throws(Revert) -> Address {
        do { return try args.address(i) } catch { throw Revert(decoding: error) }
    }
    func uint(_ i: Int) throws(Revert) -> UInt256 {
        do { return try args.uint(i) } catch { throw Revert(decoding: error) }
    }
    func bool(_ i: Int) throws(Revert) -> Bool {
        do { return try args.bool(i) } catch { throw Revert(decoding: error) }
    }
    func bytes4(_ i: Int) throws(Revert) -> [UInt8] {
        do { return try args.fixedBytes(i, count: 4) } catch { throw Revert(decoding: error) }
    }
    mutating func bytes(_ i: Int) throws(Revert) -> [UInt8] {
        do { return try args.bytes(i) } catch { throw Revert(decoding: error) }
    }
}

/// A function body. Untyped `throws` so closures need no annotation; only `Revert` is thrown.
typealias Body = @Sendable (Exec, inout Call) throws -> [UInt8]

/// One external function of an emulated contract.
struct FunctionDef: Sendable {
    let contract: ContractKind
    let name: String
    let inputs: [Param]
    let outputs: [Param]
    let mutability: Mutability
    /// Canonical signature, e.g. `transfer(address,uint256)`.
    let signature: String
    let selector: UInt32
    /// Execution gas from `GasTable`.
    let gas: UInt64
    let body: Body

    /// `declaration` is the Solidity header with parameter names, e.g.
    /// `"transfer(address to, uint256 value)"`; `returns` likewise (`"bool"`, `"address[], uint256[]"`).
    init(_ contract: ContractKind, _ declaration: String, returns: String = "", _ mutability: Mutability = .nonpayable,
         _ body: @escaping Body) {
        let open = declaration.firstIndex(of: "(")!
        name = String(declaration[..<open])
        let inner = declaration[declaration.index(after: open)..<declaration.index(before: declaration.endIndex)]
        inputs = FunctionDef.params(String(inner))
        outputs = FunctionDef.params(returns)
        self.contract = contract
        self.mutability = mutability
        signature = name + "(" + inputs.map(\.type).joined(separator: ",") + ")"
        selector = ABI.selectorValue(signature)
        gas = GasTable.gas(contract, signature)
        self.body = body
    }

    /// Integer arguments shown without 18 decimals.
    static let plainIntegers: Set<String> = ["useBeforeBlock", "gasLeft"]

    static func params(_ text: String) -> [Param] {
        text.split(separator: ",").map { part in
            let words = part.split(separator: " ").map(String.init)
            let type = words[0], name = words.count > 1 ? words[1] : ""
            let format: ArgFormat
            switch type {
            case "address": format = .address
            case "bool": format = .bool
            case "string": format = .string
            case "bytes", "bytes4": format = .bytes
            case "uint8": format = .integer
            default: format = plainIntegers.contains(name) ? .integer : .amount
            }
            return Param(name: name, type: type, format: format)
        }
    }
}

/// A contract's functions by selector, and its events.
struct ContractABI: Sendable {
    let kind: ContractKind
    let functions: [FunctionDef]
    let events: [EventDef]
    /// Solidity ≥ 0.8 contracts decode with ABI coder v2 (strict); the 0.5 tokens with v1.
    let strictDecoding: Bool
    private let bySelector: [UInt32: Int]

    init(_ kind: ContractKind, strict: Bool, functions: [FunctionDef], events: [EventDef]) {
        self.kind = kind
        self.functions = functions
        self.events = events
        strictDecoding = strict
        var map: [UInt32: Int] = [:]
        for (i, f) in functions.enumerated() {
            precondition(map[f.selector] == nil, "duplicate selector \(f.signature)")
            map[f.selector] = i
        }
        bySelector = map
    }

    func function(_ selector: UInt32) -> FunctionDef? {
        bySelector[selector].map { functions[$0] }
    }
}

/// An event as declared in the contract (for the ABI fixtures).
struct EventDef: Sendable {
    let name: String
    let inputs: [(name: String, type: String, indexed: Bool)]
    let signature: String
    let topic: Hash

    /// `"Transfer(address indexed from, address indexed to, uint256 value)"`.
    init(_ declaration: String) {
        let open = declaration.firstIndex(of: "(")!
        name = String(declaration[..<open])
        let inner = declaration[declaration.index(after: open)..<declaration.index(before: declaration.endIndex)]
        inputs = inner.split(separator: ",").map { part in
            let w = part.split(separator: " ").map(String.init)
            let indexed = w.count > 2 && w[1] == "indexed"
            return (name: w.last!, type: w[0], indexed: indexed)
        }
        signature = name + "(" + inputs.map(\.type).joined(separator: ",") + ")"
        topic = ABI.eventTopic(signature)
    }
}

enum Dispatcher {
    static func abi(_ k: ContractKind) -> ContractABI {
        switch k {
        case .matic: return MaticToken.abi
        case .ankr: return AnkrToken.abi
        case .aMATICb: return AMaticB.abi
        case .aMATICc: return AMaticC.abi
        case .pool: return PolygonPool.abi
        }
    }

    /// Runs a call into contract `kind`. The output on success; a `Revert` otherwise.
    /// `gas` receives the function's execution gas (or the dispatcher's, when no function ran).
    static func dispatch(_ x: Exec, _ kind: ContractKind, sender: Address, value: UInt256,
                         calldata: [UInt8], gas: inout UInt64) throws(Revert) -> [UInt8] {
        gas = GasTable.dispatchRevert
        guard calldata.count >= 4 else { throw Revert.empty }   // no receive / fallback
        let sel = UInt32(calldata[0]) << 24 | UInt32(calldata[1]) << 16 | UInt32(calldata[2]) << 8 | UInt32(calldata[3])
        let contract = abi(kind)
        guard let f = contract.function(sel) else { throw Revert.empty }
        if f.mutability != .payable && !value.isZero { throw Revert.empty }
        var call = Call(args: ABICalldata(calldata, base: 4, strict: contract.strictDecoding), sender: sender, value: value)
        do { try call.args.requireHead(words: f.inputs.count) } catch { throw Revert.empty }
        gas = GasTable.revertGas(f.gas)
        x.setTopBudget(f.gas)
        let out: [UInt8]
        do {
            out = try f.body(x, &call)
        } catch {
            // a revert after nested calls also pays what they used (never more than the figure)
            gas = min(f.gas, gas + x.topChildrenUsed)
            throw (error as? Revert) ?? Revert.empty
        }
        gas = f.gas
        return out
    }

    /// `"aMATICb.transfer(0x7099…79C8, 1.5)"` for the node's log.
    static func describe(_ kind: ContractKind, _ calldata: [UInt8]) -> String {
        let label = kind.label
        guard calldata.count >= 4 else { return calldata.isEmpty ? "\(label) (plain transfer)" : "\(label).\(calldata.hex)" }
        let sel = UInt32(calldata[0]) << 24 | UInt32(calldata[1]) << 16 | UInt32(calldata[2]) << 8 | UInt32(calldata[3])
        guard let f = abi(kind).function(sel) else { return "\(label).\(Array(calldata.prefix(4)).hex)(…)" }
        var args = ABICalldata(calldata, base: 4, strict: false)
        var parts: [String] = []
        for (i, p) in f.inputs.enumerated() {
            switch p.format {
            case .address:
                parts.append((try? args.address(i))?.short ?? "?")
            case .amount:
                parts.append((try? args.uint(i))?.formatted(decimals: 18) ?? "?")
            case .integer:
                parts.append((try? args.uint(i))?.decimalString ?? "?")
            case .bool:
                parts.append((try? args.bool(i)).map { $0 ? "true" : "false" } ?? "?")
            case .bytes:
                if p.type == "bytes" {
                    if let b = try? args.bytes(i) { parts.append(b.count > 8 ? Array(b.prefix(8)).hex + "…" : b.hex) } else { parts.append("?") }
                } else {
                    parts.append((try? args.fixedBytes(i, count: 4))?.hex ?? "?")
                }
            case .string:
                if let b = try? args.bytes(i) {
                    let s = String(decoding: b.prefix(40), as: UTF8.self)
                    parts.append("\"\(s)\(b.count > 40 ? "…" : "")\"")
                } else { parts.append("?") }
            }
        }
        return "\(label).\(f.name)(\(parts.joined(separator: ", ")))"
    }
}

// MARK: - return-value encoding

enum Out {
    static let empty: [UInt8] = []
    static func bool(_ b: Bool) -> [UInt8] { ABI.word(b) }
    static func uint(_ v: UInt256) -> [UInt8] { v.bytes32 }
    static func address(_ a: Address) -> [UInt8] { a.value.bytes32 }
    static func string(_ b: [UInt8]) -> [UInt8] {
        var out = UInt256(32).bytes32
        ABI.appendBytesTail(b, to: &out)
        return out
    }
    static func string(_ s: String) -> [UInt8] { string(Array(s.utf8)) }
    /// `(address[], uint256[])`
    static func addressesAndAmounts(_ a: [Address], _ v: [UInt256]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + 64 + 32 * (a.count + v.count))
        ABI.appendWord(UInt256(64), to: &out)
        ABI.appendWord(UInt256(UInt64(64 + 32 + 32 * a.count)), to: &out)
        ABI.appendWord(UInt256(UInt64(a.count)), to: &out)
        for x in a { ABI.appendWord(x.value, to: &out) }
        ABI.appendWord(UInt256(UInt64(v.count)), to: &out)
        for x in v { ABI.appendWord(x, to: &out) }
        return out
    }
}
