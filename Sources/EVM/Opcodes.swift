/// Cancun's instruction set plus CLZ (EIP-7939): names, stack requirements and static gas,
/// checked once per instruction at dispatch (as evmone and revm do).
public enum Opcode {
    /// geth's mnemonic, or geth's `opcode 0xef not defined` for unassigned bytes.
    public static func name(_ op: UInt8) -> String {
        if let n = table[Int(op)].name { return n }
        return "opcode 0x" + String(op, radix: 16) + " not defined"
    }

    struct Info {
        var name: String?
        /// Items the instruction reads from the stack.
        var pops: Int
        /// Net change of the stack height.
        var growth: Int
        /// Gas charged before the instruction runs (dynamic parts are charged by the handler).
        var gas: Int
    }

    static let table: [Info] = {
        var t = [Info](repeating: Info(name: nil, pops: 0, growth: 0, gas: 0), count: 256)
        func d(_ op: UInt8, _ name: String, _ pops: Int, _ pushes: Int, _ gas: Int) {
            t[Int(op)] = Info(name: name, pops: pops, growth: pushes - pops, gas: gas)
        }
        d(0x00, "STOP", 0, 0, 0)
        d(0x01, "ADD", 2, 1, 3); d(0x02, "MUL", 2, 1, 5); d(0x03, "SUB", 2, 1, 3); d(0x04, "DIV", 2, 1, 5)
        d(0x05, "SDIV", 2, 1, 5); d(0x06, "MOD", 2, 1, 5); d(0x07, "SMOD", 2, 1, 5); d(0x08, "ADDMOD", 3, 1, 8)
        d(0x09, "MULMOD", 3, 1, 8); d(0x0a, "EXP", 2, 1, 10); d(0x0b, "SIGNEXTEND", 2, 1, 5)
        d(0x10, "LT", 2, 1, 3); d(0x11, "GT", 2, 1, 3); d(0x12, "SLT", 2, 1, 3); d(0x13, "SGT", 2, 1, 3)
        d(0x14, "EQ", 2, 1, 3); d(0x15, "ISZERO", 1, 1, 3); d(0x16, "AND", 2, 1, 3); d(0x17, "OR", 2, 1, 3)
        d(0x18, "XOR", 2, 1, 3); d(0x19, "NOT", 1, 1, 3); d(0x1a, "BYTE", 2, 1, 3); d(0x1b, "SHL", 2, 1, 3)
        d(0x1c, "SHR", 2, 1, 3); d(0x1d, "SAR", 2, 1, 3); d(0x1e, "CLZ", 1, 1, 5)
        d(0x20, "KECCAK256", 2, 1, 30)
        d(0x30, "ADDRESS", 0, 1, 2); d(0x31, "BALANCE", 1, 1, 0); d(0x32, "ORIGIN", 0, 1, 2)
        d(0x33, "CALLER", 0, 1, 2); d(0x34, "CALLVALUE", 0, 1, 2); d(0x35, "CALLDATALOAD", 1, 1, 3)
        d(0x36, "CALLDATASIZE", 0, 1, 2); d(0x37, "CALLDATACOPY", 3, 0, 3); d(0x38, "CODESIZE", 0, 1, 2)
        d(0x39, "CODECOPY", 3, 0, 3); d(0x3a, "GASPRICE", 0, 1, 2); d(0x3b, "EXTCODESIZE", 1, 1, 0)
        d(0x3c, "EXTCODECOPY", 4, 0, 0); d(0x3d, "RETURNDATASIZE", 0, 1, 2); d(0x3e, "RETURNDATACOPY", 3, 0, 3)
        d(0x3f, "EXTCODEHASH", 1, 1, 0)
        d(0x40, "BLOCKHASH", 1, 1, 20); d(0x41, "COINBASE", 0, 1, 2); d(0x42, "TIMESTAMP", 0, 1, 2)
        d(0x43, "NUMBER", 0, 1, 2); d(0x44, "PREVRANDAO", 0, 1, 2); d(0x45, "GASLIMIT", 0, 1, 2)
        d(0x46, "CHAINID", 0, 1, 2); d(0x47, "SELFBALANCE", 0, 1, 5); d(0x48, "BASEFEE", 0, 1, 2)
        d(0x49, "BLOBHASH", 1, 1, 3); d(0x4a, "BLOBBASEFEE", 0, 1, 2)
        d(0x50, "POP", 1, 0, 2); d(0x51, "MLOAD", 1, 1, 3); d(0x52, "MSTORE", 2, 0, 3); d(0x53, "MSTORE8", 2, 0, 3)
        d(0x54, "SLOAD", 1, 1, 0); d(0x55, "SSTORE", 2, 0, 0); d(0x56, "JUMP", 1, 0, 8); d(0x57, "JUMPI", 2, 0, 10)
        d(0x58, "PC", 0, 1, 2); d(0x59, "MSIZE", 0, 1, 2); d(0x5a, "GAS", 0, 1, 2); d(0x5b, "JUMPDEST", 0, 0, 1)
        d(0x5c, "TLOAD", 1, 1, 100); d(0x5d, "TSTORE", 2, 0, 100); d(0x5e, "MCOPY", 3, 0, 3)
        d(0x5f, "PUSH0", 0, 1, 2)
        for i in 1...32 { d(UInt8(0x5f + i), "PUSH\(i)", 0, 1, 3) }
        for i in 1...16 { d(UInt8(0x7f + i), "DUP\(i)", i, i + 1, 3) }
        for i in 1...16 { d(UInt8(0x8f + i), "SWAP\(i)", i + 1, i + 1, 3) }
        for i in 0...4 { d(UInt8(0xa0 + i), "LOG\(i)", 2 + i, 0, 375 + 375 * i) }
        d(0xf0, "CREATE", 3, 1, 32000); d(0xf1, "CALL", 7, 1, 0); d(0xf2, "CALLCODE", 7, 1, 0)
        d(0xf3, "RETURN", 2, 0, 0); d(0xf4, "DELEGATECALL", 6, 1, 0); d(0xf5, "CREATE2", 4, 1, 32000)
        d(0xfa, "STATICCALL", 6, 1, 0); d(0xfd, "REVERT", 2, 0, 0); d(0xfe, "INVALID", 0, 0, 0)
        d(0xff, "SELFDESTRUCT", 1, 0, 5000)
        return t
    }()

    /// Whether the byte is an assigned instruction (INVALID 0xfe counts as unassigned here).
    static let defined: [Bool] = table.enumerated().map { $0.element.name != nil && $0.offset != 0xfe }
}

/// Gas constants of Cancun.
enum Gas {
    static let warmAccess = 100
    static let coldAccountAccess = 2600
    static let coldSload = 2100
    static let sstoreSet = 20000
    static let sstoreReset = 5000
    static let sstoreClearRefund = 4800
    static let callValue = 9000
    static let callStipend = 2300
    static let newAccount = 25000
    static let codeDeposit = 200
    static let copyWord = 3
    static let keccakWord = 6
    static let initCodeWord = 2
    static let logData = 8
    static let expByte = 50
    static let selfDestructNewAccount = 25000
    static let maxCodeSize = 24576
    static let maxInitCodeSize = 2 * maxCodeSize
    static let txBase = 21000
    static let txCreate = 32000
    static let blobGasPerBlob: UInt64 = 131_072
    static let maxBlobGasPerBlock: UInt64 = 786_432
}
