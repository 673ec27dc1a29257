import Primitives

/// `PolygonPool_R7` (Solidity 0.8, `PausableUpgradeable, ReentrancyGuardUpgradeable,
/// OwnableUpgradeable, IGlobalPool_R2`): takes MATIC stakes, mints aMATICb (or aMATICc via
/// aMATICb), queues unstake claims and pays them out when the operator serves them.
///
/// Storage, in inheritance order (Initializable, ContextUpgradeable, PausableUpgradeable,
/// ReentrancyGuardUpgradeable, OwnableUpgradeable, PolygonPool_R7):
/// ```
///   0      bool _initialized, bool _initializing
///   1–50   ContextUpgradeable.__gap
///   51     bool _paused                 52–100  __gap
///   101    uint256 _status (reentrancy) 102–150 __gap
///   151    address _owner               152–200 __gap
///   201    mapping(address => uint256) _pendingUserStakes
///   202    address[] _pendingStakers        (length; element i at keccak(202) + i)
///   203    address _operator
///   204    address _notary
///   205    uint256 _collectedFee
///   206    uint256 _minimumStake
///   207    address _bondContract
///   208    uint256 _pendingGap
///   209    uint256[] _pendingClaimAmounts   (length; element i at keccak(209) + i)
///   210    address[] _pendingClaimers       (length; element i at keccak(210) + i)
///   211    uint256 _pendingMaticClaimGap
///   212    IERC20 _maticToken
///   213    IERC20 _ankrToken
///   214    address _feeCollector
///   215    uint256 ethUnstakeFee
///   216    uint256 _SERVE_GAS_LEFT
/// ```
/// The claim queue is the pair of arrays 210/209 from `_pendingMaticClaimGap` on; served
/// claims are deleted (zeroed) in place, and the gap skips them.
struct PolygonPool: OwnableContract {
    let address: Address

    static let initializedSlot = UInt256(0)
    static let pausedSlot = UInt256(51)
    static let statusSlot = UInt256(101)
    static let ownerSlot = UInt256(151)
    static let pendingUserStakesSlot = UInt256(201)
    static let pendingStakersSlot = UInt256(202)
    static let operatorSlot = UInt256(203)
    static let notarySlot = UInt256(204)
    static let collectedFeeSlot = UInt256(205)
    static let minimumStakeSlot = UInt256(206)
    static let bondContractSlot = UInt256(207)
    static let pendingGapSlot = UInt256(208)
    static let pendingClaimAmountsSlot = UInt256(209)
    static let pendingClaimersSlot = UInt256(210)
    static let pendingMaticClaimGapSlot = UInt256(211)
    static let maticTokenSlot = UInt256(212)
    static let ankrTokenSlot = UInt256(213)
    static let feeCollectorSlot = UInt256(214)
    static let ethUnstakeFeeSlot = UInt256(215)
    static let serveGasLeftSlot = UInt256(216)

    static let pendingStakersData = Slot.data(pendingStakersSlot)
    static let pendingClaimAmountsData = Slot.data(pendingClaimAmountsSlot)
    static let pendingClaimersData = Slot.data(pendingClaimersSlot)

    /// What `gasleft()` is taken to be inside `serveClaims`' loop: the emulation has no gas
    /// meter, so the loop condition `gasleft() > _SERVE_GAS_LEFT` compares against the block
    /// gas limit. With the default `_SERVE_GAS_LEFT` of 0 every due claim is considered.
    static let modelGasLeft = UInt256(30_000_000)

    // events
    static let intermediaryClaimed = ABI.eventTopic("IntermediaryClaimed(address[],uint256[],address,uint256)")
    static let maticClaimPending = ABI.eventTopic("MaticClaimPending(address,uint256)")
    static let claimsServed = ABI.eventTopic("ClaimsServed(address[],uint256[],uint256)")
    static let operatorChanged = ABI.eventTopic("OperatorChanged(address)")
    static let bondContractChanged = ABI.eventTopic("BondContractChanged(address)")
    static let minimumStakeChanged = ABI.eventTopic("MinimumStakeChanged(uint256)")
    static let feeCollectorChanged = ABI.eventTopic("FeeCollectorChanged(address)")
    static let notaryChanged = ABI.eventTopic("NotaryChanged(address)")
    static let ankrTokenAddressChanged = ABI.eventTopic("AnkrTokenAddressChanged(address)")
    static let serveGasLeftChanged = ABI.eventTopic("ServeGasLeftChanged(uint256)")
    static let stakePending = ABI.eventTopic("StakePending(address,uint256)")
    static let stakePendingV2 = ABI.eventTopic("StakePendingV2(address,uint256,bool)")
    static let tokensBurned = ABI.eventTopic("TokensBurned(address,uint256,uint256,uint256,bool)")
    static let ethFeeCollected = ABI.eventTopic("EthFeeCollected(address,uint256)")
    static let ethUnstakeFeeChanged = ABI.eventTopic("EthUnstakeFeeChanged(uint256,uint256)")

    static let trueTopic = Hash(.one)
    static let falseTopic = Hash(.zero)

    init(_ x: Exec) { address = x.addrs.pool }

    var ownable: Ownable { Ownable(contract: address, ownerSlot: Self.ownerSlot) }

    func onlyOperator(_ x: Exec, _ sender: Address) throws(Revert) {
        try require(sender == ownable.owner(x) || sender == x.sloadAddress(address, Self.operatorSlot), "Operator: not allowed")
    }

