import Primitives

// ABI entries several emulated contracts share, written once. Each family is a protocol the
// contracts already satisfy with their own methods (a family's signatures, parameter names
// included, are those of the Solidity base it stands for), and a builder of its entries.

/// A contract with OpenZeppelin's `OwnableUpgradeable`: aMATICb, aMATICc, PolygonPool.
protocol OwnableContract: Sendable {
    init(_ x: Exec)
    var ownable: Ownable { get }
}

extension OwnableContract {
    /// `owner()`, `renounceOwnership()`, `transferOwnership(address newOwner)`.
    static func ownableEntries(_ kind: ContractKind) -> [FunctionDef] {
        [
            FunctionDef(kind, "owner()", returns: "address", .view) { x, _ in Out.address(Self(x).ownable.owner(x)) },
            FunctionDef(kind, "renounceOwnership()") { x, c in
                try Self(x).ownable.renounceOwnership(x, sender: c.sender); return Out.empty
            },
            FunctionDef(kind, "transferOwnership(address newOwner)") { x, c in
                let a = try c.address(0)
                try Self(x).ownable.transferOwnership(x, sender: c.sender, newOwner: a); return Out.empty
            },
        ]
    }
}

/// The IERC20 functions of OpenZeppelin 4's `ERC20Upgradeable`, as aMATICb (ERC20BondBase)
/// and aMATICc expose them.
protocol UpgradeableERC20: Sendable {
    init(_ x: Exec)
    func totalSupply(_ x: Exec) throws(Revert) -> UInt256
    func balanceOf(_ x: Exec, _ account: Address) throws(Revert) -> UInt256
    func allowance(_ x: Exec, _ owner: Address, _ spender: Address) throws(Revert) -> UInt256
    func transfer(_ x: Exec, sender: Address, recipient: Address, amount: UInt256) throws(Revert) -> Bool
    func approve(_ x: Exec, sender: Address, spender: Address, amount: UInt256) throws(Revert) -> Bool
    func transferFrom(_ x: Exec, msgSender: Address, sender: Address, recipient: Address, amount: UInt256) throws(Revert) -> Bool
    func increaseAllowance(_ x: Exec, sender: Address, spender: Address, addedValue: UInt256) throws(Revert) -> Bool
    func decreaseAllowance(_ x: Exec, sender: Address, spender: Address, subtractedValue: UInt256) throws(Revert) -> Bool
}

extension UpgradeableERC20 {
    /// `decimals()` (18) through `decreaseAllowance`, with OpenZeppelin 4's parameter names.
    static func erc20Entries(_ kind: ContractKind) -> [FunctionDef] {
        [
            FunctionDef(kind, "decimals()", returns: "uint8", .view) { _, _ in Out.uint(UInt256(18)) },
            FunctionDef(kind, "totalSupply()", returns: "uint256", .view) { x, _ in Out.uint(try Self(x).totalSupply(x)) },
            FunctionDef(kind, "balanceOf(address account)", returns: "uint256", .view) { x, c in
                let a = try c.address(0)
                return Out.uint(try Self(x).balanceOf(x, a))
            },
            FunctionDef(kind, "transfer(address recipient, uint256 amount)", returns: "bool") { x, c in
                let to = try c.address(0), amount = try c.uint(1)
                return Out.bool(try Self(x).transfer(x, sender: c.sender, recipient: to, amount: amount))
            },
            FunctionDef(kind, "allowance(address owner, address spender)", returns: "uint256", .view) { x, c in
                let owner = try c.address(0), spender = try c.address(1)
                return Out.uint(try Self(x).allowance(x, owner, spender))
            },
            FunctionDef(kind, "approve(address spender, uint256 amount)", returns: "bool") { x, c in
                let spender = try c.address(0), amount = try c.uint(1)
                return Out.bool(try Self(x).approve(x, sender: c.sender, spender: spender, amount: amount))
            },
            FunctionDef(kind, "transferFrom(address sender, address recipient, uint256 amount)", returns: "bool") { x, c in
                let from = try c.address(0), to = try c.address(1), amount = try c.uint(2)
                return Out.bool(try Self(x).transferFrom(x, msgSender: c.sender, sender: from, recipient: to, amount: amount))
            },
            FunctionDef(kind, "increaseAllowance(address spender, uint256 addedValue)", returns: "bool") { x, c in
                let spender = try c.address(0), v = try c.uint(1)
                return Out.bool(try Self(x).increaseAllowance(x, sender: c.sender, spender: spender, addedValue: v))
            },
            FunctionDef(kind, "decreaseAllowance(address spender, uint256 subtractedValue)", returns: "bool") { x, c in
                let spender = try c.address(0), v = try c.uint(1)
                return Out.bool(try Self(x).decreaseAllowance(x, sender: c.sender, spender: spender, subtractedValue: v))
            },
        ]
    }
}

