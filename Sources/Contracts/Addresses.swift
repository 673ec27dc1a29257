import Foundation
import Primitives

/// Where the five emulated contracts live. Defaults to Ethereum mainnet's addresses so
/// integrator code and configs work unchanged.
public struct ContractAddresses: Hashable, Sendable {
    public var matic: Address
    public var pool: Address
    public var aMATICb: Address
    public var aMATICc: Address
    public var ankr: Address

    public init(matic: Address, pool: Address, aMATICb: Address, aMATICc: Address, ankr: Address) {
        self.matic = matic; self.pool = pool; self.aMATICb = aMATICb; self.aMATICc = aMATICc; self.ankr = ankr
    }

    /// Ethereum mainnet.
    public static let mainnet = ContractAddresses(
        matic: Address(hex: "0x7D1AfA7B718fb893dB30A3aBc0Cfc608AaCfeBB0")!,
        pool: Address(hex: "0xCfD4B4Bc15C8bF0Fd820B0D4558c725727B3ce89")!,
        aMATICb: Address(hex: "0x99534Ef705Df1FFf4e4bD7bbaAF9b0dFf038EbFe")!,
        aMATICc: Address(hex: "0x26dcFbFa8Bc267b250432c01C982Eaf81cC5480C")!,
        ankr: Address(hex: "0x8290333ceF9e6D528dD5618Fb97a76f268f3EDD4")!)

    /// The five addresses with their names, in a fixed order.
    public var all: [(name: String, address: Address)] {
        [("MATIC", matic), ("PolygonPool", pool), ("aMATICb", aMATICb), ("aMATICc", aMATICc), ("ANKR", ankr)]
    }

    /// The display name of the contract at `a` (`"aMATICb"`), nil for other addresses.
    public func name(of a: Address) -> String? { kind(of: a)?.label }

    @inline(__always) func kind(of a: Address) -> ContractKind? {
        if a == aMATICb { return .aMATICb }
        if a == matic { return .matic }
        if a == pool { return .pool }
        if a == aMATICc { return .aMATICc }
        if a == ankr { return .ankr }
        return nil
    }

    func address(of k: ContractKind) -> Address {
        switch k {
        case .matic: return matic
        case .pool: return pool
        case .aMATICb: return aMATICb
        case .aMATICc: return aMATICc
        case .ankr: return ankr
        }
    }

    public enum LoadError: Error, CustomStringConvertible, Equatable {
        case unreadable(String)
        case notAnObject
        case missing(String)
        case invalidAddress(key: String, value: String)
        case unknownKey(String)
        case duplicate(String)

        public var description: String {
            switch self {
            case .unreadable(let why): return "cannot read the addresses file: \(why)"
            case .notAnObject: return "the addresses file must be a JSON object like {\"MATIC\":\"0x…\",\"PolygonPool\":\"0x…\",\"aMATICb\":\"0x…\",\"aMATICc\":\"0x…\",\"ANKR\":\"0x…\"}"
            case .missing(let k): return "the addresses file has no \"\(k)\""
            case .invalidAddress(let k, let v): return "\"\(k)\" is not a 20-byte hex address: \(v)"
            case .unknownKey(let k): return "unknown key \"\(k)\" in the addresses file (expected MATIC, PolygonPool, aMATICb, aMATICc, ANKR)"
            case .duplicate(let a): return "two contracts share the address \(a)"
            }
        }
    }

    /// Parses `{"MATIC":"0x…","PolygonPool":"0x…","aMATICb":"0x…","aMATICc":"0x…","ANKR":"0x…"}`.
    /// Every key is required; keys are matched case-insensitively; the five must differ.
    public init(json data: Data) throws {
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data) } catch { throw LoadError.unreadable("invalid JSON") }
        guard let dict = obj as? [String: Any] else { throw LoadError.notAnObject }
        let keys = ["MATIC", "PolygonPool", "aMATICb", "aMATICc", "ANKR"]
        var found: [String: Address] = [:]
        for (k, v) in dict {
            guard let canonical = keys.first(where: { $0.lowercased() == k.lowercased() }) else { throw LoadError.unknownKey(k) }
            guard let s = v as? String, let a = Address(hex: s) else {
                throw LoadError.invalidAddress(key: k, value: "\(v)")
            }
            found[canonical] = a
        }
        for k in keys where found[k] == nil { throw LoadError.missing(k) }
        self.init(matic: found["MATIC"]!, pool: found["PolygonPool"]!, aMATICb: found["aMATICb"]!,
                  aMATICc: found["aMATICc"]!, ankr: found["ANKR"]!)
        var seen = Set<Address>()
        for (_, a) in all {
            if !seen.insert(a).inserted { throw LoadError.duplicate(a.checksummed) }
        }
    }

    /// Loads `--addresses FILE`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError.unreadable(path) }
        try self.init(json: data)
    }

    /// The JSON form `init(json:)` reads.
    public var json: String {
        "{" + all.map { "\"\($0.name)\":\"\($0.address.checksummed)\"" }.joined(separator: ",") + "}"
    }
}

/// The off-chain accounts the contracts are configured with.
///
/// - `operator`: the pool's and aMATICb's `_operator`, the owner of all three Ankr contracts
///   and the pool's `_notary` (PolygonPool R7's `initialize` sets `_notary = operator`; the
///   deployer of each proxy is its owner). Also MATIC's pauser.
/// - `feeCollector`: receives the ETH and ANKR unstake fees.
/// - `intermediary`: receives pending stakes via `claimToIntermediary` and pays served claims.
/// - `swapFeeOperator`: receives aMATICb's swap fee. aMATICb R7's `initialize` leaves it unset
///   (the zero address, which would make any non-zero fee revert with "ERC20: transfer to the
///   zero address"); mainnet sets it with `changeSwapFeeOperator`. Defaults to the operator.
public struct Roles: Hashable, Sendable {
    public var `operator`: Address
    public var feeCollector: Address
    public var intermediary: Address
    public var swapFeeOperator: Address

    public init(operator: Address, feeCollector: Address, intermediary: Address, swapFeeOperator: Address? = nil) {
        self.operator = `operator`; self.feeCollector = feeCollector; self.intermediary = intermediary
        self.swapFeeOperator = swapFeeOperator ?? `operator`
    }
}
