import Primitives

/// `aMATICc_R1` (Solidity 0.8, `OwnableUpgradeable, ERC165Upgradeable, ERC20Upgradeable,
/// ICertToken`): "Ankr Reward Bearing MATIC", the reward-bearing certificate. Balances are
/// plain shares (OpenZeppelin 4.3 ERC20: reasons on every failure, `transferFrom` moves the
/// tokens, then requires and lowers the allowance with an `Approval` event). Minted and
/// burned only by aMATICb (at aMATICb's own address) and moved by aMATICb when bonds are
/// locked or unlocked.
///
/// Storage, in inheritance order (Initializable, ContextUpgradeable, OwnableUpgradeable,
/// ERC165Upgradeable, ERC20Upgradeable, aMATICc_R1):
/// ```
///   0      bool _initialized, bool _initializing
///   1–50   ContextUpgradeable.__gap
///   51     address _owner                    52–100  __gap
///   101–150 ERC165Upgradeable.__gap
///   151    mapping(address => uint256) _balances
///   152    mapping(address => mapping(address => uint256)) _allowances
///   153    uint256 _totalSupply
///   154    string _name   155 string _symbol   156–200 __gap
///   201    address pool
///   202    address bondToken
/// ```
struct AMaticC: OwnableContract, UpgradeableERC20 {
    let address: Address

    static let initializedSlot = UInt256(0)
    static let ownerSlot = UInt256(51)
    static let balancesSlot = UInt256(151)
    static let allowancesSlot = UInt256(152)
    static let totalSupplySlot = UInt256(153)
    static let nameSlot = UInt256(154)
    static let symbolSlot = UInt256(155)
    static let poolSlot = UInt256(201)
    static let bondTokenSlot = UInt256(202)

    /// `__ERC20_init_unchained("Ankr MATIC Reward Bearing Certificate", "aMATICc")`; `name()`
    /// is overridden to return "Ankr Reward Bearing MATIC".
    static let storedName = "Ankr MATIC Reward Bearing Certificate"
    static let displayName = "Ankr Reward Bearing MATIC"
    static let initialSymbol = "aMATICc"

    static let poolContractChanged = ABI.eventTopic("PoolContractChanged(address,address)")
    static let bondTokenChanged = ABI.eventTopic("BondTokenChanged(address,address)")

    /// ERC-165 ids: IERC165, IOwnable (owner, renounceOwnership, transferOwnership) and
    /// ICertToken (the nine functions of aMATICc R1's ICertToken interface).
    static let ierc165Id: [UInt8] = [0x01, 0xff, 0xc9, 0xa7]
    static let iOwnableId = interfaceId(["owner()", "renounceOwnership()", "transferOwnership(address)"])
    static let iCertTokenId = interfaceId([
        "changePoolContract(address)", "changeBondToken(address)", "burn(address,uint256)", "mint(address,uint256)",
        "bondTransferTo(address,uint256)", "bondTransferFrom(address,uint256)", "balanceWithRewardsOf(address)",
        "isRebasing()", "ratio()",
    ])

    static func interfaceId(_ signatures: [String]) -> [UInt8] {
        var id: [UInt8] = [0, 0, 0, 0]
        for s in signatures {
            for (i, b) in ABI.selector(s).enumerated() { id[i] ^= b }
        }
        return id
    }

    init(_ x: Exec) { address = x.addrs.aMATICc }

    var ownable: Ownable { Ownable(contract: address, ownerSlot: Self.ownerSlot) }

    // MARK: - ERC20Upgradeable (OpenZeppelin 4.3)

    func name() -> String { Self.displayName }
    func symbol(_ x: Exec) -> [UInt8] { x.sloadString(address, Self.symbolSlot) }
    func totalSupply(_ x: Exec) -> UInt256 { x.sload(address, Self.totalSupplySlot) }
    func balanceOf(_ x: Exec, _ a: Address) -> UInt256 { x.sload(address, Slot.mapping(a, Self.balancesSlot)) }
    func allowance(_ x: Exec, _ owner: Address, _ spender: Address) -> UInt256 {
        x.sload(address, Slot.mapping(owner, spender, Self.allowancesSlot))
    }

    func transfer(_ x: Exec, sender: Address, recipient: Address, amount: UInt256) throws(Revert) -> Bool {
        try _transfer(x, sender, recipient, amount)
        return true
    }

    func approve(_ x: Exec, sender: Address, spender: Address, amount: UInt256) throws(Revert) -> Bool {
        try _approve(x, sender, spender, amount)
        return true
    }

    func transferFrom(_ x: Exec, msgSender: Address, sender: Address, recipient: Address, amount: UInt256) throws(Revert) -> Bool {
        try _transfer(x, sender, recipient, amount)
        let currentAllowance = allowance(x, sender, msgSender)
        try require(currentAllowance >= amount, "ERC20: transfer amount exceeds allowance")
        try _approve(x, sender, msgSender, currentAllowance &- amount)
        return true
    }

