import Primitives

/// Errors of the non-call entry points (`dealERC20`).
public enum ContractsError: Error, Equatable, CustomStringConvertible {
    /// `anvil_dealERC20`/`anvil_setERC20Allowance` work on the four native tokens only.
    case notDealable(Address)
    /// The new balance would push the token's total supply past 2^256 − 1.
    case supplyOverflow

    public var description: String {
        switch self {
        case .notDealable(let a): return "\(a.checksummed) is not one of stakenet's native tokens (MATIC, aMATICb, aMATICc, ANKR): their balances and allowances are Swift-side storage stakenet knows the layout of"
        case .supplyOverflow: return "the deal would overflow the token's total supply"
        }
    }
}

/// One entry of the pool's claim queue.
public struct PendingClaim: Hashable, Sendable {
    /// Position in the pool's `_pendingClaimers` array (stable: entries are never moved).
    public var index: Int
    public var recipient: Address
    /// MATIC owed.
    public var amount: UInt256

    public init(index: Int, recipient: Address, amount: UInt256) {
        self.index = index; self.recipient = recipient; self.amount = amount
    }
}

/// One pending (not yet delegated) stake.
public struct PendingStake: Hashable, Sendable {
    public var staker: Address
    public var amount: UInt256
}

/// The five emulated contracts: the chain's single entry point for calls, code, genesis
/// state, the cheat `anvil_dealERC20`, the transaction log line and the typed reads the
/// operator and `stakenet_status` need.
public final class NativeContracts: Sendable {
    public let addresses: ContractAddresses
    public let roles: Roles

    /// 0.025 ETH: Ankr's documented fee for unstaking MATIC on Ethereum ("When unstaking on
    /// Ethereum, user pays a fee of 0.025 ETH", Ankr staking docs, MATIC staking mechanics).
    public static let defaultEthUnstakeFee = UInt256(25_000_000_000_000_000 as UInt64)

    public init(addresses: ContractAddresses, roles: Roles) {
        self.addresses = addresses
        self.roles = roles
        var codes: [Address: [UInt8]] = [:]
        for (name, a) in addresses.all {
            // PUSH1 0 PUSH1 0 REVERT, STOP, then a marker: any EVM that ran it would revert.
            codes[a] = [0x60, 0x00, 0x60, 0x00, 0xfd, 0x00] + Array("stakenet:\(name)".utf8)
        }
        self.codes = codes
    }

    private let codes: [Address: [UInt8]]

    public func isContract(_ a: Address) -> Bool { addresses.kind(of: a) != nil }

    /// Non-empty placeholder runtime code at the five addresses, nil elsewhere.
    public func code(at a: Address) -> [UInt8]? { codes[a] }

    /// Executes a call (transaction or `eth_call`) into one of the five contracts. The chain
    /// has already moved `context.value` to `to`; on failure it discards every write.
    /// A call to any other address does nothing and succeeds.
    ///
    /// `gas` is what the caller gave (it bounds the gas the nested calls report); `observer`
    /// is told of the calls between the contracts and of every event where it is emitted.
    public func call(to: Address, calldata: [UInt8], context: CallContext, state: WorldState,
                     gas available: UInt64 = .max, observer: CallObserver? = nil) -> CallResult {
        guard let kind = addresses.kind(of: to) else {
            return CallResult(success: true, output: [], logs: [], gasUsed: 0)
        }
        let x = Exec(state: state, ctx: context, addrs: addresses, gas: available, observer: observer)
        var gas: UInt64 = 0
        do {
            let out = try Dispatcher.dispatch(x, kind, sender: context.caller, value: context.value, calldata: calldata, gas: &gas)
            return CallResult(success: true, output: out, logs: x.logs, gasUsed: gas + x.extraGas)
        } catch {
            return CallResult(success: false, output: error.data, logs: [], gasUsed: gas)
        }
    }