    // MARK: - storage helpers

    func maticToken(_ x: Exec) -> Address { x.sloadAddress(address, Self.maticTokenSlot) }
    func ankrToken(_ x: Exec) -> Address { x.sloadAddress(address, Self.ankrTokenSlot) }
    func bondContract(_ x: Exec) -> Address { x.sloadAddress(address, Self.bondContractSlot) }
    func feeCollector(_ x: Exec) -> Address { x.sloadAddress(address, Self.feeCollectorSlot) }
    func notary(_ x: Exec) -> Address { x.sloadAddress(address, Self.notarySlot) }

    func pendingUserStake(_ x: Exec, _ staker: Address) -> UInt256 {
        x.sload(address, Slot.mapping(staker, Self.pendingUserStakesSlot))
    }
    func setPendingUserStake(_ x: Exec, _ staker: Address, _ v: UInt256) {
        x.sstore(address, Slot.mapping(staker, Self.pendingUserStakesSlot), v)
    }

    /// Length of a storage array (`address[]`/`uint256[]`), as an index bound.
    func length(_ x: Exec, _ slot: UInt256) -> Int {
        // A length beyond memory could never have been pushed; clamp so loops stay finite.
        Int(clamping: x.sload(address, slot).uint64 ?? UInt64(Int.max))
    }
    func element(_ x: Exec, _ data: UInt256, _ i: Int) -> UInt256 { x.sload(address, data &+ UInt256(UInt64(i))) }
    func setElement(_ x: Exec, _ data: UInt256, _ i: Int, _ v: UInt256) { x.sstore(address, data &+ UInt256(UInt64(i)), v) }
    func push(_ x: Exec, _ slot: UInt256, _ data: UInt256, _ v: UInt256) {
        let n = x.sload(address, slot)
        x.sstore(address, data &+ n, v)
        x.sstore(address, slot, n &+ .one)
    }

    func pendingStakersLength(_ x: Exec) -> Int { length(x, Self.pendingStakersSlot) }
    func pendingStaker(_ x: Exec, _ i: Int) -> Address { Address(truncating: element(x, Self.pendingStakersData, i)) }
    func pendingClaimersLength(_ x: Exec) -> Int { length(x, Self.pendingClaimersSlot) }
    func pendingClaimer(_ x: Exec, _ i: Int) -> Address { Address(truncating: element(x, Self.pendingClaimersData, i)) }
    func pendingClaimAmount(_ x: Exec, _ i: Int) -> UInt256 { element(x, Self.pendingClaimAmountsData, i) }

    /// A storage-index gap (`_pendingGap`, `_pendingMaticClaimGap`) as an Int.
    func gap(_ x: Exec, _ slot: UInt256) -> Int { Int(clamping: x.sload(address, slot).uint64 ?? UInt64(Int.max)) }

    /// `array.length.sub(gap)` (checked).
    func liveCount(_ length: Int, _ gap: Int) throws(Revert) -> Int {
        if gap > length { throw Revert.overflow }
        return length - gap
    }

    // MARK: - calls to aMATICb (msg.sender = the pool)

    /// `IinternetBond_R3(_bondContract).signature(args)`: only aMATICb has these functions.
    func bondCall<T>(_ x: Exec, _ signature: String, _ args: [UInt256], isStatic: Bool = false,
                     returns encode: (T) -> [UInt8], _ body: (AMaticB) throws(Revert) -> T) throws(Revert) -> T {
        try x.call(from: address, to: bondContract(x), signature, args, isStatic: isStatic, returns: encode) { kind throws(Revert) -> T in
            guard kind == .aMATICb else { throw Revert.empty }
            return try body(AMaticB(x))
        }
    }

    func bondCall(_ x: Exec, _ signature: String, _ args: [UInt256], _ body: (AMaticB) throws(Revert) -> Void) throws(Revert) {
        try bondCall(x, signature, args, returns: { (_: Void) in [] }, body)
    }

    // MARK: - staking

    func stake(_ x: Exec, sender: Address, amount: UInt256) throws(Revert) {
        try _stake(x, sender, amount, isRebasing: true)
    }

    func stakeAndClaimBonds(_ x: Exec, sender: Address, amount: UInt256) throws(Revert) {
        try _stake(x, sender, amount, isRebasing: true)
    }

    func stakeAndClaimCerts(_ x: Exec, sender: Address, amount: UInt256) throws(Revert) {
        try _stake(x, sender, amount, isRebasing: false)
        try bondCall(x, "unlockSharesFor(address,uint256)", [sender.value, amount]) { b throws(Revert) in
            try b.unlockSharesFor(x, sender: address, account: sender, bonds: amount)
        }
    }

    func _stake(_ x: Exec, _ staker: Address, _ amount: UInt256, isRebasing: Bool) throws(Revert) {
        try require(amount >= x.sload(address, Self.minimumStakeSlot), "Value must be greater than min amount")
        let received = try ERC20Calls.transferFrom(x, token: maticToken(x), sender: address, from: staker, to: address, amount: amount)
        try require(received, "failed to receive MATIC")
        let pending = pendingUserStake(x, staker)
        if pending.isZero {
            push(x, Self.pendingStakersSlot, Self.pendingStakersData, staker.value)
        }
        setPendingUserStake(x, staker, try Checked.add(pending, amount))
        // mint Internet Bonds for the user
        try bondCall(x, "mintBonds(address,uint256)", [staker.value, amount]) { b throws(Revert) in
            try b.mintBonds(x, sender: address, account: staker, amount: amount)
        }
        x.emit(address, [Self.stakePending, Hash(staker.value)], amount.bytes32)
        x.emit(address, [Self.stakePendingV2, Hash(staker.value), isRebasing ? Self.trueTopic : Self.falseTopic], amount.bytes32)
    }