/// An OpenZeppelin 2.x `ERC20, ERC20Detailed` token (MATIC, ANKR). The writes default to the
/// plain `OZ2ERC20`; a token with more rules (MATIC's pause) provides its own.
protocol OZ2Token: Sendable {
    init(_ x: Exec)
    var erc20: OZ2ERC20 { get }
    func name(_ x: Exec) -> [UInt8]
    func symbol(_ x: Exec) -> [UInt8]
    func decimals(_ x: Exec) -> UInt256
    func transfer(_ x: Exec, sender: Address, to: Address, value: UInt256) throws(Revert) -> Bool
    func approve(_ x: Exec, sender: Address, spender: Address, value: UInt256) throws(Revert) -> Bool
    func transferFrom(_ x: Exec, sender: Address, from: Address, to: Address, value: UInt256) throws(Revert) -> Bool
    func increaseAllowance(_ x: Exec, sender: Address, spender: Address, addedValue: UInt256) throws(Revert) -> Bool
    func decreaseAllowance(_ x: Exec, sender: Address, spender: Address, subtractedValue: UInt256) throws(Revert) -> Bool
}

extension OZ2Token {
    func transfer(_ x: Exec, sender: Address, to: Address, value: UInt256) throws(Revert) -> Bool {
        try erc20.transfer(x, sender: sender, to: to, value: value)
    }
    func approve(_ x: Exec, sender: Address, spender: Address, value: UInt256) throws(Revert) -> Bool {
        try erc20.approve(x, sender: sender, spender: spender, value: value)
    }
    func transferFrom(_ x: Exec, sender: Address, from: Address, to: Address, value: UInt256) throws(Revert) -> Bool {
        try erc20.transferFrom(x, sender: sender, from: from, to: to, value: value)
    }
    func increaseAllowance(_ x: Exec, sender: Address, spender: Address, addedValue: UInt256) throws(Revert) -> Bool {
        try erc20.increaseAllowance(x, sender: sender, spender: spender, addedValue: addedValue)
    }
    func decreaseAllowance(_ x: Exec, sender: Address, spender: Address, subtractedValue: UInt256) throws(Revert) -> Bool {
        try erc20.decreaseAllowance(x, sender: sender, spender: spender, subtractedValue: subtractedValue)
    }

    /// `name()` through `decreaseAllowance`, with OpenZeppelin 2's parameter names;
    /// `allowanceReturns` names the bool of increase/decreaseAllowance as the token's source does.
    static func erc20Entries(_ kind: ContractKind, allowanceReturns: String = "bool") -> [FunctionDef] {
        [
            FunctionDef(kind, "name()", returns: "string", .view) { x, _ in Out.string(Self(x).name(x)) },
            FunctionDef(kind, "symbol()", returns: "string", .view) { x, _ in Out.string(Self(x).symbol(x)) },
            FunctionDef(kind, "decimals()", returns: "uint8", .view) { x, _ in Out.uint(Self(x).decimals(x)) },
            FunctionDef(kind, "totalSupply()", returns: "uint256", .view) { x, _ in Out.uint(Self(x).erc20.totalSupply(x)) },
            FunctionDef(kind, "balanceOf(address owner)", returns: "uint256", .view) { x, c in
                let owner = try c.address(0)
                return Out.uint(Self(x).erc20.balanceOf(x, owner))
            },
            FunctionDef(kind, "allowance(address owner, address spender)", returns: "uint256", .view) { x, c in
                let owner = try c.address(0), spender = try c.address(1)
                return Out.uint(Self(x).erc20.allowance(x, owner, spender))
            },
            FunctionDef(kind, "transfer(address to, uint256 value)", returns: "bool") { x, c in
                let to = try c.address(0), value = try c.uint(1)
                return Out.bool(try Self(x).transfer(x, sender: c.sender, to: to, value: value))
            },
            FunctionDef(kind, "approve(address spender, uint256 value)", returns: "bool") { x, c in
                let spender = try c.address(0), value = try c.uint(1)
                return Out.bool(try Self(x).approve(x, sender: c.sender, spender: spender, value: value))
            },
            FunctionDef(kind, "transferFrom(address from, address to, uint256 value)", returns: "bool") { x, c in
                let from = try c.address(0), to = try c.address(1), value = try c.uint(2)
                return Out.bool(try Self(x).transferFrom(x, sender: c.sender, from: from, to: to, value: value))
            },
            FunctionDef(kind, "increaseAllowance(address spender, uint256 addedValue)", returns: allowanceReturns) { x, c in
                let spender = try c.address(0), v = try c.uint(1)
                return Out.bool(try Self(x).increaseAllowance(x, sender: c.sender, spender: spender, addedValue: v))
            },
            FunctionDef(kind, "decreaseAllowance(address spender, uint256 subtractedValue)", returns: allowanceReturns) { x, c in
                let spender = try c.address(0), v = try c.uint(1)
                return Out.bool(try Self(x).decreaseAllowance(x, sender: c.sender, spender: spender, subtractedValue: v))
            },
        ]
    }
}