    /// Writes the initial state: token metadata and balances (each holder gets `maticEach`
    /// MATIC and `ankrEach` ANKR, the intermediary `intermediaryReserve` MATIC, total supplies
    /// are the sums), aMATICb at ratio 1e18, and the three Ankr contracts initialized and wired
    /// together with the operator as owner, operator and notary, the fee collector, a minimum
    /// stake of 1 MATIC, the ETH unstake fee and a swap fee ratio of 0. No logs.
    public func genesis(state: WorldState, holders: [Address], maticEach: UInt256, ankrEach: UInt256,
                        intermediaryReserve: UInt256, ethUnstakeFee: UInt256 = NativeContracts.defaultEthUnstakeFee) {
        let x = reader(state)
        let a = addresses
        let matic = MaticToken(x), ankr = AnkrToken(x)
        do {
            matic.construct(x, pauser: roles.operator)
            ankr.construct(x)
            for h in holders where !h.isZero {
                if !maticEach.isZero { try matic.erc20.mintWithoutLog(x, h, maticEach) }
                if !ankrEach.isZero { try ankr.erc20.mintWithoutLog(x, h, ankrEach) }
            }
            if !intermediaryReserve.isZero && !roles.intermediary.isZero {
                try matic.erc20.mintWithoutLog(x, roles.intermediary, intermediaryReserve)
            }
        } catch {
            // Only a total supply beyond 2^256 − 1 can fail; leave the excess unminted.
        }
        AMaticB(x).initialize(x, owner: roles.operator, operator: roles.operator, pool: a.pool, certToken: a.aMATICc,
                              swapFeeOperator: roles.swapFeeOperator)
        AMaticC(x).initialize(x, owner: roles.operator, pool: a.pool, bondToken: a.aMATICb)
        PolygonPool(x).initialize(x, owner: roles.operator, operator: roles.operator, maticToken: a.matic, ankrToken: a.ankr,
                                  feeCollector: roles.feeCollector, bondContract: a.aMATICb, ethUnstakeFee: ethUnstakeFee)
    }

    /// `"aMATICb.transfer(0x7099…79C8, 1.5)"` for a call to one of the contracts, nil otherwise.
    public func describe(to: Address, calldata: [UInt8]) -> String? {
        guard let kind = addresses.kind(of: to) else { return nil }
        return Dispatcher.describe(kind, calldata)
    }

    // MARK: - typed reads

    func reader(_ state: WorldState) -> Exec {
        Exec(state: state, ctx: CallContext(caller: .zero, origin: .zero, value: .zero, blockNumber: 0, timestamp: 0, chainId: 0),
             addrs: addresses)
    }

    /// aMATICb's ratio: shares per 1e18 MATIC.
    public func ratio(state: WorldState) -> UInt256 {
        let x = reader(state)
        return AMaticB(x).ratio(x)
    }

    /// The pool's `_getTotalPendingStakes()` (stakes not yet claimed to the intermediary).
    public func pendingStakesTotal(state: WorldState) -> UInt256 {
        let x = reader(state)
        return (try? PolygonPool(x).totalPendingStakes(x)) ?? .max
    }

    /// Pending stakes in queue order (from `_pendingGap`, gaps skipped).
    public func pendingStakes(state: WorldState) -> [PendingStake] {
        let x = reader(state)
        let p = PolygonPool(x)
        let n = p.pendingStakersLength(x)
        var out: [PendingStake] = []
        var i = p.gap(x, PolygonPool.pendingGapSlot)
        while i < n {
            let s = p.pendingStaker(x, i)
            if !s.isZero {
                let amount = p.pendingUserStake(x, s)
                if !amount.isZero { out.append(PendingStake(staker: s, amount: amount)) }
            }
            i += 1
        }
        return out
    }

    /// The claim queue, oldest first: every unserved claim from `_pendingMaticClaimGap` on.
    public func claimQueue(state: WorldState) -> [PendingClaim] {
        let x = reader(state)
        let p = PolygonPool(x)
        let n = p.pendingClaimersLength(x)
        var out: [PendingClaim] = []
        var i = p.gap(x, PolygonPool.pendingMaticClaimGapSlot)
        while i < n {
            let r = p.pendingClaimer(x, i), amount = p.pendingClaimAmount(x, i)
            if !r.isZero && !amount.isZero { out.append(PendingClaim(index: i, recipient: r, amount: amount)) }
            i += 1
        }
        return out
    }

    /// Number of claims ever queued (the raw length of `_pendingClaimers`).
    public func claimsEverQueued(state: WorldState) -> Int {
        let x = reader(state)
        return PolygonPool(x).pendingClaimersLength(x)
    }

    /// aMATICb's `pendingBurn(account)`.
    public func pendingBurn(of account: Address, state: WorldState) -> UInt256 {
        let x = reader(state)
        return AMaticB(x).pendingBurn(x, account)
    }

