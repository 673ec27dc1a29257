import Primitives

/// `aMATICb_R7` (Solidity 0.8, `OwnableUpgradeable, ERC20BondBase, IinternetBond_R3`):
/// "Ankr MATIC Reward Earning Bond", the rebasing bond token.
///
/// Balances are stored in shares; `balanceOf`/`totalSupply`/`allowance` show bonds
/// (`shares·1e18/ratio`, floored); amounts passed in are bonds turned into shares with
/// `ceil(bonds·ratio/1e18)`. ERC20BondBase is OpenZeppelin 4.3's ERC20 with its events
/// removed, so every event here is the one aMATICb emits itself, in bonds recomputed from
/// the share delta. Every share minted or burned mints or burns the same number of aMATICc
/// at aMATICb's own address.
///
/// Note on `transferFrom`: ERC20BondBase moves the shares first, then requires the
/// allowance (in shares) to cover them ("ERC20: transfer amount exceeds allowance") and
/// lowers it without an `Approval` event. There is no "infinite allowance" special case:
/// a spender without allowance cannot move a non-zero amount.
///
/// Storage, in inheritance order (Initializable, ContextUpgradeable, OwnableUpgradeable,
/// ERC20BondBase, aMATICb_R7):
/// ```
///   0      bool _initialized, bool _initializing
///   1–50   ContextUpgradeable.__gap
///   51     address _owner          52–100 __gap
///   101    mapping(address => uint256) _balances              (shares)
///   102    mapping(address => mapping(address => uint256)) _allowances   (shares)
///   103    uint256 _totalSupply                                (shares)
///   104    string _name   105 string _symbol                   106–150 __gap
///   151    address _operator
///   152    address _crossChainBridge
///   153    address _polygonPool
///   154    uint256 _ratio
///   155    int256 _lockedShares
///   156    mapping(address => uint256) _pendingBurn
///   157    uint256 _pendingBurnsTotal
///   158    uint256 _collectableFee
///   159    string _name   160 string _symbol   (overrides, empty unless setNameAndSymbol)
///   161    address certToken
///   162    address swapFeeOperator
///   163    uint256 swapFeeRatio
/// ```
struct AMaticB: OwnableContract, UpgradeableERC20 {
    let address: Address

    static let initializedSlot = UInt256(0)
    static let ownerSlot = UInt256(51)
    static let balancesSlot = UInt256(101)
    static let allowancesSlot = UInt256(102)
    static let totalSupplySlot = UInt256(103)
    static let baseNameSlot = UInt256(104)
    static let baseSymbolSlot = UInt256(105)
    static let operatorSlot = UInt256(151)
    static let crossChainBridgeSlot = UInt256(152)
    static let polygonPoolSlot = UInt256(153)
    static let ratioSlot = UInt256(154)
    static let lockedSharesSlot = UInt256(155)
    static let pendingBurnSlot = UInt256(156)
    static let pendingBurnsTotalSlot = UInt256(157)
    static let collectableFeeSlot = UInt256(158)
    static let nameSlot = UInt256(159)
    static let symbolSlot = UInt256(160)
    static let certTokenSlot = UInt256(161)
    static let swapFeeOperatorSlot = UInt256(162)
    static let swapFeeRatioSlot = UInt256(163)

    static let initialName = "Ankr MATIC Reward Earning Bond"
    static let initialSymbol = "aMATICb"

    static let ratioUpdate = ABI.eventTopic("RatioUpdate(uint256)")
    static let certTokenChanged = ABI.eventTopic("CertTokenChanged(address,address)")
    static let swapFeeOperatorChanged = ABI.eventTopic("SwapFeeOperatorChanged(address,address)")
    static let swapFeeRatioUpdate = ABI.eventTopic("SwapFeeRatioUpdate(uint256)")

    init(_ x: Exec) { address = x.addrs.aMATICb }

    var ownable: Ownable { Ownable(contract: address, ownerSlot: Self.ownerSlot) }

    // MARK: - ERC20BondBase (shares, no events)

    func baseTotalSupply(_ x: Exec) -> UInt256 { x.sload(address, Self.totalSupplySlot) }
    func baseBalanceOf(_ x: Exec, _ a: Address) -> UInt256 { x.sload(address, Slot.mapping(a, Self.balancesSlot)) }
    func baseAllowance(_ x: Exec, _ owner: Address, _ spender: Address) -> UInt256 {
        x.sload(address, Slot.mapping(owner, spender, Self.allowancesSlot))
    }