    func getPendingStakes(_ x: Exec, sender: Address) throws(Revert) -> ([Address], [UInt256]) {
        try onlyOperator(x, sender)
        let n = pendingStakersLength(x), g = gap(x, Self.pendingGapSlot)
        _ = try liveCount(n, g)
        var addresses: [Address] = [], amounts: [UInt256] = []
        for i in g..<n {
            let staker = pendingStaker(x, i)
            if !staker.isZero {
                addresses.append(staker)
                amounts.append(pendingUserStake(x, staker))
            }
        }
        // The result arrays have length n − gap; unused tail entries stay zero.
        let size = n - g
        addresses += Array(repeating: .zero, count: size - addresses.count)
        amounts += Array(repeating: .zero, count: size - amounts.count)
        return (addresses, amounts)
    }

    func getRawPendingStakes(_ x: Exec, sender: Address) throws(Revert) -> ([Address], [UInt256]) {
        try onlyOperator(x, sender)
        let n = pendingStakersLength(x)
        var addresses: [Address] = [], amounts: [UInt256] = []
        for i in 0..<n {
            let staker = pendingStaker(x, i)
            addresses.append(staker)
            amounts.append(staker.isZero ? .zero : pendingUserStake(x, staker))
        }
        return (addresses, amounts)
    }

    func claimToIntermediary(_ x: Exec, sender: Address, intermediary: Address, threshold: UInt256) throws(Revert) {
        try onlyOperator(x, sender)
        let n = pendingStakersLength(x)
        let pendingGap = gap(x, Self.pendingGapSlot)
        _ = try liveCount(n, pendingGap)
        var stakers: [Address] = [], amounts: [UInt256] = []
        var total = UInt256.zero
        var gaps = UInt256.zero
        var i = pendingGap
        while i < n {
            // if the total reaches the threshold no more stakes are taken (checked first)
            if total >= threshold { break }
            let staker = pendingStaker(x, i)
            var amount = pendingUserStake(x, staker)
            // skip gaps (they are shrunk on a full claim)
            if staker.isZero || amount.isZero {
                gaps = try Checked.add(gaps, .one)
                i += 1
                continue
            }
            // split a stake that would take the total past the threshold
            if try Checked.add(total, amount) > threshold {
                amount = try Checked.sub(threshold, total)
            }
            stakers.append(staker)
            amounts.append(amount)
            total = try Checked.add(total, amount)
            let left = try Checked.sub(pendingUserStake(x, staker), amount)
            setPendingUserStake(x, staker, left)
            if left.isZero {
                setElement(x, Self.pendingStakersData, i, .zero)
                gaps = try Checked.add(gaps, .one)
            }
            i += 1
        }
        x.sstore(address, Self.pendingGapSlot, try Checked.add(UInt256(UInt64(pendingGap)), gaps))
        let sent = try ERC20Calls.transfer(x, token: maticToken(x), sender: address, to: intermediary, amount: total)
        try require(sent, "matic not sent")
        var data = Out.addressesAndAmounts(stakers, amounts)
        // IntermediaryClaimed(address[] stakers, uint256[] amounts, address intermediary, uint256 total):
        // four head words, so the two offsets move by 64.
        data = PolygonPool.fourHead(data, intermediary.value, total)
        x.emit(address, [Self.intermediaryClaimed], data)
    }

    /// Re-encodes `(address[], uint256[])` as `(address[], uint256[], w2, w3)`.
    static func fourHead(_ twoArrays: [UInt8], _ w2: UInt256, _ w3: UInt256) -> [UInt8] {
        let off0 = UInt256(bigEndian: twoArrays[0..<32])! &+ UInt256(64)
        let off1 = UInt256(bigEndian: twoArrays[32..<64])! &+ UInt256(64)
        return off0.bytes32 + off1.bytes32 + w2.bytes32 + w3.bytes32 + twoArrays[64...]
    }

    func pendingStakesOf(_ x: Exec, _ staker: Address) -> UInt256 { pendingUserStake(x, staker) }

    func calcPendingGap(_ x: Exec, sender: Address) throws(Revert) {
        try ownable.check(x, sender)
        var gaps: UInt64 = 0
        let n = pendingStakersLength(x)
        var i = 0
        while i < n, pendingStaker(x, i).isZero { gaps += 1; i += 1 }
        x.sstore(address, Self.pendingGapSlot, UInt256(gaps))
    }

