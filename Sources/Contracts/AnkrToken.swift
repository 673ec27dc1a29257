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
struct AnkrToken: OZ2Token {
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

    static let abi = ContractABI(.ankr, strict: false, functions: erc20Entries(.ankr), events: [
        EventDef("Transfer(address indexed from, address indexed to, uint256 value)"),
        EventDef("Approval(address indexed owner, address indexed spender, uint256 value)"),
    ])
}