    func baseTransfer(_ x: Exec, _ sender: Address, _ recipient: Address, _ amount: UInt256) throws(Revert) {
        try require(!sender.isZero, "ERC20: transfer from the zero address")
        try require(!recipient.isZero, "ERC20: transfer to the zero address")
        let fromSlot = Slot.mapping(sender, Self.balancesSlot)
        let senderBalance = x.sload(address, fromSlot)
        try require(senderBalance >= amount, "ERC20: transfer amount exceeds balance")
        x.sstore(address, fromSlot, senderBalance &- amount)
        let toSlot = Slot.mapping(recipient, Self.balancesSlot)
        x.sstore(address, toSlot, try Checked.add(x.sload(address, toSlot), amount))
    }

    func baseMint(_ x: Exec, _ account: Address, _ amount: UInt256) throws(Revert) {
        try require(!account.isZero, "ERC20: mint to the zero address")
        x.sstore(address, Self.totalSupplySlot, try Checked.add(baseTotalSupply(x), amount))
        let slot = Slot.mapping(account, Self.balancesSlot)
        x.sstore(address, slot, try Checked.add(x.sload(address, slot), amount))
    }

    func baseBurn(_ x: Exec, _ account: Address, _ amount: UInt256) throws(Revert) {
        try require(!account.isZero, "ERC20: burn from the zero address")
        let slot = Slot.mapping(account, Self.balancesSlot)
        let accountBalance = x.sload(address, slot)
        try require(accountBalance >= amount, "ERC20: burn amount exceeds balance")
        x.sstore(address, slot, accountBalance &- amount)
        x.sstore(address, Self.totalSupplySlot, try Checked.sub(baseTotalSupply(x), amount))
    }

    func baseApprove(_ x: Exec, _ owner: Address, _ spender: Address, _ amount: UInt256) throws(Revert) {
        try require(!owner.isZero, "ERC20: approve from the zero address")
        try require(!spender.isZero, "ERC20: approve to the zero address")
        x.sstore(address, Slot.mapping(owner, spender, Self.allowancesSlot), amount)
    }

    func baseTransferFrom(_ x: Exec, msgSender: Address, _ sender: Address, _ recipient: Address, _ amount: UInt256) throws(Revert) {
        try baseTransfer(x, sender, recipient, amount)
        let currentAllowance = baseAllowance(x, sender, msgSender)
        try require(currentAllowance >= amount, "ERC20: transfer amount exceeds allowance")
        try baseApprove(x, sender, msgSender, currentAllowance &- amount)
    }

    // MARK: - ratio

    func ratio(_ x: Exec) -> UInt256 { x.sload(address, Self.ratioSlot) }

    func isRebasing() -> Bool { true }

    func onlyOperator(_ x: Exec, _ sender: Address) throws(Revert) {
        try require(sender == ownable.owner(x) || sender == x.sloadAddress(address, Self.operatorSlot), "Operator: not allowed")
    }
    func onlyMinter(_ x: Exec, _ sender: Address) throws(Revert) {
        try require(sender == x.sloadAddress(address, Self.crossChainBridgeSlot), "Minter: not allowed")
    }
    func onlyBondMinter(_ x: Exec, _ sender: Address) throws(Revert) {
        try require(sender == x.sloadAddress(address, Self.polygonPoolSlot), "Minter: not allowed")
    }

    func updateRatio(_ x: Exec, sender: Address, newRatio: UInt256) throws(Revert) {
        try onlyOperator(x, sender)
        try require(newRatio <= Units.e18, "new ratio should be less or equal to 1e18")
        x.sstore(address, Self.ratioSlot, newRatio)
        x.emit(address, [Self.ratioUpdate], newRatio.bytes32)
    }

