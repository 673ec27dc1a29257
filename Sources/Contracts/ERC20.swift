import Primitives

/// OpenZeppelin 2.1 `ERC20` (Solidity 0.5), the base of the MATIC and ANKR tokens.
///
/// Storage (first in the inheritance order, so slots 0–2):
/// ```
/// 0  mapping(address => uint256) _balances
/// 1  mapping(address => mapping(address => uint256)) _allowed
/// 2  uint256 _totalSupply
/// ```
/// Failures revert with no data (SafeMath 2.1 and `require` without messages). `transferFrom`
/// lowers the allowance first, then moves the tokens, then logs `Approval` with what is left.
struct OZ2ERC20 {
    let token: Address

    static let balancesSlot = UInt256(0)
    static let allowedSlot = UInt256(1)
    static let totalSupplySlot = UInt256(2)

    func totalSupply(_ x: Exec) -> UInt256 { x.sload(token, Self.totalSupplySlot) }

    func balanceOf(_ x: Exec, _ owner: Address) -> UInt256 {
        x.sload(token, Slot.mapping(owner, Self.balancesSlot))
    }

    func allowance(_ x: Exec, _ owner: Address, _ spender: Address) -> UInt256 {
        x.sload(token, Slot.mapping(owner, spender, Self.allowedSlot))
    }

    func transfer(_ x: Exec, sender: Address, to: Address, value: UInt256) throws(Revert) -> Bool {
        try _transfer(x, from: sender, to: to, value: value)
        return true
    }

    func approve(_ x: Exec, sender: Address, spender: Address, value: UInt256) throws(Revert) -> Bool {
        try requireNoReason(!spender.isZero)
        x.sstore(token, Slot.mapping(sender, spender, Self.allowedSlot), value)
        x.emitApproval(token, sender, spender, value)
        return true
    }

    func transferFrom(_ x: Exec, sender: Address, from: Address, to: Address, value: UInt256) throws(Revert) -> Bool {
        let slot = Slot.mapping(from, sender, Self.allowedSlot)
        let remaining = try SafeMath2.sub(x.sload(token, slot), value)
        x.sstore(token, slot, remaining)
        try _transfer(x, from: from, to: to, value: value)
        x.emitApproval(token, from, sender, remaining)
        return true
    }

    func increaseAllowance(_ x: Exec, sender: Address, spender: Address, addedValue: UInt256) throws(Revert) -> Bool {
        try requireNoReason(!spender.isZero)
        let slot = Slot.mapping(sender, spender, Self.allowedSlot)
        let v = try SafeMath2.add(x.sload(token, slot), addedValue)
        x.sstore(token, slot, v)
        x.emitApproval(token, sender, spender, v)
        return true
    }

    func decreaseAllowance(_ x: Exec, sender: Address, spender: Address, subtractedValue: UInt256) throws(Revert) -> Bool {
        try requireNoReason(!spender.isZero)
        let slot = Slot.mapping(sender, spender, Self.allowedSlot)
        let v = try SafeMath2.sub(x.sload(token, slot), subtractedValue)
        x.sstore(token, slot, v)
        x.emitApproval(token, sender, spender, v)
        return true
    }

    func _transfer(_ x: Exec, from: Address, to: Address, value: UInt256) throws(Revert) {
        try requireNoReason(!to.isZero)
        let fromSlot = Slot.mapping(from, Self.balancesSlot)
        x.sstore(token, fromSlot, try SafeMath2.sub(x.sload(token, fromSlot), value))
        let toSlot = Slot.mapping(to, Self.balancesSlot)
        x.sstore(token, toSlot, try SafeMath2.add(x.sload(token, toSlot), value))
        x.emitTransfer(token, from, to, value)
    }

    /// `_mint` (constructor only on mainnet; here genesis). No event is recorded in a block.
    func mintWithoutLog(_ x: Exec, _ account: Address, _ value: UInt256) throws(Revert) {
        try requireNoReason(!account.isZero)
        x.sstore(token, Self.totalSupplySlot, try SafeMath2.add(totalSupply(x), value))
        let slot = Slot.mapping(account, Self.balancesSlot)
        x.sstore(token, slot, try SafeMath2.add(x.sload(token, slot), value))
    }

    /// `anvil_dealERC20`: sets a balance and moves the total supply by the difference.
    func deal(_ x: Exec, _ holder: Address, _ amount: UInt256) throws(Revert) {
        let slot = Slot.mapping(holder, Self.balancesSlot)
        let old = x.sload(token, slot)
        let supply = totalSupply(x)
        let newSupply = amount >= old ? try SafeMath2.add(supply, amount &- old) : try SafeMath2.sub(supply, old &- amount)
        x.sstore(token, Self.totalSupplySlot, newSupply)
        x.sstore(token, slot, amount)
    }
}