    func resetPendingGap(_ x: Exec, sender: Address) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.pendingGapSlot, .zero)
    }

    func changeOperator(_ x: Exec, sender: Address, _ op: Address) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.operatorSlot, op.value)
        x.emit(address, [Self.operatorChanged, Hash(op.value)])
    }

    func changeBondContract(_ x: Exec, sender: Address, _ bondContract: Address) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.bondContractSlot, bondContract.value)
        x.emit(address, [Self.bondContractChanged, Hash(bondContract.value)])
    }

    // MARK: - claims

    func pendingMaticClaimsOf(_ x: Exec, _ claimer: Address) throws(Revert) -> UInt256 {
        var total = UInt256.zero
        let n = pendingClaimersLength(x)
        var i = gap(x, Self.pendingMaticClaimGapSlot)
        while i < n {
            if pendingClaimer(x, i) == claimer { total = try Checked.add(total, pendingClaimAmount(x, i)) }
            i += 1
        }
        return total
    }

    func getPendingClaims(_ x: Exec, sender: Address) throws(Revert) -> ([Address], [UInt256]) {
        try onlyOperator(x, sender)
        let n = pendingClaimersLength(x), g = gap(x, Self.pendingMaticClaimGapSlot)
        let size = try liveCount(n, g)
        var addresses: [Address] = [], amounts: [UInt256] = []
        for i in g..<n {
            let claimer = pendingClaimer(x, i)
            if !claimer.isZero {
                addresses.append(claimer)
                amounts.append(pendingClaimAmount(x, i))
            }
        }
        addresses += Array(repeating: .zero, count: size - addresses.count)
        amounts += Array(repeating: .zero, count: size - amounts.count)
        return (addresses, amounts)
    }

    func getRawPendingClaims(_ x: Exec, sender: Address) throws(Revert) -> ([Address], [UInt256]) {
        try onlyOperator(x, sender)
        let n = pendingClaimersLength(x)
        var addresses: [Address] = [], amounts: [UInt256] = []
        for i in 0..<n {
            let claimer = pendingClaimer(x, i)
            addresses.append(claimer)
            amounts.append(claimer.isZero ? .zero : pendingClaimAmount(x, i))
        }
        return (addresses, amounts)
    }

    // MARK: - unstaking

    func unstakeBonds(_ x: Exec, sender: Address, value: UInt256, recipient: Address, amount: UInt256,
                      fee: UInt256, useBeforeBlock: UInt256, signature: [UInt8]) throws(Revert) {
        try _collectFee(x, sender, value: value, fee: fee, useBeforeBlock: useBeforeBlock, signature: signature)
        let shares = try bondCall(x, "balanceToShares(uint256)", [amount], isStatic: true, returns: Out.uint) { b throws(Revert) -> UInt256 in
            try b.balanceToShares(x, amount)
        }
        try _unstake(x, staker: sender, recipient: recipient, amount: amount, shares: shares, fee: fee, isRebasing: true)
    }

    func unstakeCerts(_ x: Exec, sender: Address, value: UInt256, recipient: Address, shares: UInt256,
                      fee: UInt256, useBeforeBlock: UInt256, signature: [UInt8]) throws(Revert) {
        try _collectFee(x, sender, value: value, fee: fee, useBeforeBlock: useBeforeBlock, signature: signature)
        let amount = try bondCall(x, "sharesToBalance(uint256)", [shares], isStatic: true, returns: Out.uint) { b throws(Revert) -> UInt256 in
            try b.sharesToBalance(x, shares)
        }
        try bondCall(x, "lockSharesFor(address,uint256)", [sender.value, shares]) { b throws(Revert) in
            try b.lockSharesFor(x, sender: address, account: sender, shares: shares)
        }
        try _unstake(x, staker: sender, recipient: recipient, amount: amount, shares: shares, fee: fee, isRebasing: false)
    }

    func _collectFee(_ x: Exec, _ staker: Address, value: UInt256, fee: UInt256, useBeforeBlock: UInt256,
                     signature: [UInt8]) throws(Revert) {
        if fee.isZero && useBeforeBlock.isZero {
            try require(value >= x.sload(address, Self.ethUnstakeFeeSlot), "PolygonPool: not enough ETH to pay fee")
            try require(send(x, to: feeCollector(x), value: value), "PolygonPool: could not transfer unstake fee")
            x.emit(address, [Self.ethFeeCollected, Hash(staker.value)], value.bytes32)
        } else {
            x.extraGas += GasTable.ankrFeePathExtra
            try require(UInt256(x.ctx.blockNumber) < useBeforeBlock, "PolygonPool: fee approval expired")
            try require(try checkUnstakeAnkrFeeSignature(x, fee: fee, useBeforeBlock: useBeforeBlock, staker: staker, signature: signature),
                        "PolygonPool: invalid unstake fee signature")
            let paid = try ERC20Calls.transferFrom(x, token: ankrToken(x), sender: address, from: staker, to: feeCollector(x), amount: fee)
            try require(paid, "PolygonPool: could not transfer unstake fee")
        }
    }

    /// `payable(to).send(value)`: false when `to` is one of the emulated contracts (none has a
    /// receive or fallback function) or the pool cannot cover it. A receiver with EVM code runs
    /// with the 2 300-gas stipend `send` gives (R7 pays the fee collector with `send`, not `call`).
    func send(_ x: Exec, to: Address, value: UInt256) -> Bool {
        if x.kind(of: to) != nil { return false }
        let balance = x.state.balance(of: address)
        guard balance >= value else { return false }
        if !value.isZero, to != address, let sent = x.state.send(from: address, to: to, value: value, gas: 2_300) { return sent }
        if value.isZero || to == address { return true }
        x.state.setBalance(balance &- value, of: address)
        x.state.setBalance(x.state.balance(of: to).saturatingAdd(value), of: to)
        return true
    }

    func _unstake(_ x: Exec, staker: Address, recipient: Address, amount: UInt256, shares: UInt256,
                  fee: UInt256, isRebasing: Bool) throws(Revert) {
        try require(!amount.isZero, "PolygonPool: cannot unstake 0")
        let balance = try ERC20Calls.balanceOf(x, from: address, token: bondContract(x), account: staker)
        try require(balance >= amount, "PolygonPool: cannot claim more than have on address")
        push(x, Self.pendingClaimersSlot, Self.pendingClaimersData, recipient.value)
        push(x, Self.pendingClaimAmountsSlot, Self.pendingClaimAmountsData, amount)
        try bondCall(x, "burnBonds(address,address,uint256)", [staker.value, recipient.value, amount]) { b throws(Revert) in
            try b.burnBonds(x, sender: address, burner: staker, recipient: recipient, amount: amount)
        }
        x.emit(address, [Self.maticClaimPending, Hash(recipient.value)], amount.bytes32)
        x.emit(address, [Self.tokensBurned, Hash(staker.value), isRebasing ? Self.trueTopic : Self.falseTopic],
               amount.bytes32 + shares.bytes32 + fee.bytes32)
    }

    func checkUnstakeAnkrFeeSignature(_ x: Exec, fee: UInt256, useBeforeBlock: UInt256, staker: Address,
                                      signature: [UInt8]) throws(Revert) -> Bool {
        let payloadHash = PolygonPool.unstakeFeeDigest(chainId: x.ctx.chainId, pool: address, fee: fee,
                                                       useBeforeBlock: useBeforeBlock, staker: staker)
        return try ECDSA.recover(payloadHash, signature) == notary(x)
    }

    /// `keccak256(abi.encode(chainid, pool, fee, useBeforeBlock, staker))`, signed by the notary
    /// without a message prefix.
    static func unstakeFeeDigest(chainId: UInt64, pool: Address, fee: UInt256, useBeforeBlock: UInt256, staker: Address) -> Hash {
        Hash.keccak(UInt256(chainId).bytes32 + pool.value.bytes32 + fee.bytes32 + useBeforeBlock.bytes32 + staker.value.bytes32)
    }

    // MARK: - serving claims

    func serveClaims(_ x: Exec, sender: Address, amountToUse: UInt256, residueAddress: Address, minThreshold: UInt256) throws(Revert) {
        try onlyOperator(x, sender)
        let n = pendingClaimersLength(x)
        let claimGap = gap(x, Self.pendingMaticClaimGapSlot)
        _ = try liveCount(n, claimGap)
        let matic = maticToken(x)
        var availableAmount = try ERC20Calls.balanceOf(x, from: address, token: matic, account: address)
        availableAmount = try Checked.sub(availableAmount, try totalPendingStakes(x))
        try require(amountToUse <= availableAmount, "not enough MATIC tokens to serve claims")
        if !amountToUse.isZero { availableAmount = amountToUse }
        var claimers: [Address] = [], amounts: [UInt256] = []
        var gaps = UInt256.zero
        let gasLeftLimit = x.sload(address, Self.serveGasLeftSlot)
        var i = claimGap
        while i < n && PolygonPool.modelGasLeft > gasLeftLimit {
            // fewer tokens left than the threshold: stop serving
            if availableAmount < minThreshold { break }
            let claimer = pendingClaimer(x, i)
            let amount = pendingClaimAmount(x, i)
            if claimer.isZero || amount.isZero {
                gaps = try Checked.add(gaps, .one)
                i += 1
                continue
            }
            if availableAmount < amount { break }
            claimers.append(claimer)
            amounts.append(amount)
            let sent = try ERC20Calls.transfer(x, token: matic, sender: address, to: claimer, amount: amount)
            try require(sent, "cannot send matic to claimer")
            availableAmount = try Checked.sub(availableAmount, amount)
            try bondCall(x, "commitBurn(address,uint256)", [claimer.value, amount]) { b throws(Revert) in
                try b.commitBurn(x, sender: address, account: claimer, amount: amount)
            }
            setElement(x, Self.pendingClaimAmountsData, i, .zero)
            setElement(x, Self.pendingClaimersData, i, .zero)
            gaps = try Checked.add(gaps, .one)
            i += 1
        }
        let newGap = try Checked.add(UInt256(UInt64(claimGap)), gaps)
        x.sstore(address, Self.pendingMaticClaimGapSlot, newGap)
        var missing = UInt256.zero
        var k = Int(clamping: newGap.uint64 ?? UInt64(Int.max))
        while k < n {
            missing = try Checked.add(missing, pendingClaimAmount(x, k))
            k += 1
        }
        if !availableAmount.isZero {
            let sent = try ERC20Calls.transfer(x, token: matic, sender: address, to: residueAddress, amount: availableAmount)
            try require(sent, "cannot send matic to residue")
        }
        var data = Out.addressesAndAmounts(claimers, amounts)
        // ClaimsServed(address[] claimers, uint256[] amounts, uint256 missing): three head words
        let off0 = UInt256(96), off1 = UInt256(bigEndian: data[32..<64])! &+ UInt256(32)
        data = off0.bytes32 + off1.bytes32 + missing.bytes32 + data[64...]
        x.emit(address, [Self.claimsServed], data)
    }

    /// `_getTotalPendingStakes()`: every staker still in `_pendingStakers` (from index 0).
    func totalPendingStakes(_ x: Exec) throws(Revert) -> UInt256 {
        var total = UInt256.zero
        let n = pendingStakersLength(x)
        for i in 0..<n {
            let staker = pendingStaker(x, i)
            if !staker.isZero { total = try Checked.add(total, pendingUserStake(x, staker)) }
        }
        return total
    }

    func calcPendingClaimGap(_ x: Exec, sender: Address) throws(Revert) {
        try ownable.check(x, sender)
        var gaps: UInt64 = 0
        let n = pendingClaimersLength(x)
        var i = 0
        while i < n, pendingClaimer(x, i).isZero { gaps += 1; i += 1 }
        x.sstore(address, Self.pendingMaticClaimGapSlot, UInt256(gaps))
    }

    func resetPendingClaimGap(_ x: Exec, sender: Address) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.pendingMaticClaimGapSlot, .zero)
    }

    // MARK: - settings

    func getMinimumStake(_ x: Exec) -> UInt256 { x.sload(address, Self.minimumStakeSlot) }

    func setMinimumStake(_ x: Exec, sender: Address, _ minStake: UInt256) throws(Revert) {
        try onlyOperator(x, sender)
        x.sstore(address, Self.minimumStakeSlot, minStake)
        x.emit(address, [Self.minimumStakeChanged], minStake.bytes32)
    }

    func setFeeCollector(_ x: Exec, sender: Address, _ a: Address) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.feeCollectorSlot, a.value)
        x.emit(address, [Self.feeCollectorChanged, Hash(a.value)])
    }

    func setNotary(_ x: Exec, sender: Address, _ a: Address) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.notarySlot, a.value)
        x.emit(address, [Self.notaryChanged, Hash(a.value)])
    }

    func setAnkrTokenAddress(_ x: Exec, sender: Address, _ a: Address) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.ankrTokenSlot, a.value)
        x.emit(address, [Self.ankrTokenAddressChanged, Hash(a.value)])
    }

    func ethUnstakeFee(_ x: Exec) -> UInt256 { x.sload(address, Self.ethUnstakeFeeSlot) }

    func setEthUnstakeFee(_ x: Exec, sender: Address, _ newValue: UInt256) throws(Revert) {
        try onlyOperator(x, sender)
        let prev = ethUnstakeFee(x)
        x.sstore(address, Self.ethUnstakeFeeSlot, newValue)
        x.emit(address, [Self.ethUnstakeFeeChanged], prev.bytes32 + newValue.bytes32)
    }

    func setServeGasLeft(_ x: Exec, sender: Address, _ gasLeft: UInt256) throws(Revert) {
        try ownable.check(x, sender)
        x.sstore(address, Self.serveGasLeftSlot, gasLeft)
        x.emit(address, [Self.serveGasLeftChanged], gasLeft.bytes32)
    }

    func migrateDelayedBurn(_ x: Exec, sender: Address) throws(Revert) {
        try ownable.check(x, sender)
        let n = pendingClaimersLength(x)
        var i = gap(x, Self.pendingMaticClaimGapSlot)
        while i < n {
            let claimer = pendingClaimer(x, i), amount = pendingClaimAmount(x, i)
            if !claimer.isZero && !amount.isZero {
                try bondCall(x, "migrateBurnDelayed(address,uint256)", [claimer.value, amount]) { b throws(Revert) in
                    try b.migrateBurnDelayed(x, sender: address, claimer: claimer, amount: amount)
                }
            }
            i += 1
        }
    }

    func paused(_ x: Exec) -> Bool { x.sloadBool(address, Self.pausedSlot) }

    // MARK: - genesis

    /// `initialize(operator, maticToken, ankrToken, feeCollector)` and the owner's
    /// configuration: bond contract and ETH unstake fee.
    func initialize(_ x: Exec, owner: Address, operator: Address, maticToken: Address, ankrToken: Address,
                    feeCollector: Address, bondContract: Address, ethUnstakeFee: UInt256) {
        x.sstore(address, Self.initializedSlot, .one)
        x.sstore(address, Self.statusSlot, .one)          // ReentrancyGuard _NOT_ENTERED
        x.sstore(address, Self.ownerSlot, owner.value)
        x.sstore(address, Self.operatorSlot, `operator`.value)
        x.sstore(address, Self.notarySlot, `operator`.value)
        x.sstore(address, Self.minimumStakeSlot, Units.e18)
        x.sstore(address, Self.maticTokenSlot, maticToken.value)
        x.sstore(address, Self.ankrTokenSlot, ankrToken.value)
        x.sstore(address, Self.feeCollectorSlot, feeCollector.value)
        x.sstore(address, Self.bondContractSlot, bondContract.value)
        x.sstore(address, Self.ethUnstakeFeeSlot, ethUnstakeFee)
    }

    // MARK: - external interface

    /// Decodes `(…, uint256 fee, uint256 useBeforeBlock, bytes signature)` starting at head word `first`.
    static func feeArgs(_ c: inout Call, _ first: Int) throws(Revert) -> (UInt256, UInt256, [UInt8]) {
        let fee = try c.uint(first), ubb = try c.uint(first + 1)
        let sig = try c.bytes(first + 2)
        return (fee, ubb, sig)
    }

    static let abi = ContractABI(.pool, strict: true, functions: ownableEntries(.pool) + [
        FunctionDef(.pool, "paused()", returns: "bool", .view) { x, _ in Out.bool(PolygonPool(x).paused(x)) },
        FunctionDef(.pool, "initialize(address operator, address maticToken, address ankrToken, address feeCollector)") { _, c in
            for i in 0..<4 { _ = try c.address(i) }
            throw Revert.reason("Initializable: contract is already initialized")
        },
        FunctionDef(.pool, "stake(uint256 amount)") { x, c in
            let v = try c.uint(0)
            try PolygonPool(x).stake(x, sender: c.sender, amount: v); return Out.empty
        },
        FunctionDef(.pool, "stakeAndClaimBonds(uint256 amount)") { x, c in
            let v = try c.uint(0)
            try PolygonPool(x).stakeAndClaimBonds(x, sender: c.sender, amount: v); return Out.empty
        },
        FunctionDef(.pool, "stakeAndClaimCerts(uint256 amount)") { x, c in
            let v = try c.uint(0)
            try PolygonPool(x).stakeAndClaimCerts(x, sender: c.sender, amount: v); return Out.empty
        },
        FunctionDef(.pool, "getPendingStakes()", returns: "address[], uint256[]", .view) { x, c in
            let (a, v) = try PolygonPool(x).getPendingStakes(x, sender: c.sender)
            return Out.addressesAndAmounts(a, v)
        },
        FunctionDef(.pool, "getRawPendingStakes()", returns: "address[], uint256[]", .view) { x, c in
            let (a, v) = try PolygonPool(x).getRawPendingStakes(x, sender: c.sender)
            return Out.addressesAndAmounts(a, v)
        },
        FunctionDef(.pool, "claimToIntermediary(address intermediary, uint256 threshold)") { x, c in
            let a = try c.address(0), t = try c.uint(1)
            try PolygonPool(x).claimToIntermediary(x, sender: c.sender, intermediary: a, threshold: t); return Out.empty
        },
        FunctionDef(.pool, "pendingStakesOf(address staker)", returns: "uint256", .view) { x, c in
            let a = try c.address(0)
            return Out.uint(PolygonPool(x).pendingStakesOf(x, a))
        },
        FunctionDef(.pool, "pendingGap()", returns: "uint256", .view) { x, _ in
            Out.uint(x.sload(x.addrs.pool, PolygonPool.pendingGapSlot))
        },
        FunctionDef(.pool, "calcPendingGap()") { x, c in try PolygonPool(x).calcPendingGap(x, sender: c.sender); return Out.empty },
        FunctionDef(.pool, "resetPendingGap()") { x, c in try PolygonPool(x).resetPendingGap(x, sender: c.sender); return Out.empty },
        FunctionDef(.pool, "changeOperator(address operator)") { x, c in
            let a = try c.address(0)
            try PolygonPool(x).changeOperator(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.pool, "changeBondContract(address bondContract)") { x, c in
            let a = try c.address(0)
            try PolygonPool(x).changeBondContract(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.pool, "pendingMaticClaimsOf(address claimer)", returns: "uint256", .view) { x, c in
            let a = try c.address(0)
            return Out.uint(try PolygonPool(x).pendingMaticClaimsOf(x, a))
        },
        FunctionDef(.pool, "getPendingClaims()", returns: "address[], uint256[]", .view) { x, c in
            let (a, v) = try PolygonPool(x).getPendingClaims(x, sender: c.sender)
            return Out.addressesAndAmounts(a, v)
        },
        FunctionDef(.pool, "getRawPendingClaims()", returns: "address[], uint256[]", .view) { x, c in
            let (a, v) = try PolygonPool(x).getRawPendingClaims(x, sender: c.sender)
            return Out.addressesAndAmounts(a, v)
        },
        FunctionDef(.pool, "unstake(uint256 amount, uint256 fee, uint256 useBeforeBlock, bytes signature)", .payable) { x, c in
            let amount = try c.uint(0)
            let (fee, ubb, sig) = try feeArgs(&c, 1)
            try PolygonPool(x).unstakeBonds(x, sender: c.sender, value: c.value, recipient: c.sender, amount: amount,
                                            fee: fee, useBeforeBlock: ubb, signature: sig)
            return Out.empty
        },
        FunctionDef(.pool, "unstakeBonds(uint256 amount, uint256 fee, uint256 useBeforeBlock, bytes signature)", .payable) { x, c in
            let amount = try c.uint(0)
            let (fee, ubb, sig) = try feeArgs(&c, 1)
            try PolygonPool(x).unstakeBonds(x, sender: c.sender, value: c.value, recipient: c.sender, amount: amount,
                                            fee: fee, useBeforeBlock: ubb, signature: sig)
            return Out.empty
        },
        FunctionDef(.pool, "unstakeCerts(uint256 shares, uint256 fee, uint256 useBeforeBlock, bytes signature)", .payable) { x, c in
            let shares = try c.uint(0)
            let (fee, ubb, sig) = try feeArgs(&c, 1)
            try PolygonPool(x).unstakeCerts(x, sender: c.sender, value: c.value, recipient: c.sender, shares: shares,
                                            fee: fee, useBeforeBlock: ubb, signature: sig)
            return Out.empty
        },
        FunctionDef(.pool, "unstakeBondsFor(address recipient, uint256 amount, uint256 fee, uint256 useBeforeBlock, bytes signature)", .payable) { x, c in
            let recipient = try c.address(0), amount = try c.uint(1)
            let (fee, ubb, sig) = try feeArgs(&c, 2)
            try PolygonPool(x).unstakeBonds(x, sender: c.sender, value: c.value, recipient: recipient, amount: amount,
                                            fee: fee, useBeforeBlock: ubb, signature: sig)
            return Out.empty
        },
        FunctionDef(.pool, "unstakeCertsFor(address recipient, uint256 shares, uint256 fee, uint256 useBeforeBlock, bytes signature)", .payable) { x, c in
            let recipient = try c.address(0), shares = try c.uint(1)
            let (fee, ubb, sig) = try feeArgs(&c, 2)
            try PolygonPool(x).unstakeCerts(x, sender: c.sender, value: c.value, recipient: recipient, shares: shares,
                                            fee: fee, useBeforeBlock: ubb, signature: sig)
            return Out.empty
        },
        FunctionDef(.pool, "serveClaims(uint256 amountToUse, address residueAddress, uint256 minThreshold)", .payable) { x, c in
            let amount = try c.uint(0), residue = try c.address(1), minThreshold = try c.uint(2)
            try PolygonPool(x).serveClaims(x, sender: c.sender, amountToUse: amount, residueAddress: residue, minThreshold: minThreshold)
            return Out.empty
        },
        FunctionDef(.pool, "pendingClaimGap()", returns: "uint256", .view) { x, _ in
            Out.uint(x.sload(x.addrs.pool, PolygonPool.pendingMaticClaimGapSlot))
        },
        FunctionDef(.pool, "calcPendingClaimGap()") { x, c in try PolygonPool(x).calcPendingClaimGap(x, sender: c.sender); return Out.empty },
        FunctionDef(.pool, "resetPendingClaimGap()") { x, c in try PolygonPool(x).resetPendingClaimGap(x, sender: c.sender); return Out.empty },
        FunctionDef(.pool, "getMinimumStake()", returns: "uint256", .view) { x, _ in Out.uint(PolygonPool(x).getMinimumStake(x)) },
        FunctionDef(.pool, "setMinimumStake(uint256 minStake)") { x, c in
            let v = try c.uint(0)
            try PolygonPool(x).setMinimumStake(x, sender: c.sender, v); return Out.empty
        },
        FunctionDef(.pool, "setFeeCollector(address feeCollector)") { x, c in
            let a = try c.address(0)
            try PolygonPool(x).setFeeCollector(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.pool, "setNotary(address notary)") { x, c in
            let a = try c.address(0)
            try PolygonPool(x).setNotary(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.pool, "setAnkrTokenAddress(address ankrToken)") { x, c in
            let a = try c.address(0)
            try PolygonPool(x).setAnkrTokenAddress(x, sender: c.sender, a); return Out.empty
        },
        FunctionDef(.pool, "setEthUnstakeFee(uint256 newValue)") { x, c in
            let v = try c.uint(0)
            try PolygonPool(x).setEthUnstakeFee(x, sender: c.sender, v); return Out.empty
        },
        FunctionDef(.pool, "setServeGasLeft(uint256 gasLeft)") { x, c in
            let v = try c.uint(0)
            try PolygonPool(x).setServeGasLeft(x, sender: c.sender, v); return Out.empty
        },
        FunctionDef(.pool, "migrateDelayedBurn()") { x, c in try PolygonPool(x).migrateDelayedBurn(x, sender: c.sender); return Out.empty },
        FunctionDef(.pool, "_checkUnstakeAnkrFeeSignature(uint256 fee, uint256 useBeforeBlock, address staker, bytes signature)",
                    returns: "bool", .view) { x, c in
            let fee = try c.uint(0), ubb = try c.uint(1), staker = try c.address(2)
            let sig = try c.bytes(3)
            return Out.bool(try PolygonPool(x).checkUnstakeAnkrFeeSignature(x, fee: fee, useBeforeBlock: ubb, staker: staker, signature: sig))
        },
        FunctionDef(.pool, "ethUnstakeFee()", returns: "uint256", .view) { x, _ in Out.uint(PolygonPool(x).ethUnstakeFee(x)) },
    ], events: [
        EventDef("OwnershipTransferred(address indexed previousOwner, address indexed newOwner)"),
        EventDef("Paused(address account)"),
        EventDef("Unpaused(address account)"),
        EventDef("IntermediaryClaimed(address[] stakers, uint256[] amounts, address intermediary, uint256 total)"),
        EventDef("MaticClaimPending(address indexed claimer, uint256 amount)"),
        EventDef("ClaimsServed(address[] claimers, uint256[] amounts, uint256 missing)"),
        EventDef("OperatorChanged(address indexed operator)"),
        EventDef("BondContractChanged(address indexed bondContract)"),
        EventDef("MinimumStakeChanged(uint256 minStake)"),
        EventDef("FeeCollectorChanged(address indexed feeCollector)"),
        EventDef("NotaryChanged(address indexed notary)"),
        EventDef("AnkrTokenAddressChanged(address indexed ankrToken)"),
        EventDef("ServeGasLeftChanged(uint256 gasLeft)"),
        EventDef("StakePending(address indexed staker, uint256 amount)"),
        EventDef("StakePendingV2(address indexed staker, uint256 amount, bool indexed isRebasing)"),
        EventDef("RewardClaimed(address indexed staker, uint256 amount)"),
        EventDef("BondContractChanged(address oldBondContract, address newBondContract)"),
        EventDef("CertContractChanged(address oldCertContract, address newCertContract)"),
        EventDef("TokensBurned(address indexed staker, uint256 amount, uint256 shares, uint256 fee, bool indexed isRebasing)"),
        EventDef("EthFeeCollected(address indexed claimer, uint256 amount)"),
        EventDef("EthUnstakeFeeChanged(uint256 prevValue, uint256 newValue)"),
    ])
}
