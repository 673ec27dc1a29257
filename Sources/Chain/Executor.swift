import Primitives
import Contracts

/// The block a transaction or call executes in.
public struct BlockEnv: Sendable {
    public var number: UInt64
    public var timestamp: UInt64
    public var baseFee: UInt256
    public var coinbase: Address
    public var chainId: UInt64
    public var gasLimit: UInt64
}

/// Why a transaction is refused before it gets into a block. The messages are geth's,
/// which ethers and viem match on.
public enum TxValidationError: Error, Equatable, Sendable {
    case nonceTooLow(address: Address, txNonce: UInt64, stateNonce: UInt64)
    case nonceMax
    case insufficientFunds(address: Address, have: UInt256, want: UInt256)
    case feeCapTooLow(address: Address, maxFee: UInt256, baseFee: UInt256)
    case tipAboveFeeCap
    case intrinsicGasTooLow(have: UInt64, want: UInt64)
    case gasLimitExceeded(have: UInt64, limit: UInt64)
    case invalidChainId(have: UInt64, want: UInt64)
    case contractCreation
    case unsupportedType(UInt8)
    case invalidSignature(String)
    case alreadyKnown
    case replacementUnderpriced
    case invalidTransaction(String)

    public var message: String {
        switch self {
        case let .nonceTooLow(a, tx, st): return "nonce too low: address \(a.checksummed), tx: \(tx) state: \(st)"
        case .nonceMax: return "nonce has max value"
        case let .insufficientFunds(a, have, want):
            return "insufficient funds for gas * price + value: address \(a.checksummed) have \(have) want \(want)"
        case let .feeCapTooLow(a, fee, base):
            return "max fee per gas less than block base fee: address \(a.checksummed), maxFeePerGas: \(fee), baseFee: \(base)"
        case .tipAboveFeeCap: return "max priority fee per gas higher than max fee per gas"
        case let .intrinsicGasTooLow(have, want): return "intrinsic gas too low: gas \(have), minimum needed \(want)"
        case let .gasLimitExceeded(have, limit): return "exceeds block gas limit: gas \(have), block gas limit \(limit)"
        case let .invalidChainId(have, want): return "invalid chain id for signer: have \(have) want \(want)"
        case .contractCreation:
            return "contract creation is not supported: stakenet has no EVM and emulates a fixed set of contracts (MATIC, PolygonPool, aMATICb, aMATICc, ANKR)"
        case let .unsupportedType(t):
            return "transaction type \(t) is not supported: stakenet emulates a fixed set of contracts and accepts legacy, EIP-2930 and EIP-1559 transactions"
        case let .invalidSignature(why): return "invalid signature: \(why)"
        case .alreadyKnown: return "already known"
        case .replacementUnderpriced: return "replacement transaction underpriced"
        case let .invalidTransaction(why): return "invalid transaction: \(why)"
        }
    }
}

/// What executing one transaction did.
public struct TxOutcome: Sendable {
    public var status: Bool
    public var gasUsed: UInt64
    public var logs: [Log]
    public var output: [UInt8]
    public var effectiveGasPrice: UInt256
}

/// Applies transactions and calls to state. Stateless; shared by the block builder and
/// by `eth_call`/`eth_estimateGas`, which run on readers without the chain actor.
public struct Executor: Sendable {
    public let contracts: NativeContracts
    public let chainId: UInt64

    public init(contracts: NativeContracts, chainId: UInt64) {
        self.contracts = contracts; self.chainId = chainId
    }

    /// Checks that need no state: type, chain id, creation, fee fields, gas bounds.
    public func validateStatic(_ tx: Transaction, env: BlockEnv) throws {
        if tx.to == nil { throw TxValidationError.contractCreation }
        if let id = tx.chainId, id != chainId { throw TxValidationError.invalidChainId(have: id, want: chainId) }
        if tx.maxPriorityFeePerGas > tx.maxFeePerGas { throw TxValidationError.tipAboveFeeCap }
        let intrinsic = tx.intrinsicGas()
        if tx.gasLimit < intrinsic { throw TxValidationError.intrinsicGasTooLow(have: tx.gasLimit, want: intrinsic) }
        if tx.gasLimit > env.gasLimit { throw TxValidationError.gasLimitExceeded(have: tx.gasLimit, limit: env.gasLimit) }
    }

    /// The most a transaction can cost its sender: gas × fee cap + value.
    public func maxCost(_ tx: Transaction) -> UInt256 {
        UInt256(tx.gasLimit).saturatingMul(tx.maxFeePerGas).saturatingAdd(tx.value)
    }

