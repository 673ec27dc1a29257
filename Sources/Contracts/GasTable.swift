/// Execution gas of every emulated function: what a transaction uses on top of its intrinsic
/// gas (21 000 + calldata + access list, which the chain computes). One fixed figure per
/// function, whatever the arguments, so `eth_estimateGas` is exact and repeatable.
///
/// Source of the figures: typical mainnet receipts of the real contracts (MATIC transfer
/// ≈ 35–52k, aMATICb transfer ≈ 50–60k, stakeAndClaimBonds ≈ 150–200k total), minus the
/// intrinsic gas of their calldata, cross-checked against a per-function EIP-2929 tally
/// (cold SLOAD 2 100, SSTORE 20 000 / 2 900, cold CALL 2 600, LOG 375 + 375/topic + 8/byte,
/// +≈5k per call through an upgradeable proxy for the three Ankr contracts). Where a write may
/// create a slot (a first-time recipient, a first stake) the figure assumes it does, the upper
/// end of the mainnet range. Loops (`claimToIntermediary`, `serveClaims`) are priced for a
/// handful of entries.
///
/// Reverts: a call rejected by the dispatcher (unknown selector, ETH to a non-payable
/// function, bad calldata, plain ETH) uses `dispatchRevert`; a call that reverts inside a
/// function uses `revertGas(figure)` (EVM reverts stop early: at most 5 000 or the figure)
/// plus what the nested calls it made before the revert used, never more than the figure.
///
/// Nested calls (one contract calling another, `Exec.call`) split their caller's figure, which
/// already covers them: each uses its callee's figure within what is left of the caller's, so
/// the frames a tracer shows never use more gas than their caller.
enum GasTable {
    static let dispatchRevert: UInt64 = 120
    static func revertGas(_ figure: UInt64) -> UInt64 { min(figure, 5_000) }

    /// Added to an unstake that pays its fee in ANKR (signature check + ANKR `transferFrom`)
    /// instead of ETH (fee collector `send`).
    static let ankrFeePathExtra: UInt64 = 29_500

    /// Fallback for a function missing from the table (a test checks none is).
    static let unknownFunction: UInt64 = 30_000

    static func gas(_ contract: ContractKind, _ signature: String) -> UInt64 {
        table[contract.label + "." + signature] ?? unknownFunction
    }

