import Primitives

/// One external function of an emulated contract, as the dashboard needs it to decode a
/// transaction's calldata the way the console logs it (`Dispatcher.describe`).
public struct NativeFunctionInfo: Sendable {
    /// The contract's display name: `"MATIC"`, `"PolygonPool"`, `"aMATICb"`, `"aMATICc"`, `"ANKR"`
    /// (the names of `ContractAddresses.all`).
    public let contract: String
    public let selector: UInt32
    public let name: String
    /// Each argument's ABI type and how the console shows it: `"address"`, `"amount"` (18
    /// decimals), `"integer"`, `"bool"`, `"bytes"` or `"string"`.
    public let inputs: [(type: String, format: String)]
}

extension NativeContracts {
    /// Every function the five contracts dispatch, in their declaration order.
    public static let functionCatalog: [NativeFunctionInfo] = ContractKind.allCases.flatMap { kind in
        Dispatcher.abi(kind).functions.map { f in
            NativeFunctionInfo(contract: kind.label, selector: f.selector, name: f.name,
                               inputs: f.inputs.map { p in (type: p.type, format: NativeContracts.formatName(p.format)) })
        }
    }

    static func formatName(_ f: ArgFormat) -> String {
        switch f {
        case .address: return "address"
        case .amount: return "amount"
        case .integer: return "integer"
        case .bool: return "bool"
        case .bytes: return "bytes"
        case .string: return "string"
        }
    }
}
