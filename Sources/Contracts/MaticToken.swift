import Primitives

/// `MaticToken` (Solidity 0.5.2): `ERC20Pausable, ERC20Detailed` on OpenZeppelin 2.1,
/// as deployed at 0x7D1A…eBB0 ("Matic Token", MATIC, 18 decimals).
///
/// Storage, in inheritance order (ERC20, PauserRole, Pausable, ERC20Detailed):
/// ```
/// 0  mapping(address => uint256) _balances
/// 1  mapping(address => mapping(address => uint256)) _allowed
/// 2  uint256 _totalSupply
/// 3  Roles.Role _pausers            (its `bearer` mapping: keccak(account ‖ 3))
/// 4  bool _paused
/// 5  string _name   6  string _symbol   7  uint8 _decimals
/// ```
/// Every failure reverts with empty data, as OpenZeppelin 2.1 has no revert reasons.
struct MaticToken: OZ2Token {
    let address: Address
    let erc20: OZ2ERC20

    static let pausersSlot = UInt256(3)
    static let pausedSlot = UInt256(4)
    static let nameSlot = UInt256(5)
    static let symbolSlot = UInt256(6)
    static let decimalsSlot = UInt256(7)

    static let name = "Matic Token"
    static let symbol = "MATIC"
    static let decimals: UInt8 = 18

    static let pauserAdded = ABI.eventTopic("PauserAdded(address)")
    static let pauserRemoved = ABI.eventTopic("PauserRemoved(address)")
    static let pausedTopic = ABI.eventTopic("Paused(address)")
    static let unpausedTopic = ABI.eventTopic("Unpaused(address)")

    init(_ x: Exec) {
        address = x.addrs.matic
        erc20 = OZ2ERC20(token: address)
    }

    // MARK: ERC20Detailed

    func name(_ x: Exec) -> [UInt8] { x.sloadString(address, Self.nameSlot) }
    func symbol(_ x: Exec) -> [UInt8] { x.sloadString(address, Self.symbolSlot) }
    func decimals(_ x: Exec) -> UInt256 { x.sload(address, Self.decimalsSlot) & UInt256(0xff) }

    // MARK: PauserRole (Roles library: every lookup requires a non-zero account)

    func isPauser(_ x: Exec, _ account: Address) throws(Revert) -> Bool {
        try requireNoReason(!account.isZero)
        return x.sloadBool(address, Slot.mapping(account, Self.pausersSlot))
    }

    func onlyPauser(_ x: Exec, _ sender: Address) throws(Revert) {
        try requireNoReason(try isPauser(x, sender))
    }

    func addPauser(_ x: Exec, sender: Address, account: Address) throws(Revert) {
        try onlyPauser(x, sender)
        try _addPauser(x, account)
    }

    func renouncePauser(_ x: Exec, sender: Address) throws(Revert) {
        // Roles.remove: require(account != 0); require(has(role, account))
        try requireNoReason(try isPauser(x, sender))
        x.sstore(address, Slot.mapping(sender, Self.pausersSlot), .zero)
        x.emit(address, [Self.pauserRemoved, Hash(sender.value)])
    }

    func _addPauser(_ x: Exec, _ account: Address) throws(Revert) {
        try requireNoReason(!(try isPauser(x, account)))
        x.sstore(address, Slot.mapping(account, Self.pausersSlot), .one)
        x.emit(address, [Self.pauserAdded, Hash(account.value)])
    }

    // MARK: Pausable

    func paused(_ x: Exec) -> Bool { x.sloadBool(address, Self.pausedSlot) }

    func whenNotPaused(_ x: Exec) throws(Revert) { try requireNoReason(!paused(x)) }

    func pause(_ x: Exec, sender: Address) throws(Revert) {
        try onlyPauser(x, sender)
        try whenNotPaused(x)
        x.sstore(address, Self.pausedSlot, .one)
        x.emit(address, [Self.pausedTopic], sender.value.bytes32)
    }

    func unpause(_ x: Exec, sender: Address) throws(Revert) {
        try onlyPauser(x, sender)
        try requireNoReason(paused(x))
        x.sstore(address, Self.pausedSlot, .zero)
        x.emit(address, [Self.unpausedTopic], sender.value.bytes32)
    }

    // MARK: ERC20Pausable

    func transfer(_ x: Exec, sender: Address, to: Address, value: UInt256) throws(Revert) -> Bool {
        try whenNotPaused(x)
        return try erc20.transfer(x, sender: sender, to: to, value: value)
    }

    func transferFrom(_ x: Exec, sender: Address, from: Address, to: Address, value: UInt256) throws(Revert) -> Bool {
        try whenNotPaused(x)
        return try erc20.transferFrom(x, sender: sender, from: from, to: to, value: value)
    }

    func approve(_ x: Exec, sender: Address, spender: Address, value: UInt256) throws(Revert) -> Bool {
        try whenNotPaused(x)
        return try erc20.approve(x, sender: sender, spender: spender, value: value)
    }

    func increaseAllowance(_ x: Exec, sender: Address, spender: Address, addedValue: UInt256) throws(Revert) -> Bool {
        try whenNotPaused(x)
        return try erc20.increaseAllowance(x, sender: sender, spender: spender, addedValue: addedValue)
    }

    func decreaseAllowance(_ x: Exec, sender: Address, spender: Address, subtractedValue: UInt256) throws(Revert) -> Bool {
        try whenNotPaused(x)
        return try erc20.decreaseAllowance(x, sender: sender, spender: spender, subtractedValue: subtractedValue)
    }

    // MARK: genesis

    /// The constructor's effects: metadata and the pauser role for `pauser`.
    func construct(_ x: Exec, pauser: Address) {
        x.sstoreString(address, Self.nameSlot, Array(Self.name.utf8))
        x.sstoreString(address, Self.symbolSlot, Array(Self.symbol.utf8))
        x.sstore(address, Self.decimalsSlot, UInt256(UInt64(Self.decimals)))
        if !pauser.isZero {
            x.sstore(address, Slot.mapping(pauser, Self.pausersSlot), .one)
        }
    }

    // MARK: external interface

    static let abi = ContractABI(.matic, strict: false, functions: erc20Entries(.matic, allowanceReturns: "bool success") + [
        FunctionDef(.matic, "isPauser(address account)", returns: "bool", .view) { x, c in
            let account = try c.address(0)
            return Out.bool(try MaticToken(x).isPauser(x, account))
        },
        FunctionDef(.matic, "addPauser(address account)") { x, c in
            let account = try c.address(0)
            try MaticToken(x).addPauser(x, sender: c.sender, account: account)
            return Out.empty
        },
        FunctionDef(.matic, "renouncePauser()") { x, c in
            try MaticToken(x).renouncePauser(x, sender: c.sender)
            return Out.empty
        },
        FunctionDef(.matic, "paused()", returns: "bool", .view) { x, _ in Out.bool(MaticToken(x).paused(x)) },
        FunctionDef(.matic, "pause()") { x, c in
            try MaticToken(x).pause(x, sender: c.sender)
            return Out.empty
        },
        FunctionDef(.matic, "unpause()") { x, c in
            try MaticToken(x).unpause(x, sender: c.sender)
            return Out.empty
        },
    ], events: [
        EventDef("Transfer(address indexed from, address indexed to, uint256 value)"),
        EventDef("Approval(address indexed owner, address indexed spender, uint256 value)"),
        EventDef("PauserAdded(address indexed account)"),
        EventDef("PauserRemoved(address indexed account)"),
        EventDef("Paused(address account)"),
        EventDef("Unpaused(address account)"),
    ])
}