    func repairRatio(_ x: Exec, sender: Address, newRatio: UInt256) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.ratioSlot, newRatio)
        x.emit(address, [Self.ratioUpdate], newRatio.bytes32)
    }

    func collectableFee(_ x: Exec) -> UInt256 { x.sload(address, Self.collectableFeeSlot) }

    func repairCollectableFee(_ x: Exec, sender: Address, newFee: UInt256) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.collectableFeeSlot, newFee)
    }

    func updateRatioAndFee(_ x: Exec, sender: Address, newRatio: UInt256, newFee: UInt256) throws(Revert) {
        try onlyOperator(x, sender)
        let r = ratio(x)
        let threshold = r.quotientAndRemainder(dividingBy: UInt256(500)).quotient
        // `newRatio < _ratio.add(threshold) || newRatio > _ratio.sub(threshold)`, short-circuit
        var inLimits = newRatio < (try Checked.add(r, threshold))
        if !inLimits { inLimits = newRatio > (try Checked.sub(r, threshold)) }
        try require(inLimits, "New ratio should be in limits")
        try require(newRatio <= Units.e18, "new ratio should be less or equal to 1e18")
        x.sstore(address, Self.ratioSlot, newRatio)
        x.sstore(address, Self.collectableFeeSlot, newFee)
        x.emit(address, [Self.ratioUpdate], newRatio.bytes32)
    }

    // MARK: - supply and balances

    func totalSupply(_ x: Exec) throws(Revert) -> UInt256 { try sharesToBonds(x, totalSharesSupply(x)) }
    func totalSharesSupply(_ x: Exec) -> UInt256 { baseTotalSupply(x) }
    func totalSharesSupplyWithBurns(_ x: Exec) throws(Revert) -> UInt256 {
        try Checked.add(totalSharesSupply(x), try bondsToShares(x, x.sload(address, Self.pendingBurnsTotalSlot)))
    }
    func balanceOf(_ x: Exec, _ account: Address) throws(Revert) -> UInt256 {
        try sharesToBonds(x, baseBalanceOf(x, account))
    }
    func sharesOf(_ x: Exec, _ account: Address) -> UInt256 { baseBalanceOf(x, account) }

    // MARK: - mint and burn

    func mintBonds(_ x: Exec, sender: Address, account: Address, amount: UInt256) throws(Revert) {
        try onlyBondMinter(x, sender)
        let shares = try bondsToShares(x, amount)
        try _mint(x, account, shares)
        x.emitTransfer(address, .zero, account, try sharesToBonds(x, shares))
    }

    /// Bridge mint (shares), `onlyMinter`.
    func mint(_ x: Exec, sender: Address, account: Address, shares: UInt256) throws(Revert) {
        try onlyMinter(x, sender)
        let locked = x.sload(address, Self.lockedSharesSlot)
        let lowered = try Checked.subSigned(locked, shares)   // int256(shares) reinterprets the bits
        try require(Checked.lessOrEqualSigned(lowered, locked), "aMATICb: lockedShares overflow")
        x.sstore(address, Self.lockedSharesSlot, try Checked.subSigned(locked, shares))
        try _mint(x, account, shares)
        x.emitTransfer(address, .zero, account, try sharesToBonds(x, shares))
    }

    /// Bridge burn (bonds), `onlyMinter`.
    func burn(_ x: Exec, sender: Address, account: Address, amount: UInt256) throws(Revert) {
        try onlyMinter(x, sender)
        let shares = try bondsToShares(x, amount)
        x.sstore(address, Self.lockedSharesSlot, try Checked.addSigned(x.sload(address, Self.lockedSharesSlot), shares))
        try _burn(x, account, shares)
        x.emitTransfer(address, account, .zero, try sharesToBonds(x, shares))
    }

    func _mint(_ x: Exec, _ account: Address, _ shares: UInt256) throws(Revert) {
        try baseMint(x, account, shares)
        try certMint(x, address, shares)
    }

    func _burn(_ x: Exec, _ account: Address, _ shares: UInt256) throws(Revert) {
        try baseBurn(x, account, shares)
        try certBurn(x, address, shares)
    }

    func pendingBurn(_ x: Exec, _ account: Address) -> UInt256 {
        x.sload(address, Slot.mapping(account, Self.pendingBurnSlot))
    }

    func burnBonds(_ x: Exec, sender: Address, burner: Address, recipient: Address, amount: UInt256) throws(Revert) {
        try onlyBondMinter(x, sender)
        let slot = Slot.mapping(recipient, Self.pendingBurnSlot)
        x.sstore(address, slot, try Checked.add(x.sload(address, slot), amount))
        x.sstore(address, Self.pendingBurnsTotalSlot, try Checked.add(x.sload(address, Self.pendingBurnsTotalSlot), amount))
        let shares = try bondsToShares(x, amount)
        try _burn(x, burner, shares)
        x.emitTransfer(address, burner, .zero, try sharesToBonds(x, shares))
    }

    func commitBurn(_ x: Exec, sender: Address, account: Address, amount: UInt256) throws(Revert) {
        try onlyBondMinter(x, sender)
        let total = x.sload(address, Self.pendingBurnsTotalSlot)
        try require(total >= amount, "aMATICb: total pending burn is less than amount")
        let slot = Slot.mapping(account, Self.pendingBurnSlot)
        let pending = x.sload(address, slot)
        try require(pending >= amount, "aMATICb: pending burn is less than amount")
        x.sstore(address, slot, pending &- amount)
        x.sstore(address, Self.pendingBurnsTotalSlot, total &- amount)
    }

    func migrateBurnDelayed(_ x: Exec, sender: Address, claimer: Address, amount: UInt256) throws(Revert) {
        try onlyBondMinter(x, sender)
        let burnableAmount = pendingBurn(x, claimer)
        try require(burnableAmount >= amount, "aMATICb: pending burn greater than amount")
        try require(x.sload(address, Self.pendingBurnsTotalSlot) >= amount, "aMATICb: total burn greater than amount")
        let shares = try bondsToShares(x, amount)
        try _burn(x, claimer, shares)
        x.emitTransfer(address, claimer, .zero, try sharesToBonds(x, shares))
    }

    // MARK: - ERC-20 in bonds

    func transfer(_ x: Exec, sender: Address, recipient: Address, amount: UInt256) throws(Revert) -> Bool {
        let shares = try bondsToShares(x, amount)
        try baseTransfer(x, sender, recipient, shares)
        x.emitTransfer(address, sender, recipient, try sharesToBonds(x, shares))
        return true
    }

    func transferShares(_ x: Exec, _ sender: Address, _ recipient: Address, _ shares: UInt256) throws(Revert) {
        try baseTransfer(x, sender, recipient, shares)
        x.emitTransfer(address, sender, recipient, try sharesToBonds(x, shares))
    }

    func allowance(_ x: Exec, _ owner: Address, _ spender: Address) throws(Revert) -> UInt256 {
        try sharesToBonds(x, baseAllowance(x, owner, spender))
    }

    func approve(_ x: Exec, sender: Address, spender: Address, amount: UInt256) throws(Revert) -> Bool {
        let shares = try bondsToShares(x, amount)
        try baseApprove(x, sender, spender, shares)
        x.emitApproval(address, sender, spender, try allowance(x, sender, spender))
        return true
    }

    func transferFrom(_ x: Exec, msgSender: Address, sender: Address, recipient: Address, amount: UInt256) throws(Revert) -> Bool {
        let shares = try bondsToShares(x, amount)
        try baseTransferFrom(x, msgSender: msgSender, sender, recipient, shares)
        x.emitTransfer(address, sender, recipient, try sharesToBonds(x, shares))
        return true
    }

    func increaseAllowance(_ x: Exec, sender: Address, spender: Address, addedValue: UInt256) throws(Revert) -> Bool {
        let shares = try bondsToShares(x, addedValue)
        try baseApprove(x, sender, spender, try Checked.add(baseAllowance(x, sender, spender), shares))
        x.emitApproval(address, sender, spender, try allowance(x, sender, spender))
        return true
    }

    func decreaseAllowance(_ x: Exec, sender: Address, spender: Address, subtractedValue: UInt256) throws(Revert) -> Bool {
        let shares = try bondsToShares(x, subtractedValue)
        let currentAllowance = baseAllowance(x, sender, spender)
        try require(currentAllowance >= shares, "ERC20: decreased allowance below zero")
        try baseApprove(x, sender, spender, currentAllowance &- shares)
        x.emitApproval(address, sender, spender, try allowance(x, sender, spender))
        return true
    }

    // MARK: - conversions

    func bondsToShares(_ x: Exec, _ amount: UInt256) throws(Revert) -> UInt256 {
        try AMaticB.safeCeilMultiplyAndDivide(amount, ratio(x), Units.e18)
    }
    func sharesToBonds(_ x: Exec, _ amount: UInt256) throws(Revert) -> UInt256 {
        try AMaticB.safeFloorMultiplyAndDivide(amount, Units.e18, ratio(x))
    }
    func sharesToBalance(_ x: Exec, _ amount: UInt256) throws(Revert) -> UInt256 { try sharesToBonds(x, amount) }
    func balanceToShares(_ x: Exec, _ amount: UInt256) throws(Revert) -> UInt256 { try bondsToShares(x, amount) }

    func getSwapFeeInBonds(_ x: Exec, _ bonds: UInt256) throws(Revert) -> UInt256 {
        let shares = try balanceToShares(x, bonds)
        let feeInShares = try getSwapFeeInShares(x, shares)
        return try sharesToBalance(x, feeInShares)
    }
    func getSwapFeeInShares(_ x: Exec, _ shares: UInt256) throws(Revert) -> UInt256 {
        try AMaticB.safeCeilMultiplyAndDivide(shares, x.sload(address, Self.swapFeeRatioSlot), Units.e18)
    }

    /// floor(a·b/c) as `(a/c)·b + (a%c)·b/c`, 2^256−1 when the first product or the sum
    /// overflows. `a%c·b` is checked arithmetic (Panic 0x11) and c = 0 is Panic 0x12, as in
    /// the source; neither happens with c = 1e18 or a ratio ≤ 1e18.
    static func safeFloorMultiplyAndDivide(_ a: UInt256, _ b: UInt256, _ c: UInt256) throws(Revert) -> UInt256 {
        let remainder = try Checked.mod(a, c)
        let quotient = try Checked.div(a, c)
        guard let r1 = quotient.checkedMul(b) else { return .max }
        let tail = try Checked.div(try Checked.mul(remainder, b), c)
        guard let r2 = r1.checkedAdd(tail) else { return .max }
        return r2
    }

    /// ceil(a·b/c) as `(a/c)·b + ((a%c)·b + c − 1)/c`, saturating like the floor version.
    static func safeCeilMultiplyAndDivide(_ a: UInt256, _ b: UInt256, _ c: UInt256) throws(Revert) -> UInt256 {
        let remainder = try Checked.mod(a, c)
        let quotient = try Checked.div(a, c)
        guard let r1 = quotient.checkedMul(b) else { return .max }
        let tail = try Checked.div(try Checked.add(try Checked.mul(remainder, b), try Checked.sub(c, .one)), c)
        guard let r2 = r1.checkedAdd(tail) else { return .max }
        return r2
    }

    // MARK: - admin

    func changeOperator(_ x: Exec, sender: Address, _ a: Address) throws(Revert) {
        try ownable.check(x, sender); x.sstore(address, Self.operatorSlot, a.value)
    }
    func changePolygonPool(_ x: Exec, sender: Address, _ a: Address) throws(Revert) {
        try ownable.check(x, sender); x.sstore(address, Self.polygonPoolSlot, a.value)
    }
    func changeCrossChainBridge(_ x: Exec, sender: Address, _ a: Address) throws(Revert) {
        try ownable.check(x, sender); x.sstore(address, Self.crossChainBridgeSlot, a.value)
    }

    func lockedSupply(_ x: Exec) -> UInt256 { x.sload(address, Self.lockedSharesSlot) }

    func name(_ x: Exec) -> [UInt8] {
        let n = x.sloadString(address, Self.nameSlot)
        return n.isEmpty ? x.sloadString(address, Self.baseNameSlot) : n
    }
    func symbol(_ x: Exec) -> [UInt8] {
        let s = x.sloadString(address, Self.symbolSlot)
        return s.isEmpty ? x.sloadString(address, Self.baseSymbolSlot) : s
    }

    func setNameAndSymbol(_ x: Exec, sender: Address, name: [UInt8], symbol: [UInt8]) throws(Revert) {
        try onlyOperator(x, sender)
        x.sstoreString(address, Self.nameSlot, name)
        x.sstoreString(address, Self.symbolSlot, symbol)
    }

    func certToken(_ x: Exec) -> Address { x.sloadAddress(address, Self.certTokenSlot) }
    func swapFeeOperator(_ x: Exec) -> Address { x.sloadAddress(address, Self.swapFeeOperatorSlot) }
    func swapFeeRatio(_ x: Exec) -> UInt256 { x.sload(address, Self.swapFeeRatioSlot) }

    func changeCertToken(_ x: Exec, sender: Address, _ newCertToken: Address) throws(Revert) {
        try ownable.changeAddress(x, sender: sender, slot: Self.certTokenSlot, event: Self.certTokenChanged, to: newCertToken)
    }

    func changeSwapFeeOperator(_ x: Exec, sender: Address, _ newOperator: Address) throws(Revert) {
        try ownable.changeAddress(x, sender: sender, slot: Self.swapFeeOperatorSlot, event: Self.swapFeeOperatorChanged, to: newOperator)
    }

    func updateSwapFeeRatio(_ x: Exec, sender: Address, _ newRatio: UInt256) throws(Revert) {
        try ownable.check(x, sender)
        try require(newRatio <= Units.e16, "swapFee must be not greater that 1%")
        x.sstore(address, Self.swapFeeRatioSlot, newRatio)
        x.emit(address, [Self.swapFeeRatioUpdate], newRatio.bytes32)
    }

    // MARK: - bonds ⇄ certificates

    func unlockShares(_ x: Exec, sender: Address, shares: UInt256) throws(Revert) {
        try _unlockShares(x, sender, shares, takeFee: true)
    }

    func unlockSharesFor(_ x: Exec, sender: Address, account: Address, bonds: UInt256) throws(Revert) {
        try onlyBondMinter(x, sender)
        let shares = try balanceToShares(x, bonds)
        try _unlockShares(x, account, shares, takeFee: false)
    }

    func _unlockShares(_ x: Exec, _ account: Address, _ shares: UInt256, takeFee: Bool) throws(Revert) {
        try require(sharesOf(x, account) >= shares, "Insufficient aMATICb balance")
        let fee = takeFee ? try getSwapFeeInShares(x, shares) : .zero
        // address(this) holds the aMATICb shares that back the aMATICc in circulation
        try transferShares(x, account, address, try Checked.sub(shares, fee))
        if !fee.isZero {
            try transferShares(x, account, swapFeeOperator(x), fee)
        }
        try certBondTransferTo(x, account, try Checked.sub(shares, fee))
    }

    func lockShares(_ x: Exec, sender: Address, shares: UInt256) throws(Revert) {
        try _lockShares(x, sender, shares, takeFee: true)
    }

    func lockSharesFor(_ x: Exec, sender: Address, account: Address, shares: UInt256) throws(Revert) {
        try onlyBondMinter(x, sender)
        try _lockShares(x, account, shares, takeFee: false)
    }

    func _lockShares(_ x: Exec, _ account: Address, _ shares: UInt256, takeFee: Bool) throws(Revert) {
        try require(try certBalanceOf(x, account) >= shares, "Insufficient aMATICc balance")
        let fee = takeFee ? try getSwapFeeInShares(x, shares) : .zero
        try certBondTransferFrom(x, account, shares)
        try transferShares(x, address, account, try Checked.sub(shares, fee))
        if !fee.isZero {
            try transferShares(x, address, swapFeeOperator(x), fee)
        }
    }

    // MARK: - calls to the certificate token (msg.sender = aMATICb)

    /// `ICertToken(certToken).mint(account, amount)`.
    func certMint(_ x: Exec, _ account: Address, _ amount: UInt256) throws(Revert) {
        try x.call(from: address, to: certToken(x), "mint(address,uint256)", [account.value, amount]) { kind throws(Revert) in
            switch kind {
            case .aMATICc: try AMaticC(x).mint(x, sender: address, account: account, amount: amount)
            case .aMATICb: try AMaticB(x).mint(x, sender: address, account: account, shares: amount)
            default: throw Revert.empty   // no such function
            }
        }
    }

    /// `ICertToken(certToken).burn(account, amount)`.
    func certBurn(_ x: Exec, _ account: Address, _ amount: UInt256) throws(Revert) {
        try x.call(from: address, to: certToken(x), "burn(address,uint256)", [account.value, amount]) { kind throws(Revert) in
            switch kind {
            case .aMATICc: try AMaticC(x).burn(x, sender: address, account: account, amount: amount)
            case .aMATICb: try AMaticB(x).burn(x, sender: address, account: account, amount: amount)
            default: throw Revert.empty
            }
        }
    }

    func certBondTransferTo(_ x: Exec, _ account: Address, _ amount: UInt256) throws(Revert) {
        try x.call(from: address, to: certToken(x), "bondTransferTo(address,uint256)", [account.value, amount]) { kind throws(Revert) in
            guard kind == .aMATICc else { throw Revert.empty }
            try AMaticC(x).bondTransferTo(x, sender: address, account: account, amount: amount)
        }
    }

    func certBondTransferFrom(_ x: Exec, _ account: Address, _ amount: UInt256) throws(Revert) {
        try x.call(from: address, to: certToken(x), "bondTransferFrom(address,uint256)", [account.value, amount]) { kind throws(Revert) in
            guard kind == .aMATICc else { throw Revert.empty }
            try AMaticC(x).bondTransferFrom(x, sender: address, account: account, amount: amount)
        }
    }

    /// `IERC20Upgradeable(certToken).balanceOf(account)`.
    func certBalanceOf(_ x: Exec, _ account: Address) throws(Revert) -> UInt256 {
        try ERC20Calls.balanceOf(x, from: address, token: certToken(x), account: account)
    }

    // MARK: - genesis

    /// `initialize(operator)` plus the owner's later configuration calls.
    func initialize(_ x: Exec, owner: Address, operator: Address, pool: Address, certToken: Address, swapFeeOperator: Address) {
        x.sstore(address, Self.initializedSlot, .one)
        x.sstore(address, Self.ownerSlot, owner.value)
        x.sstoreString(address, Self.baseNameSlot, Array(Self.initialName.utf8))
        x.sstoreString(address, Self.baseSymbolSlot, Array(Self.initialSymbol.utf8))
        x.sstore(address, Self.operatorSlot, `operator`.value)
        x.sstore(address, Self.ratioSlot, Units.e18)
        x.sstore(address, Self.polygonPoolSlot, pool.value)
        x.sstore(address, Self.certTokenSlot, certToken.value)
        x.sstore(address, Self.swapFeeOperatorSlot, swapFeeOperator.value)
    }

    // MARK: - external interface

    static let abi = ContractABI(.aMATICb, strict: true, functions: ownableEntries(.aMATICb) + [
        // ERC20BondBase / IERC20Metadata
        FunctionDef(.aMATICb, "name()", returns: "string", .view) { x, _ in Out.string(AMaticB(x).name(x)) },
        FunctionDef(.aMATICb, "symbol()", returns: "string", .view) { x, _ in Out.string(AMaticB(x).symbol(x)) },
    ] + erc20Entries(.aMATICb) + [
        // aMATICb_R7
        FunctionDef(.aMATICb, "initialize(address operator)") { _, c in
            _ = try c.address(0)
            throw Revert.reason("Initializable: contract is already initialized")
        },
        FunctionDef(.aMATICb, "ratio()", returns: "uint256", .view) { x, _ in Out.uint(AMaticB(x).ratio(x)) },
        FunctionDef(.aMATICb, "isRebasing()", returns: "bool", .pure) { _, _ in Out.bool(true) },
        FunctionDef(.aMATICb, "updateRatio(uint256 newRatio)") { x, c in
            let r = try c.uint(0)
            try AMaticB(x).updateRatio(x, sender: c.sender, newRatio: r); return Out.empty
        },
        FunctionDef(.aMATICb, "repairRatio(uint256 newRatio)") { x, c in
            let r = try c.uint(0)
            try AMaticB(x).repairRatio(x, sender: c.sender, newRatio: r); return Out.empty
        },
        FunctionDef(.aMATICb, "collectableFee()", returns: "uint256", .view) { x, _ in Out.uint(AMaticB(x).collectableFee(x)) },
        FunctionDef(.aMATICb, "repairCollectableFee(uint256 newFee)") { x, c in
            let f = try c.uint(0)
            try AMaticB(x).repairCollectableFee(x, sender: c.sender, newFee: f); return Out.empty
        },
        FunctionDef(.aMATICb, "updateRatioAndFee(uint256 newRatio, uint256 newFee)") { x, c in
            let r = try c.uint(0), f = try c.uint(1)
            try AMaticB(x).updateRatioAndFee(x, sender: c.sender, newRatio: r, newFee: f); return Out.empty
        },
        FunctionDef(.aMATICb, "totalSharesSupply()", returns: "uint256", .view) { x, _ in Out.uint(AMaticB(x).totalSharesSupply(x)) },
        FunctionDef(.aMATICb, "totalSharesSupplyWithBurns()", returns: "uint256", .view) { x, _ in
            Out.uint(try AMaticB(x).totalSharesSupplyWithBurns(x))
        },
        FunctionDef(.aMATICb, "sharesOf(address account)", returns: "uint256", .view) { x, c in
            let a = try c.address(0)
            return Out.uint(AMaticB(x).sharesOf(x, a))
        },
        FunctionDef(.aMATICb, "mintBonds(address account, uint256 amount)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticB(x).mintBonds(x, sender: c.sender, account: a, amount: v); return Out.empty
        },
        FunctionDef(.aMATICb, "mint(address account, uint256 shares)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticB(x).mint(x, sender: c.sender, account: a, shares: v); return Out.empty
        },
        FunctionDef(.aMATICb, "burn(address account, uint256 amount)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticB(x).burn(x, sender: c.sender, account: a, amount: v); return Out.empty
        },
        FunctionDef(.aMATICb, "pendingBurn(address account)", returns: "uint256", .view) { x, c in
            let a = try c.address(0)
            return Out.uint(AMaticB(x).pendingBurn(x, a))
        },
        FunctionDef(.aMATICb, "burnBonds(address burner, address recipient, uint256 amount)") { x, c in
            let b = try c.address(0), r = try c.address(1), v = try c.uint(2)
            try AMaticB(x).burnBonds(x, sender: c.sender, burner: b, recipient: r, amount: v); return Out.empty
        },
        FunctionDef(.aMATICb, "commitBurn(address account, uint256 amount)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticB(x).commitBurn(x, sender: c.sender, account: a, amount: v); return Out.empty
        },
        FunctionDef(.aMATICb, "changeOperator(address operator)") { x, c in
            let a = try c.address(0)
            try AMaticB(x).changeOperator(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.aMATICb, "changePolygonPool(address polygonPool)") { x, c in
            let a = try c.address(0)
            try AMaticB(x).changePolygonPool(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.aMATICb, "changeCrossChainBridge(address crossChainBridge)") { x, c in
            let a = try c.address(0)
            try AMaticB(x).changeCrossChainBridge(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.aMATICb, "lockedSupply()", returns: "int256", .view) { x, _ in Out.uint(AMaticB(x).lockedSupply(x)) },
        FunctionDef(.aMATICb, "setNameAndSymbol(string new_name, string new_symbol)") { x, c in
            let n = try c.bytes(0), s = try c.bytes(1)
            try AMaticB(x).setNameAndSymbol(x, sender: c.sender, name: n, symbol: s); return Out.empty
        },
        FunctionDef(.aMATICb, "sharesToBalance(uint256 amount)", returns: "uint256", .view) { x, c in
            let v = try c.uint(0)
            return Out.uint(try AMaticB(x).sharesToBalance(x, v))
        },
        FunctionDef(.aMATICb, "balanceToShares(uint256 amount)", returns: "uint256", .view) { x, c in
            let v = try c.uint(0)
            return Out.uint(try AMaticB(x).balanceToShares(x, v))
        },
        FunctionDef(.aMATICb, "getSwapFeeInBonds(uint256 bonds)", returns: "uint256", .view) { x, c in
            let v = try c.uint(0)
            return Out.uint(try AMaticB(x).getSwapFeeInBonds(x, v))
        },
        FunctionDef(.aMATICb, "getSwapFeeInShares(uint256 shares)", returns: "uint256", .view) { x, c in
            let v = try c.uint(0)
            return Out.uint(try AMaticB(x).getSwapFeeInShares(x, v))
        },
        FunctionDef(.aMATICb, "changeCertToken(address newCertToken)") { x, c in
            let a = try c.address(0)
            try AMaticB(x).changeCertToken(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.aMATICb, "changeSwapFeeOperator(address newSwapFeeOperator)") { x, c in
            let a = try c.address(0)
            try AMaticB(x).changeSwapFeeOperator(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.aMATICb, "updateSwapFeeRatio(uint256 newRatio)") { x, c in
            let v = try c.uint(0)
            try AMaticB(x).updateSwapFeeRatio(x, sender: c.sender, v); return Out.empty
        },
        FunctionDef(.aMATICb, "unlockShares(uint256 shares)") { x, c in
            let v = try c.uint(0)
            try AMaticB(x).unlockShares(x, sender: c.sender, shares: v); return Out.empty
        },
        FunctionDef(.aMATICb, "unlockSharesFor(address account, uint256 bonds)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticB(x).unlockSharesFor(x, sender: c.sender, account: a, bonds: v); return Out.empty
        },
        FunctionDef(.aMATICb, "lockShares(uint256 shares)") { x, c in
            let v = try c.uint(0)
            try AMaticB(x).lockShares(x, sender: c.sender, shares: v); return Out.empty
        },
        FunctionDef(.aMATICb, "lockSharesFor(address account, uint256 shares)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticB(x).lockSharesFor(x, sender: c.sender, account: a, shares: v); return Out.empty
        },
        FunctionDef(.aMATICb, "migrateBurnDelayed(address claimer, uint256 amount)") { x, c in
            let a = try c.address(0), v = try c.uint(1)
            try AMaticB(x).migrateBurnDelayed(x, sender: c.sender, claimer: a, amount: v); return Out.empty
        },
        FunctionDef(.aMATICb, "certToken()", returns: "address", .view) { x, _ in Out.address(AMaticB(x).certToken(x)) },
        FunctionDef(.aMATICb, "swapFeeOperator()", returns: "address", .view) { x, _ in Out.address(AMaticB(x).swapFeeOperator(x)) },
        FunctionDef(.aMATICb, "swapFeeRatio()", returns: "uint256", .view) { x, _ in Out.uint(AMaticB(x).swapFeeRatio(x)) },
    ], events: [
        EventDef("Transfer(address indexed from, address indexed to, uint256 value)"),
        EventDef("Approval(address indexed owner, address indexed spender, uint256 value)"),
        EventDef("OwnershipTransferred(address indexed previousOwner, address indexed newOwner)"),
        EventDef("RatioUpdate(uint256 newRatio)"),
        EventDef("LastConfirmedRatioUpdate(uint256 newRatio)"),
        EventDef("CertTokenChanged(address oldCertToken, address newCertToken)"),
        EventDef("SwapFeeOperatorChanged(address oldSwapFeeOperator, address newSwapFeeOperator)"),
        EventDef("SwapFeeRatioUpdate(uint256 newSwapFeeRatio)"),
    ])
}
