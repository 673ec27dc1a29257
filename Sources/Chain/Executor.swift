import Primitives
import Contracts
import EVM

/// The block a transaction or call executes in.
public struct BlockEnv: Sendable {
    public var number: UInt64
    public var timestamp: UInt64
    public var baseFee: UInt256
    public var coinbase: Address
    public var chainId: UInt64
    public var gasLimit: UInt64
    /// PREVRANDAO: the block's mixHash.
    public var prevRandao: Hash = .zero
    /// BLOCKHASH for the 256 blocks below `number`.
    public var blockHash: @Sendable (UInt64) -> Hash? = { _ in nil }
    /// `anvil_impersonateSignature`'s signatures, for the ecrecover precompile.
    public var recoverOverrides: [[UInt8]: Address] = [:]

    var evmContext: BlockContext {
        var c = BlockContext(number: number, timestamp: timestamp, coinbase: coinbase, gasLimit: gasLimit, baseFee: baseFee,
                             prevRandao: prevRandao, chainId: chainId, blobBaseFee: .one, blockHash: blockHash)
        c.recoverOverrides = recoverOverrides
        return c
    }
}

/// Why the pool refuses a transaction: it is invalid (`TxError`, the EVM's validation in
/// geth's wording), or the pool's own policy refuses it. Messages are geth's, which ethers and
/// viem match on.
public enum TxValidationError: Error, Equatable, Sendable {
    case invalid(TxError)
    case unsupportedType(UInt8)
    case alreadyKnown
    case replacementUnderpriced