    public func minimumStake(state: WorldState) -> UInt256 {
        let x = reader(state)
        return PolygonPool(x).getMinimumStake(x)
    }

    public func ethUnstakeFee(state: WorldState) -> UInt256 {
        let x = reader(state)
        return PolygonPool(x).ethUnstakeFee(x)
    }

    /// The pool's notary (signer of ANKR unstake fees).
    public func notary(state: WorldState) -> Address {
        let x = reader(state)
        return PolygonPool(x).notary(x)
    }

    /// MATIC held by the pool (pending stakes plus MATIC brought in to serve claims).
    public func poolMaticBalance(state: WorldState) -> UInt256 { maticBalance(of: addresses.pool, state: state) }

    public func maticBalance(of a: Address, state: WorldState) -> UInt256 {
        let x = reader(state)
        return MaticToken(x).erc20.balanceOf(x, a)
    }

    public func ankrBalance(of a: Address, state: WorldState) -> UInt256 {
        let x = reader(state)
        return AnkrToken(x).erc20.balanceOf(x, a)
    }

    /// aMATICb balance in bonds (saturating like the contract; 0 if the ratio is 0).
    public func aMATICbBalance(of a: Address, state: WorldState) -> UInt256 {
        let x = reader(state)
        return (try? AMaticB(x).balanceOf(x, a)) ?? .zero
    }

    public func aMATICbShares(of a: Address, state: WorldState) -> UInt256 {
        let x = reader(state)
        return AMaticB(x).sharesOf(x, a)
    }

    public func aMATICbTotalShares(state: WorldState) -> UInt256 {
        let x = reader(state)
        return AMaticB(x).totalSharesSupply(x)
    }

    public func aMATICcBalance(of a: Address, state: WorldState) -> UInt256 {
        let x = reader(state)
        return AMaticC(x).balanceOf(x, a)
    }

    public func aMATICcTotalSupply(state: WorldState) -> UInt256 {
        let x = reader(state)
        return AMaticC(x).totalSupply(x)
    }

    /// `keccak256(abi.encode(chainId, pool, fee, useBeforeBlock, staker))`: what the notary
    /// signs (no message prefix) for the ANKR unstake-fee path.
    public func unstakeFeeDigest(chainId: UInt64, fee: UInt256, useBeforeBlock: UInt256, staker: Address) -> Hash {
        PolygonPool.unstakeFeeDigest(chainId: chainId, pool: addresses.pool, fee: fee, useBeforeBlock: useBeforeBlock, staker: staker)
    }
}

/// Calldata for the operator's transactions.
public enum OperatorCalls {
    /// aMATICb `updateRatio(newRatio)`.
    public static func updateRatio(_ newRatio: UInt256) -> [UInt8] {
        ABI.selector("updateRatio(uint256)") + newRatio.bytes32
    }
    /// aMATICb `updateRatioAndFee(newRatio, newFee)`.
    public static func updateRatioAndFee(_ newRatio: UInt256, _ newFee: UInt256) -> [UInt8] {
        ABI.selector("updateRatioAndFee(uint256,uint256)") + newRatio.bytes32 + newFee.bytes32
    }
    /// PolygonPool `claimToIntermediary(intermediary, threshold)`.
    public static func claimToIntermediary(_ intermediary: Address, threshold: UInt256) -> [UInt8] {
        ABI.selector("claimToIntermediary(address,uint256)") + intermediary.value.bytes32 + threshold.bytes32
    }
    /// PolygonPool `serveClaims(amountToUse, residueAddress, minThreshold)`.
    public static func serveClaims(amountToUse: UInt256, residue: Address, minThreshold: UInt256) -> [UInt8] {
        ABI.selector("serveClaims(uint256,address,uint256)") + amountToUse.bytes32 + residue.value.bytes32 + minThreshold.bytes32
    }
    /// ERC-20 `transfer(to, amount)` (the intermediary sending MATIC to the pool).
    public static func transfer(to: Address, amount: UInt256) -> [UInt8] {
        ABI.selector("transfer(address,uint256)") + to.value.bytes32 + amount.bytes32
    }
    /// ERC-20 `approve(spender, amount)`.
    public static func approve(spender: Address, amount: UInt256) -> [UInt8] {
        ABI.selector("approve(address,uint256)") + spender.value.bytes32 + amount.bytes32
    }
}