    func increaseAllowance(_ x: Exec, sender: Address, spender: Address, addedValue: UInt256) throws(Revert) -> Bool {
        try _approve(x, sender, spender, try Checked.add(allowance(x, sender, spender), addedValue))
        return true
    }

    func decreaseAllowance(_ x: Exec, sender: Address, spender: Address, subtractedValue: UInt256) throws(Revert) -> Bool {
        let currentAllowance = allowance(x, sender, spender)
        try require(currentAllowance >= subtractedValue, "ERC20: decreased allowance below zero")
        try _approve(x, sender, spender, currentAllowance &- subtractedValue)
        return true
    }

    func _transfer(_ x: Exec, _ sender: Address, _ recipient: Address, _ amount: UInt256) throws(Revert) {
        try require(!sender.isZero, "ERC20: transfer from the zero address")
        try require(!recipient.isZero, "ERC20: transfer to the zero address")
        let fromSlot = Slot.mapping(sender, Self.balancesSlot)
        let senderBalance = x.sload(address, fromSlot)
        try require(senderBalance >= amount, "ERC20: transfer amount exceeds balance")
        x.sstore(address, fromSlot, senderBalance &- amount)
        let toSlot = Slot.mapping(recipient, Self.balancesSlot)
        x.sstore(address, toSlot, try Checked.add(x.sload(address, toSlot), amount))
        x.emitTransfer(address, sender, recipient, amount)
    }

    func _mint(_ x: Exec, _ account: Address, _ amount: UInt256) throws(Revert) {
        try require(!account.isZero, "ERC20: mint to the zero address")
        x.sstore(address, Self.totalSupplySlot, try Checked.add(totalSupply(x), amount))
        let slot = Slot.mapping(account, Self.balancesSlot)
        x.sstore(address, slot, try Checked.add(x.sload(address, slot), amount))
        x.emitTransfer(address, .zero, account, amount)
    }

    func _burn(_ x: Exec, _ account: Address, _ amount: UInt256) throws(Revert) {
        try require(!account.isZero, "ERC20: burn from the zero address")
        let slot = Slot.mapping(account, Self.balancesSlot)
        let accountBalance = x.sload(address, slot)
        try require(accountBalance >= amount, "ERC20: burn amount exceeds balance")
        x.sstore(address, slot, accountBalance &- amount)
        x.sstore(address, Self.totalSupplySlot, try Checked.sub(totalSupply(x), amount))
        x.emitTransfer(address, account, .zero, amount)
    }

    func _approve(_ x: Exec, _ owner: Address, _ spender: Address, _ amount: UInt256) throws(Revert) {
        try require(!owner.isZero, "ERC20: approve from the zero address")
        try require(!spender.isZero, "ERC20: approve to the zero address")
        x.sstore(address, Slot.mapping(owner, spender, Self.allowancesSlot), amount)
        x.emitApproval(address, owner, spender, amount)
    }

    // MARK: - aMATICc_R1

    func pool(_ x: Exec) -> Address { x.sloadAddress(address, Self.poolSlot) }
    func bondToken(_ x: Exec) -> Address { x.sloadAddress(address, Self.bondTokenSlot) }

    func onlyMinter(_ x: Exec, _ sender: Address) throws(Revert) {
        try require(sender == pool(x) || sender == bondToken(x), "onlyMinter: not allowed")
    }

    func bondTransferTo(_ x: Exec, sender: Address, account: Address, amount: UInt256) throws(Revert) {
        try onlyMinter(x, sender)
        try _transfer(x, bondToken(x), account, amount)
    }

    func bondTransferFrom(_ x: Exec, sender: Address, account: Address, amount: UInt256) throws(Revert) {
        try onlyMinter(x, sender)
        try _transfer(x, account, bondToken(x), amount)
    }

    /// `IinternetBond_R1(bondToken).ratio()`.
    func ratio(_ x: Exec) throws(Revert) -> UInt256 {
        try x.call(from: address, to: bondToken(x), "ratio()", isStatic: true, returns: Out.uint) { kind throws(Revert) -> UInt256 in
            switch kind {
            case .aMATICb: return AMaticB(x).ratio(x)
            case .aMATICc: return try AMaticC(x).ratio(x)
            default: throw Revert.empty
            }
        }
    }

    func burn(_ x: Exec, sender: Address, account: Address, amount: UInt256) throws(Revert) {
        try onlyMinter(x, sender)
        try _burn(x, account, amount)
    }

    func mint(_ x: Exec, sender: Address, account: Address, amount: UInt256) throws(Revert) {
        try onlyMinter(x, sender)
        try _mint(x, account, amount)
    }

    func changePoolContract(_ x: Exec, sender: Address, _ newPool: Address) throws(Revert) {
        try ownable.changeAddress(x, sender: sender, slot: Self.poolSlot, event: Self.poolContractChanged, to: newPool)
    }

