import Primitives

/// `anvil_dealERC20` / `anvil_setERC20Balance` / `anvil_setERC20Allowance` for the four native
/// tokens (the pool is not a token). Storage is written in each contract's solc layout, so the
/// contract's own `balanceOf`/`allowance`/`totalSupply` read the result; no event is logged
/// (as with Anvil, which writes the storage slot).
///
/// Amounts are what `balanceOf`/`allowance` return. For aMATICb, whose storage holds shares,
/// the amount is in bonds and stored as `ceil(amount·ratio/1e18)` shares, as `approve` and
/// `mintBonds` convert: `balanceOf` then reads `amount` (at a ratio below 1e18 it can read up
/// to one share's worth more, the contract's own rounding).
extension NativeContracts {
    /// Sets `holder`'s balance of `token` and moves the total supply by the difference. For
    /// aMATICb the share supply moves, and aMATICc's mirror of it (aMATICc held by aMATICb's
    /// own address, which aMATICb mints and burns with every share) moves the same way.
    public func dealERC20(token: Address, holder: Address, amount: UInt256, state: WorldState) throws {
        let x = reader(state)
        do {
            switch addresses.kind(of: token) {
            case .matic: try MaticToken(x).erc20.deal(x, holder, amount)
            case .ankr: try AnkrToken(x).erc20.deal(x, holder, amount)
            case .aMATICc:
                _ = try setBalance(x, token, holder, amount, balances: AMaticC.balancesSlot, supply: AMaticC.totalSupplySlot)
            case .aMATICb:
                let b = AMaticB(x)
                let shares = (try? b.bondsToShares(x, amount)) ?? .max
                let (old, new) = try setBalance(x, token, holder, shares, balances: AMaticB.balancesSlot, supply: AMaticB.totalSupplySlot)
                let cert = b.certToken(x)
                if x.kind(of: cert) == .aMATICc, old != new {
                    // The certificate mirror: aMATICc at aMATICb's address and aMATICc's supply.
                    let held = x.sload(cert, Slot.mapping(token, AMaticC.balancesSlot))
                    let supply = x.sload(cert, AMaticC.totalSupplySlot)
                    if new > old {
                        guard let h = held.checkedAdd(new &- old), let s = supply.checkedAdd(new &- old) else { throw ContractsError.supplyOverflow }
                        x.sstore(cert, Slot.mapping(token, AMaticC.balancesSlot), h)
                        x.sstore(cert, AMaticC.totalSupplySlot, s)
                    } else {
                        let d = old &- new
                        x.sstore(cert, Slot.mapping(token, AMaticC.balancesSlot), held >= d ? held &- d : .zero)
                        x.sstore(cert, AMaticC.totalSupplySlot, supply >= d ? supply &- d : .zero)
                    }
                }
            default: throw ContractsError.notDealable(token)
            }
        } catch let e as ContractsError {
            throw e
        } catch {
            throw ContractsError.supplyOverflow
        }
    }

    /// Sets `owner`'s allowance for `spender` on `token` (aMATICb: `amount` in bonds, stored in
    /// shares as `approve` stores it; 2^256−1 stays 2^256−1).
    public func setERC20Allowance(token: Address, owner: Address, spender: Address, amount: UInt256, state: WorldState) throws {
        let x = reader(state)
        switch addresses.kind(of: token) {
        case .matic, .ankr:
            x.sstore(token, Slot.mapping(owner, spender, OZ2ERC20.allowedSlot), amount)
        case .aMATICc:
            x.sstore(token, Slot.mapping(owner, spender, AMaticC.allowancesSlot), amount)
        case .aMATICb:
            let shares = amount == .max ? .max : ((try? AMaticB(x).bondsToShares(x, amount)) ?? .max)
            x.sstore(token, Slot.mapping(owner, spender, AMaticB.allowancesSlot), shares)
        default:
            throw ContractsError.notDealable(token)
        }
    }

    /// Writes a balance slot and moves the supply slot by the difference; (old, new).
    private func setBalance(_ x: Exec, _ token: Address, _ holder: Address, _ amount: UInt256,
                            balances: UInt256, supply: UInt256) throws -> (UInt256, UInt256) {
        let slot = Slot.mapping(holder, balances)
        let old = x.sload(token, slot)
        let total = x.sload(token, supply)
        let newTotal: UInt256
        if amount >= old {
            guard let t = total.checkedAdd(amount &- old) else { throw ContractsError.supplyOverflow }
            newTotal = t
        } else {
            let d = old &- amount
            newTotal = total >= d ? total &- d : .zero
        }
        x.sstore(token, supply, newTotal)
        x.sstore(token, slot, amount)
        return (old, amount)
    }
}