    /// Checks against the sender's current state (nonce equality is the caller's business:
    /// future nonces are queued, not refused).
    public func validateFunds(_ tx: Transaction, sender: Address, account: Account, env: BlockEnv) throws {
        if tx.maxFeePerGas < env.baseFee {
            throw TxValidationError.feeCapTooLow(address: sender, maxFee: tx.maxFeePerGas, baseFee: env.baseFee)
        }
        let cost = maxCost(tx)
        if account.balance < cost {
            throw TxValidationError.insufficientFunds(address: sender, have: account.balance, want: cost)
        }
    }

    /// Applies a validated transaction: charges gas, bumps the nonce, runs the call, pays
    /// the priority fee to the coinbase. A reverted call keeps only gas and nonce.
    public func apply(_ tx: Transaction, sender: Address, state: StateOverlay, env: BlockEnv) -> TxOutcome {
        let price = tx.effectiveGasPrice(baseFee: env.baseFee)
        var acct = state.account(sender)
        let upfront = UInt256(tx.gasLimit) &* price
        acct.balance = acct.balance &- upfront
        acct.nonce &+= 1
        state.setAccount(acct, of: sender)

        let cp = state.checkpoint()
        let intrinsic = tx.intrinsicGas()
        var gasUsed = intrinsic
        var status = true
        var logs: [Log] = []
        var output: [UInt8] = []
        let to = tx.to ?? .zero
        transfer(tx.value, from: sender, to: to, state: state)
        if contracts.isContract(to) {
            let ctx = CallContext(caller: sender, origin: sender, value: tx.value, blockNumber: env.number,
                                  timestamp: env.timestamp, chainId: env.chainId, coinbase: env.coinbase)
            let r = contracts.call(to: to, calldata: tx.data, context: ctx, state: state)
            output = r.output
            gasUsed = intrinsic &+ r.gasUsed
            if gasUsed > tx.gasLimit {
                // Out of gas: everything the call did is undone and all gas is used.
                gasUsed = tx.gasLimit; status = false; output = []
            } else if !r.success {
                status = false
            } else {
                logs = r.logs
            }
        }
        if !status { state.revert(to: cp) }

        // Refund unused gas; the base fee is burned, the tip goes to the coinbase.
        var after = state.account(sender)
        after.balance = after.balance &+ UInt256(tx.gasLimit - gasUsed) &* price
        state.setAccount(after, of: sender)
        let tip = price &- env.baseFee
        if !tip.isZero {
            let c = state.balance(of: env.coinbase)
            state.setBalance(c &+ UInt256(gasUsed) &* tip, of: env.coinbase)
        }
        return TxOutcome(status: status, gasUsed: gasUsed, logs: logs, output: output, effectiveGasPrice: price)
    }

    func transfer(_ value: UInt256, from: Address, to: Address, state: StateOverlay) {
        guard !value.isZero else { return }
        state.setBalance(state.balance(of: from) &- value, of: from)
        state.setBalance(state.balance(of: to) &+ value, of: to)
    }

    /// `eth_call` / `eth_estimateGas`: runs a message with no signature, nonce or fee
    /// checks (the balance must still cover `value`). Returns the call result and the gas
    /// a transaction with this calldata would use.
    public func call(from: Address, to: Address?, value: UInt256, data: [UInt8], accessListGas: UInt64 = 0,
                     state: StateOverlay, env: BlockEnv) -> (result: CallResult, gas: UInt64) {
        let intrinsic = Transaction.intrinsicGas(data: data, isContractCreation: to == nil) &+ accessListGas
        guard let to else {
            return (CallResult(success: false, output: [], logs: [], gasUsed: 0), intrinsic)
        }
        if state.balance(of: from) < value {
            return (CallResult(success: false, output: [], logs: [], gasUsed: 0), intrinsic)
        }
        transfer(value, from: from, to: to, state: state)
        guard contracts.isContract(to) else {
            return (CallResult(success: true, output: [], logs: [], gasUsed: 0), intrinsic)
        }
        let ctx = CallContext(caller: from, origin: from, value: value, blockNumber: env.number,
                              timestamp: env.timestamp, chainId: env.chainId, coinbase: env.coinbase)
        let r = contracts.call(to: to, calldata: data, context: ctx, state: state)
        return (r, intrinsic &+ r.gasUsed)
    }
}
