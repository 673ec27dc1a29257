import Primitives

/// The ANKR token at 0x8290…EDD4 ("Ankr Network", ANKR, 18 decimals), emulated as a plain
/// OpenZeppelin 2.x `ERC20, ERC20Detailed` (Solidity 0.5, deployed in 2019 like MATIC): no
/// revert reasons, `transferFrom` logs `Approval` with the remaining allowance. Its exact
/// verified source was not available to us; this is the OpenZeppelin token of its era.
///
/// Storage:
/// ```
/// 0  mapping(address => uint256) _balances
/// 1  mapping(address => mapping(address => uint256)) _allowed
/// 2  uint256 _totalSupply
/// 3  string _name   4  string _symbol   5  uint8 _decimals
/// ```
struct AnkrToken {
    let address: Address
    let erc20: OZ2ERC20

    static let nameSlot = UInt256(3)
    static let symbolSlot = UInt256(4)
    static let decimalsSlot = UInt256(5)

    static let name = "Ankr Network"
    static let symbol = "ANKR"
    static let decimals: UInt8 = 18

    init(_ x: Exec) {
        address = x.addrs.ankr
        erc20 = OZ2ERC20(token: address)
    }

    func name(_ x: Exec) -> [UInt8] { x.sloadString(address, Self.nameSlot) }
    func symbol(_ x: Exec) -> [UInt8] { x.sloadString(address, Self.symbolSlot) }
    func decimals(_ x: Exec) -> UInt256 { x.sload(address, Self.decimalsSlot) & UInt256(0xff) }

    /// The constructor's metadata.
    func construct(_ x: Exec) {
        x.sstoreString(address, Self.nameSlot, Array(Self.name.utf8))
        x.sstoreString(address, Self.symbolSlot, Array(Self.symbol.utf8))
        x.sstore(address, Self.decimalsSlot, UInt256(UInt64(Self.decimals)))
    }

    static let abi = ContractABI(.ankr, strict: false, functions: [
        FunctionDef(.ankr, "name()", returns: "string", .view) { x, _ in Out.string(AnkrToken(x).name(x)) },
        FunctionDef(.ankr, "symbol()", returns: "string", .view) { x, _ in Out.string(AnkrToken(x).symbol(x)) },
        FunctionDef(.ankr, "decimals()", returns: "uint8", .view) { x, _ in Out.uint(AnkrToken(x).decimals(x)) },
        FunctionDef(.ankr, "totalSupply()", returns: "uint256", .view) { x, _ in Out.uint(AnkrToken(x).erc20.totalSupply(x)) },
        FunctionDef(.ankr, "balanceOf(address owner)", returns: "uint256", .view) { x, c in
            let owner = try c.address(0)
            return Out.uint(AnkrToken(x).erc20.balanceOf(x, owner))
        },
        FunctionDef(.ankr, "allowance(address owner, address spender)", returns: "uint256", .view) { x, c in
            let owner = try c.address(0), spender = try c.address(1)
            return Out.uint(AnkrToken(x).erc20.allowance(x, owner, spender))
        },
        FunctionDef(.ankr, "transfer(address to, uint256 value)", returns: "bool") { x, c in
            let to = try c.address(0), value = try c.uint(1)
            return Out.bool(try AnkrToken(x).erc20.transfer(x, sender: c.sender, to: to, value: value))
        },
        FunctionDef(.ankr, "approve(address spender, uint256 value)", returns: "bool") { x, c in
            let spender = try c.address(0), value = try c.uint(1)
            return Out.bool(try AnkrToken(x).erc20.approve(x, sender: c.sender, spender: spender, value: value))
        },
        FunctionDef(.ankr, "transferFrom(address from, address to, uint256 value)", returns: "bool") { x, c in
            let from = try c.address(0), to = try c.address(1), value = try c.uint(2)
            return Out.bool(try AnkrToken(x).erc20.transferFrom(x, sender: c.sender, from: from, to: to, value: value))
        },
        FunctionDef(.ankr, "increaseAllowance(address spender, uint256 addedValue)", returns: "bool") { x, c in
            let spender = try c.address(0), v = try c.uint(1)
            return Out.bool(try AnkrToken(x).erc20.increaseAllowance(x, sender: c.sender, spender: spender, addedValue: v))
        },
        FunctionDef(.ankr, "decreaseAllowance(address spender, uint256 subtractedValue)", returns: "bool") { x, c in
            let spender = try c.address(0), v = try c.uint(1)
            return Out.bool(try AnkrToken(x).erc20.decreaseAllowance(x, sender: c.sender, spender: spender, subtractedValue: v))
        },
    ], events: [
        EventDef("Transfer(address indexed from, address indexed to, uint256 value)"),
        EventDef("Approval(address indexed owner, address indexed spender, uint256 value)"),
    ])
}