    public var message: String {
        switch self {
        case .invalid(let e): return e.message
        case let .unsupportedType(t):
            return "transaction type \(t) is not supported: stakenet emulates a fixed set of contracts and accepts legacy, EIP-2930 and EIP-1559 transactions"
        case .alreadyKnown: return "already known"
        case .replacementUnderpriced: return "replacement transaction underpriced"
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
    /// The contract a successful creation deployed.
    public var contractAddress: Address? = nil
    /// How execution ended (`.halt` carries geth's error for traces and `eth_call`).
    public var execStatus: ExecStatus = .success

    public init(status: Bool, gasUsed: UInt64, logs: [Log], output: [UInt8], effectiveGasPrice: UInt256,
                contractAddress: Address? = nil, execStatus: ExecStatus = .success) {
        self.status = status; self.gasUsed = gasUsed; self.logs = logs; self.output = output
        self.effectiveGasPrice = effectiveGasPrice; self.contractAddress = contractAddress; self.execStatus = execStatus
    }
}

/// The outcome of `eth_call`-style execution.
public struct CallOutcome: Sendable {
    public var status: ExecStatus
    public var output: [UInt8]
    /// Gas a transaction with these parts would use (intrinsic gas included, refund applied).
    public var gasUsed: UInt64
    /// The refund already subtracted from `gasUsed` (a gas limit must cover both).
    public var gasRefunded: UInt64 = 0
    public var logs: [Log]
    public var contractAddress: Address?
    public var success: Bool { status.isSuccess }

    /// The compatibility shape the native-only code paths used.
    public var callResult: CallResult { CallResult(success: success, output: output, logs: logs, gasUsed: gasUsed) }
}

/// Applies transactions and calls to state. Stateless; shared by the block builder and
/// by `eth_call`/`eth_estimateGas`, which run on readers without the chain actor.
public struct Executor: Sendable {
    public let contracts: NativeContracts
    public let chainId: UInt64
    let bridge: NativeBridge

    public init(contracts: NativeContracts, chainId: UInt64) {
        self.contracts = contracts; self.chainId = chainId
        self.bridge = NativeBridge(contracts)
    }

    /// Pool admission: the EVM's validation (`EVM.validate`: the checks of the transaction
    /// alone, chain id first, then those a block makes when it includes it) against the
    /// sender's current state, except that a nonce above the sender's next is queued, not
    /// refused, and a sender with code is left to the block (impersonation).
    public func validate(_ tx: Transaction, sender: Address, account: Account, env: BlockEnv) throws(TxError) {
        try validate(tx, sender: sender, account: account, block: env.evmContext, nonce: .notBelow)
    }

    /// Whether a block includes `tx` now: the EVM's validation against the block's state as the
    /// block runs it — the sender's next nonce exactly, the fee cap at least the base fee, funds
    /// for gas × fee cap + value — with the gas the block has left as its gas limit. A sender
    /// with code is left to execution (impersonation), as in pool admission.
    public func validateInBlock(_ tx: Transaction, sender: Address, account: Account, env: BlockEnv,
                                gasLeft: UInt64) throws(TxError) {
        var block = env.evmContext
        block.gasLimit = gasLeft
        try validate(tx, sender: sender, account: account, block: block, nonce: .exact)
    }

    /// `EVM.validate` of a pooled transaction against `account` in `block`: the block's gas
    /// limit checked, a sender with code left to execution.
    private func validate(_ tx: Transaction, sender: Address, account: Account, block: BlockContext,
                          nonce: NonceRule) throws(TxError) {
        try EVM(block: block).validate(TxEnv(tx, sender: sender),
                                       account: EVMAccount(nonce: account.nonce, balance: account.balance, codeHash: account.codeHash),
                                       nonce: nonce, checkSenderIsEOA: false, checkBlockGasLimit: true)
    }

    /// The EVM's checks of `tx` alone (`EVM.validateStateless`: chain id, init-code size, fee
    /// caps, nonce limit, intrinsic gas, cost within 256 bits) for chain `chainId`: for a raw
    /// transaction run without the pool, and for a pooled one before a block includes it (the
    /// chain id may have changed since it was pooled: anvil_setChainId).
    public static func validateStateless(_ tx: Transaction, sender: Address, chainId: UInt64) throws(TxError) {
        try EVM.validateStateless(TxEnv(tx, sender: sender), chainId: chainId)
    }

    /// Applies a validated transaction through the EVM: charges gas, bumps the nonce, runs the
    /// call or creation (native contracts are accounts whose code is Swift), refunds, pays the
    /// priority fee to the coinbase. A failed transaction keeps only gas and nonce. `mined`: a
    /// transaction of a mined block executed again (replays, traces); its chain id was checked
    /// when it was pooled, and an `anvil_setChainId` since must not make its replay fail.
    public func apply(_ tx: Transaction, sender: Address, state: StateOverlay, env: BlockEnv,
                      tracer: ExecutionTracer? = nil, mined: Bool = false) -> TxOutcome {
        let evm = EVM(block: env.evmContext, natives: bridge)
        var txEnv = TxEnv(tx, sender: sender)
        if mined { txEnv.chainId = nil }
        do {
            let r = try evm.transact(txEnv, backend: OverlayBackend(state), tracer: tracer)
            state.apply(r.changes)
            return TxOutcome(status: r.status.isSuccess, gasUsed: r.gasUsed, logs: r.logs, output: r.output,
                             effectiveGasPrice: r.effectiveGasPrice, contractAddress: r.contractAddress, execStatus: r.status)
        } catch {
            // The caller validated `tx` against this state; reaching here means the pool and the
            // state disagree. Nothing was written; the block records a failed, gas-free outcome.
            return TxOutcome(status: false, gasUsed: 0, logs: [], output: Array(error.message.utf8),
                             effectiveGasPrice: tx.effectiveGasPrice(baseFee: env.baseFee), execStatus: .halt(.precompile(error.message)))
        }
    }

    /// `eth_call` / `eth_estimateGas`: runs a message with no signature, nonce or fee checks
    /// (gas price zero, BASEFEE the block's; the balance must still cover `value`). `gasLimit` defaults to the
    /// block's. `to == nil` runs a creation.
    public func run(from: Address, to: Address?, value: UInt256, data: [UInt8], gasLimit: UInt64? = nil,
                    accessList: [AccessListEntry] = [], state: StateOverlay, env: BlockEnv,
                    tracer: ExecutionTracer? = nil) -> CallOutcome {
        // BASEFEE reads the block's base fee, as in Anvil (revm with the fee check disabled);
        // the message pays nothing (`.call` accepts a zero fee cap).
        let evm = EVM(block: env.evmContext, natives: bridge)
        let backend = OverlayBackend(state)
        let nonce = backend.account(from)?.nonce ?? 0
        let txEnv = TxEnv(caller: from, to: to, nonce: nonce, value: value, data: data, gasLimit: gasLimit ?? env.gasLimit,
                          maxFeePerGas: .zero, maxPriorityFeePerGas: .zero, accessList: accessList)
        do {
            let r = try evm.transact(txEnv, backend: backend, options: .call, tracer: tracer)
            state.apply(r.changes)
            return CallOutcome(status: r.status, output: r.output, gasUsed: r.gasUsed, gasRefunded: r.gasRefunded, logs: r.logs,
                               contractAddress: r.contractAddress)
        } catch {
            return CallOutcome(status: .halt(.precompile(error.message)), output: [], gasUsed: 0, logs: [], contractAddress: nil)
        }
    }

    /// The shape the operator uses: the call result with `gasUsed` the execution gas alone
    /// (intrinsic gas left out), and the gas a transaction with these parts would use.
    public func call(from: Address, to: Address?, value: UInt256, data: [UInt8], accessListGas: UInt64 = 0,
                     state: StateOverlay, env: BlockEnv) -> (result: CallResult, gas: UInt64) {
        let o = run(from: from, to: to, value: value, data: data, state: state, env: env)
        var r = o.callResult
        r.gasUsed = o.gasUsed &- Transaction.intrinsicGas(data: data, isContractCreation: to == nil)
        return (r, o.gasUsed &+ accessListGas)
    }
}