    func changeBondToken(_ x: Exec, sender: Address, _ newBondToken: Address) throws(Revert) {
        try ownable.changeAddress(x, sender: sender, slot: Self.bondTokenSlot, event: Self.bondTokenChanged, to: newBondToken)
    }

    /// `IinternetBond_R1(bondToken).sharesToBalance(this.balanceOf(account))`.
    func balanceWithRewardsOf(_ x: Exec, _ account: Address) throws(Revert) -> UInt256 {
        let shares = balanceOf(x, account)
        return try x.call(from: address, to: bondToken(x), "sharesToBalance(uint256)", [shares], isStatic: true,
                          returns: Out.uint) { kind throws(Revert) -> UInt256 in
            guard kind == .aMATICb else { throw Revert.empty }
            return try AMaticB(x).sharesToBalance(x, shares)
        }
    }

    func isRebasing() -> Bool { false }

    func supportsInterface(_ id: [UInt8]) -> Bool {
        id == Self.ierc165Id || id == Self.iOwnableId || id == Self.iCertTokenId
    }

    // MARK: - genesis

    /// `initialize(pool, bondToken)`: aMATICb's share supply at that time was minted to the
    /// bond token; at our genesis it is zero.
    func initialize(_ x: Exec, owner: Address, pool: Address, bondToken: Address) {
        x.sstore(address, Self.initializedSlot, .one)
        x.sstore(address, Self.ownerSlot, owner.value)
        x.sstoreString(address, Self.nameSlot, Array(Self.storedName.utf8))
        x.sstoreString(address, Self.symbolSlot, Array(Self.initialSymbol.utf8))
        x.sstore(address, Self.poolSlot, pool.value)
        x.sstore(address, Self.bondTokenSlot, bondToken.value)
    }

    // MARK: - external interface

    static let abi = ContractABI(.aMATICc, strict: true, functions: ownableEntries(.aMATICc) + [
        FunctionDef(.aMATICc, "supportsInterface(bytes4 interfaceId)", returns: "bool", .view) { x, c in
            let id = try c.bytes4(0)
            return Out.bool(AMaticC(x).supportsInterface(id))
        },
        FunctionDef(.aMATICc, "name()", returns: "string", .pure) { x, _ in Out.string(AMaticC(x).name()) },
        FunctionDef(.aMATICc, "symbol()", returns: "string", .view) { x, _ in Out.string(AMaticC(x).symbol(x)) },
    ] + erc20Entries(.aMATICc) + [
        FunctionDef(.aMATICc, "pool()", returns: "address", .view) { x, _ in Out.address(AMaticC(x).pool(x)) },
        FunctionDef(.aMATICc, "bondToken()", returns: "address", .view) { x, _ in Out.address(AMaticC(x).bondToken(x)) },
        FunctionDef(.aMATICc, "initialize(address polygonPool, address _bondToken)") { _, c in
            _ = try c.address(0); _ = try c.address(1)
            throw Revert.reason("Initializable: contract is already initialized")
        },
        FunctionDef(.aMATICc, "bondTransferTo(address account, uint256 amount)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticC(x).bondTransferTo(x, sender: c.sender, account: a, amount: v); return Out.empty
        },
        FunctionDef(.aMATICc, "bondTransferFrom(address account, uint256 amount)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticC(x).bondTransferFrom(x, sender: c.sender, account: a, amount: v); return Out.empty
        },
        FunctionDef(.aMATICc, "ratio()", returns: "uint256", .view) { x, _ in Out.uint(try AMaticC(x).ratio(x)) },
        FunctionDef(.aMATICc, "burn(address account, uint256 amount)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticC(x).burn(x, sender: c.sender, account: a, amount: v); return Out.empty
        },
        FunctionDef(.aMATICc, "mint(address account, uint256 amount)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticC(x).mint(x, sender: c.sender, account: a, amount: v); return Out.empty
        },
        FunctionDef(.aMATICc, "changePoolContract(address newPool)") { x, c in
            let a = try c.address(0)
            try AMaticC(x).changePoolContract(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.aMATICc, "changeBondToken(address newBondToken)") { x, c in
            let a = try c.address(0)
            try AMaticC(x).changeBondToken(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.aMATICc, "balanceWithRewardsOf(address account)", returns: "uint256", .view) { x, c in
            let a = try c.address(0)
            return Out.uint(try AMaticC(x).balanceWithRewardsOf(x, a))
        },
        FunctionDef(.aMATICc, "isRebasing()", returns: "bool", .pure) { _, _ in Out.bool(false) },
    ], events: [
        EventDef("Transfer(address indexed from, address indexed to, uint256 value)"),
        EventDef("Approval(address indexed owner, address indexed spender, uint256 value)"),
        EventDef("OwnershipTransferred(address indexed previousOwner, address indexed newOwner)"),
        EventDef("PoolContractChanged(address oldPool, address newPool)"),
        EventDef("BondTokenChanged(address oldBondToken, address newBondToken)"),
    ])
}