    static let table: [String: UInt64] = [
        // MATIC (OpenZeppelin 2.1 ERC20Pausable, not behind a proxy)
        "MATIC.name()": 3_200, "MATIC.symbol()": 3_200, "MATIC.decimals()": 2_400,
        "MATIC.totalSupply()": 2_400, "MATIC.balanceOf(address)": 2_600, "MATIC.allowance(address,address)": 2_800,
        "MATIC.transfer(address,uint256)": 30_500,          // ≈ 52k total to a new holder
        "MATIC.approve(address,uint256)": 25_000,           // ≈ 46.5k total
        "MATIC.transferFrom(address,address,uint256)": 38_000,
        "MATIC.increaseAllowance(address,uint256)": 25_500, "MATIC.decreaseAllowance(address,uint256)": 10_000,
        "MATIC.isPauser(address)": 2_600, "MATIC.addPauser(address)": 25_000, "MATIC.renouncePauser()": 6_000,
        "MATIC.paused()": 2_400, "MATIC.pause()": 25_500, "MATIC.unpause()": 6_500,

        // ANKR (OpenZeppelin 2.x ERC20)
        "ANKR.name()": 3_200, "ANKR.symbol()": 3_200, "ANKR.decimals()": 2_400,
        "ANKR.totalSupply()": 2_400, "ANKR.balanceOf(address)": 2_600, "ANKR.allowance(address,address)": 2_800,
        "ANKR.transfer(address,uint256)": 30_000, "ANKR.approve(address,uint256)": 24_500,
        "ANKR.transferFrom(address,address,uint256)": 37_500,
        "ANKR.increaseAllowance(address,uint256)": 25_000, "ANKR.decreaseAllowance(address,uint256)": 9_500,

        // aMATICb (behind a proxy; every amount converted with the ratio)
        "aMATICb.owner()": 7_300, "aMATICb.renounceOwnership()": 9_500, "aMATICb.transferOwnership(address)": 12_000,
        "aMATICb.name()": 9_000, "aMATICb.symbol()": 9_000, "aMATICb.decimals()": 5_300,
        "aMATICb.totalSupply()": 9_600, "aMATICb.balanceOf(address)": 9_700,
        "aMATICb.transfer(address,uint256)": 36_000,        // ≈ 57.5k total
        "aMATICb.allowance(address,address)": 9_900,
        "aMATICb.approve(address,uint256)": 31_000,
        "aMATICb.transferFrom(address,address,uint256)": 42_000,
        "aMATICb.increaseAllowance(address,uint256)": 31_000, "aMATICb.decreaseAllowance(address,uint256)": 14_000,
        "aMATICb.initialize(address)": 5_000,
        "aMATICb.ratio()": 7_300, "aMATICb.isRebasing()": 5_300,
        "aMATICb.updateRatio(uint256)": 15_500,             // ≈ 37k total, the operator's daily rebase
        "aMATICb.repairRatio(uint256)": 13_500,
        "aMATICb.collectableFee()": 7_300, "aMATICb.repairCollectableFee(uint256)": 12_000,
        "aMATICb.updateRatioAndFee(uint256,uint256)": 20_500,
        "aMATICb.totalSharesSupply()": 7_300, "aMATICb.totalSharesSupplyWithBurns()": 11_800,
        "aMATICb.sharesOf(address)": 7_500,
        "aMATICb.mintBonds(address,uint256)": 62_000, "aMATICb.mint(address,uint256)": 65_000,
        "aMATICb.burn(address,uint256)": 45_000,
        "aMATICb.pendingBurn(address)": 7_500,
        "aMATICb.burnBonds(address,address,uint256)": 67_000, "aMATICb.commitBurn(address,uint256)": 15_000,
        "aMATICb.changeOperator(address)": 12_000, "aMATICb.changePolygonPool(address)": 12_000,
        "aMATICb.changeCrossChainBridge(address)": 29_000,
        "aMATICb.lockedSupply()": 7_300,
        "aMATICb.setNameAndSymbol(string,string)": 52_000,
        "aMATICb.sharesToBalance(uint256)": 7_600, "aMATICb.balanceToShares(uint256)": 7_600,
        "aMATICb.getSwapFeeInBonds(uint256)": 10_000, "aMATICb.getSwapFeeInShares(uint256)": 7_600,
        "aMATICb.changeCertToken(address)": 13_000, "aMATICb.changeSwapFeeOperator(address)": 13_000,
        "aMATICb.updateSwapFeeRatio(uint256)": 30_000,
        "aMATICb.unlockShares(uint256)": 68_000,            // bonds → certificates
        "aMATICb.unlockSharesFor(address,uint256)": 38_000,
        "aMATICb.lockShares(uint256)": 70_000,              // certificates → bonds
        "aMATICb.lockSharesFor(address,uint256)": 60_000,
        "aMATICb.migrateBurnDelayed(address,uint256)": 45_000,
        "aMATICb.certToken()": 7_300, "aMATICb.swapFeeOperator()": 7_300, "aMATICb.swapFeeRatio()": 7_300,

        // aMATICc (behind a proxy; OpenZeppelin 4.3 ERC20)
        "aMATICc.owner()": 7_300, "aMATICc.renounceOwnership()": 9_500, "aMATICc.transferOwnership(address)": 12_000,
        "aMATICc.supportsInterface(bytes4)": 5_600,
        "aMATICc.name()": 5_800, "aMATICc.symbol()": 9_000, "aMATICc.decimals()": 5_300,
        "aMATICc.totalSupply()": 7_300, "aMATICc.balanceOf(address)": 7_500,
        "aMATICc.transfer(address,uint256)": 34_000,
        "aMATICc.allowance(address,address)": 7_700,
        "aMATICc.approve(address,uint256)": 29_500,
        "aMATICc.transferFrom(address,address,uint256)": 41_500,
        "aMATICc.increaseAllowance(address,uint256)": 29_500, "aMATICc.decreaseAllowance(address,uint256)": 12_000,
        "aMATICc.pool()": 7_300, "aMATICc.bondToken()": 7_300,
        "aMATICc.initialize(address,address)": 5_000,
        "aMATICc.bondTransferTo(address,uint256)": 34_000, "aMATICc.bondTransferFrom(address,uint256)": 20_000,
        "aMATICc.ratio()": 12_500,
        "aMATICc.burn(address,uint256)": 20_000, "aMATICc.mint(address,uint256)": 30_000,
        "aMATICc.changePoolContract(address)": 13_000, "aMATICc.changeBondToken(address)": 13_000,
        "aMATICc.balanceWithRewardsOf(address)": 15_000,
        "aMATICc.isRebasing()": 5_300,

        // PolygonPool (behind a proxy)
        "PolygonPool.owner()": 7_300, "PolygonPool.renounceOwnership()": 9_500,
        "PolygonPool.transferOwnership(address)": 12_000, "PolygonPool.paused()": 7_300,
        "PolygonPool.initialize(address,address,address,address)": 5_000,
        "PolygonPool.stake(uint256)": 160_000,
        "PolygonPool.stakeAndClaimBonds(uint256)": 160_000, // ≈ 181k total
        "PolygonPool.stakeAndClaimCerts(uint256)": 198_000, // + unlockSharesFor
        "PolygonPool.getPendingStakes()": 20_000, "PolygonPool.getRawPendingStakes()": 20_000,
        "PolygonPool.claimToIntermediary(address,uint256)": 60_000,
        "PolygonPool.pendingStakesOf(address)": 7_500, "PolygonPool.pendingGap()": 7_300,
        "PolygonPool.calcPendingGap()": 12_000, "PolygonPool.resetPendingGap()": 10_000,
        "PolygonPool.changeOperator(address)": 13_500, "PolygonPool.changeBondContract(address)": 13_500,
        "PolygonPool.pendingMaticClaimsOf(address)": 12_000,
        "PolygonPool.getPendingClaims()": 20_000, "PolygonPool.getRawPendingClaims()": 20_000,
        // unstake figures are for the ETH fee path; the ANKR path adds ankrFeePathExtra
        "PolygonPool.unstake(uint256,uint256,uint256,bytes)": 168_000,
        "PolygonPool.unstakeBonds(uint256,uint256,uint256,bytes)": 168_000,
        "PolygonPool.unstakeCerts(uint256,uint256,uint256,bytes)": 198_000,
        "PolygonPool.unstakeBondsFor(address,uint256,uint256,uint256,bytes)": 168_000,
        "PolygonPool.unstakeCertsFor(address,uint256,uint256,uint256,bytes)": 198_000,
        "PolygonPool.serveClaims(uint256,address,uint256)": 90_000,
        "PolygonPool.pendingClaimGap()": 7_300,
        "PolygonPool.calcPendingClaimGap()": 12_000, "PolygonPool.resetPendingClaimGap()": 10_000,
        "PolygonPool.getMinimumStake()": 7_300, "PolygonPool.setMinimumStake(uint256)": 15_500,
        "PolygonPool.setFeeCollector(address)": 13_500, "PolygonPool.setNotary(address)": 13_500,
        "PolygonPool.setAnkrTokenAddress(address)": 13_500,
        "PolygonPool.setEthUnstakeFee(uint256)": 16_000, "PolygonPool.setServeGasLeft(uint256)": 31_000,
        "PolygonPool.migrateDelayedBurn()": 30_000,
        "PolygonPool._checkUnstakeAnkrFeeSignature(uint256,uint256,address,bytes)": 12_000,
        "PolygonPool.ethUnstakeFee()": 7_300,
    ]
}
