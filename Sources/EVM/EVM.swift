import Primitives

/// Why a frame stopped abnormally (all its gas is consumed). Messages are geth's.
public enum HaltReason: Error, Equatable, Sendable {
    case outOfGas
    case invalidOpcode(UInt8)
    case stackUnderflow(have: Int, want: Int)
    case stackOverflow(have: Int)
    case invalidJump
    case writeProtection
    case returnDataOutOfBounds
    case maxCodeSizeExceeded
    case maxInitCodeSizeExceeded
    case createCollision
    case codeStoreOutOfGas
    case invalidCodePrefix
    case depth
    case insufficientBalance
    case nonceOverflow
    case precompile(String)

    public var message: String {
        switch self {
        case .outOfGas: return "out of gas"
        case .invalidOpcode(let op): return "invalid opcode: \(Opcode.name(op))"
        case let .stackUnderflow(have, want): return "stack underflow (\(have) <=> \(want))"
        case let .stackOverflow(have): return "stack limit reached 1024 (\(have))"
        case .invalidJump: return "invalid jump destination"
        case .writeProtection: return "write protection"
        case .returnDataOutOfBounds: return "return data out of bounds"
        case .maxCodeSizeExceeded: return "max code size exceeded"
        case .maxInitCodeSizeExceeded: return "max initcode size exceeded"
        case .createCollision: return "contract address collision"
        case .codeStoreOutOfGas: return "contract creation code storage out of gas"
        case .invalidCodePrefix: return "invalid code: must not begin with 0xef"
        case .depth: return "max call depth exceeded"
        case .insufficientBalance: return "insufficient balance for transfer"
        case .nonceOverflow: return "nonce uint64 overflow"
        case .precompile(let m): return m
        }
    }
}

/// How a call or transaction ended.
public enum ExecStatus: Equatable, Sendable {
    case success
    case revert
    case halt(HaltReason)
    public var isSuccess: Bool { self == .success }
}

/// Why a transaction cannot be executed at all (nothing changes, no receipt), in geth's
/// wording: the one error of transaction validation, whether the pool admits a transaction,
/// a block includes it or `transact` runs it.
public struct TxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What JSON-RPC needs to tell apart (geth answers insufficient funds with -32003).
    public enum Kind: Sendable, Equatable { case insufficientFunds, other }
    public var kind: Kind
    public var message: String
    public init(_ message: String, kind: Kind = .other) { self.message = message; self.kind = kind }
    public var description: String { message }

    public static func insufficientFunds(_ a: Address, have: UInt256, want: UInt256) -> TxError {
        TxError("insufficient funds for gas * price + value: address \(a.checksummed) have \(have) want \(want)", kind: .insufficientFunds)
    }
    public static func intrinsicGasTooLow(have: UInt64, want: UInt64) -> TxError {
        TxError("intrinsic gas too low: gas \(have), minimum needed \(want)")
    }
    public static func invalidChainId(have: UInt64, want: UInt64) -> TxError {
        TxError("invalid chain id for signer: have \(have) want \(want)")
    }
    /// gas × fee cap + value (+ blob fees) beyond 256 bits: geth's buyGas wording.
    public static func requiredBalanceOverflow(_ a: Address) -> TxError {
        TxError("insufficient funds for gas * price + value: address \(a.checksummed) required balance exceeds 256 bits",
                kind: .insufficientFunds)
    }
}

/// How validation treats the transaction's nonce.
public enum NonceRule: Sendable {
    /// A block: the nonce must be the sender's next.
    case exact
    /// The pool: not below the sender's next (a later one waits in the queue), not the maximum.
    case notBelow
    /// `eth_call`: not checked.
    case unchecked
}

/// The outcome of one transaction.
public struct TxResult: Sendable {
    public var status: ExecStatus
    /// Gas charged after the refund.
    public var gasUsed: UInt64
    public var gasRefunded: UInt64
    /// Return data, or revert data.
    public var output: [UInt8]
    /// Logs of a successful transaction (empty otherwise).
    public var logs: [Log]
    /// The new contract of a successful creation.
    public var contractAddress: Address?
    /// Every state write, fees included.
    public var changes: StateChanges
    /// What the sender paid per gas.
    public var effectiveGasPrice: UInt256
}

/// Which checks `transact` makes. `eth_call` skips the nonce, sender-code and block-gas-limit
/// checks, as geth's does.
public struct TransactOptions: Sendable {
    public var checkNonce: Bool
    public var checkSenderIsEOA: Bool
    public var checkBlockGasLimit: Bool
    /// Off for calls (eth_call, eth_estimateGas, tracing calls), as revm's `disable_base_fee`: a
    /// fee cap below the block's base fee is accepted and pays no tip, while BASEFEE still reads
    /// the block's base fee.
    public var checkBaseFee: Bool = true
    public static let transaction = TransactOptions(checkNonce: true, checkSenderIsEOA: true, checkBlockGasLimit: true)
    public static let call = TransactOptions(checkNonce: false, checkSenderIsEOA: false, checkBlockGasLimit: false,
                                             checkBaseFee: false)
}

/// The entry point: validates and executes transactions and calls in one block's context.
public struct EVM {
    public let block: BlockContext
    public let natives: NativeCode?

    public init(block: BlockContext, natives: NativeCode? = nil) {
        self.block = block; self.natives = natives
    }

    /// Intrinsic gas (Cancun), as the transaction type defines it (creation and init-code words
    /// included).
    public static func intrinsicGas(data: [UInt8], isCreate: Bool, accessList: [AccessListEntry]) -> UInt64 {
        Transaction.intrinsicGas(data: data, isContractCreation: isCreate, accessList: accessList)
    }

    /// The CREATE address of `sender` at `nonce` (receipts' `contractAddress`).
    public static func createAddress(_ sender: Address, _ nonce: UInt64) -> Address {
        Machine.createAddress(sender, nonce)
    }

    /// EIP-4844's blob gas price for an excess: fake_exponential(1, excess, 3 338 477).
    public static func blobBaseFee(excessBlobGas: UInt64) -> UInt256 {
        let factor = UInt256.one, denominator = UInt256(UInt64(3_338_477)), numerator = UInt256(excessBlobGas)
        var i = UInt256.one
        var output = UInt256.zero
        var acc = factor &* denominator
        while !acc.isZero {
            output = output &+ acc
            acc = (acc &* numerator).quotientAndRemainder(dividingBy: denominator &* i).quotient
            i = i &+ .one
        }
        return output.quotientAndRemainder(dividingBy: denominator).quotient
    }

    /// Validates `tx` against `backend` and executes it. Nothing is written to `backend`;
    /// `result.changes` holds every write (fees, nonce, refunds, coinbase tip included).
    /// `tracer` (a `StructLogger` or `CallTracer`) observes every instruction and message.
    public func transact(_ tx: TxEnv, backend: StateBackend, options: TransactOptions = .transaction,
                         tracer: ExecutionTracer? = nil) throws(TxError) -> TxResult {
        let state = EVMState(backend: backend)
        state.logObserver = tracer
        return try transact(tx, state: state, options: options, tracer: tracer)
    }

    /// The checks that need only the transaction and the chain id, in `validate`'s order minus
    /// the block gas limit: chain id (a pre-EIP-155 legacy transaction carries none and passes),
    /// EIP-3860 init-code size, tip above fee cap, EIP-2681 nonce limit, intrinsic gas, and
    /// gas × fee cap within 256 bits. `validate` makes them first; the node makes them alone for
    /// a raw transaction it runs without pooling (trace_rawTransaction, eth_callBundle,
    /// anvil_reorg), as do the TransactionTests vectors and the `tx` fuzzer.
    public static func validateStateless(_ tx: TxEnv, chainId: UInt64) throws(TxError) {
        try checkTransaction(tx, chainId: chainId, blockGasLimit: nil)
    }

    /// geth's transaction-pool order (core/txpool/validation.go), the chain id first: a
    /// transaction signed for another chain is refused before anything else is judged.
    /// `blockGasLimit` nil skips that check. Returns the intrinsic gas.
    @discardableResult
    static func checkTransaction(_ tx: TxEnv, chainId: UInt64, blockGasLimit: UInt64?) throws(TxError) -> UInt64 {
        let sender = tx.caller
        if let c = tx.chainId, c != chainId { throw TxError.invalidChainId(have: c, want: chainId) }
        if tx.to == nil && tx.data.count > Gas.maxInitCodeSize {
            throw TxError("max initcode size exceeded: code size \(tx.data.count) limit \(Gas.maxInitCodeSize)")
        }
        if let limit = blockGasLimit, tx.gasLimit > limit {
            throw TxError("exceeds block gas limit: gas \(tx.gasLimit), block gas limit \(limit)")
        }
        if tx.maxPriorityFeePerGas > tx.maxFeePerGas {
            throw TxError("max priority fee per gas higher than max fee per gas: address \(sender.checksummed), maxPriorityFeePerGas: \(tx.maxPriorityFeePerGas), maxFeePerGas: \(tx.maxFeePerGas)")
        }
        if tx.nonce == UInt64.max { throw TxError("nonce has max value: address \(sender.checksummed), nonce: \(tx.nonce)") }
        let intrinsic = EVM.intrinsicGas(data: tx.data, isCreate: tx.to == nil, accessList: tx.accessList)
        if tx.gasLimit < intrinsic { throw TxError.intrinsicGasTooLow(have: tx.gasLimit, want: intrinsic) }
        // geth's buyGas, its first step (the TransactionTests' GASLIMIT_PRICE_PRODUCT_OVERFLOW):
        // gas × fee cap must fit 256 bits. With the value and blob fees added it is `validate`'s.
        if UInt256(tx.gasLimit).multipliedReportingOverflow(by: tx.maxFeePerGas).overflow {
            throw TxError.requiredBalanceOverflow(sender)
        }
        return intrinsic
    }

    /// Every check geth makes before a transaction runs, in geth's wording: first the checks of
    /// the transaction alone (`validateStateless`, with the block gas limit after the init-code
    /// size when `checkBlockGasLimit`), then the base fee, blob fields, nonce (per `nonce`),
    /// sender code, funds for gas × fee cap + value (+ blob gas). The pool, the block builder
    /// and `transact` all validate here; nothing else in the node does. Returns the intrinsic gas.
    @discardableResult
    public func validate(_ tx: TxEnv, account acct: EVMAccount, nonce: NonceRule, checkSenderIsEOA: Bool,
                         checkBlockGasLimit: Bool, checkBaseFee: Bool = true) throws(TxError) -> UInt64 {
        let sender = tx.caller
        let intrinsic = try EVM.checkTransaction(tx, chainId: block.chainId, blockGasLimit: checkBlockGasLimit ? block.gasLimit : nil)
        if checkBaseFee && tx.maxFeePerGas < block.baseFee {
            throw TxError("max fee per gas less than block base fee: address \(sender.checksummed), maxFeePerGas: \(tx.maxFeePerGas), baseFee: \(block.baseFee)")
        }
        var maxBlobFee = UInt256.zero
        if let maxBlob = tx.maxFeePerBlobGas {
            if tx.to == nil { throw TxError("blob transaction of type create") }
            if tx.blobHashes.isEmpty { throw TxError("blob transaction missing blob hashes") }
            for h in tx.blobHashes where h.bytes[0] != 0x01 {
                throw TxError("blob \(h.hex) has invalid hash version")
            }
            let blobGas = Gas.blobGasPerBlob * UInt64(tx.blobHashes.count)
            if blobGas > Gas.maxBlobGasPerBlock { throw TxError("blob gas limit exceeded: have \(blobGas), max \(Gas.maxBlobGasPerBlock)") }
            if maxBlob < block.blobBaseFee {
                throw TxError("max fee per blob gas less than block blob gas fee: address \(sender.checksummed) blobGasFeeCap: \(maxBlob), blobBaseFee: \(block.blobBaseFee)")
            }
            let (fee, overflow) = UInt256(blobGas).multipliedReportingOverflow(by: maxBlob)
            if overflow { throw TxError.requiredBalanceOverflow(sender) }
            maxBlobFee = fee
        }
        if nonce == .exact && acct.nonce < tx.nonce {
            throw TxError("nonce too high: address \(sender.checksummed), tx: \(tx.nonce) state: \(acct.nonce)")
        }
        if nonce != .unchecked && acct.nonce > tx.nonce {
            throw TxError("nonce too low: address \(sender.checksummed), tx: \(tx.nonce) state: \(acct.nonce)")
        }
        if acct.nonce == UInt64.max { throw TxError("nonce has max value: address \(sender.checksummed), nonce: \(acct.nonce)") }
        if checkSenderIsEOA && acct.codeHash != EVMAccount.emptyCodeHash {
            throw TxError("sender not an eoa: address \(sender.checksummed), codehash: \(acct.codeHash.hex)")
        }
        // geth's buyGas: gas × fee cap + value + blob fees beyond 256 bits is insufficient funds
        // (checkTransaction refused gas × fee cap beyond 256 bits).
        var (maxCost, overflow) = (UInt256(tx.gasLimit) &* tx.maxFeePerGas).addingReportingOverflow(tx.value)
        if !overflow { (maxCost, overflow) = maxCost.addingReportingOverflow(maxBlobFee) }
        if overflow { throw TxError.requiredBalanceOverflow(sender) }
        if acct.balance < maxCost { throw TxError.insufficientFunds(sender, have: acct.balance, want: maxCost) }
        return intrinsic
    }

    func transact(_ tx: TxEnv, state: EVMState, options: TransactOptions, tracer: ExecutionTracer?) throws(TxError) -> TxResult {
        let sender = tx.caller
        let acct = state.account(sender) ?? EVMAccount()
        let intrinsic = try validate(tx, account: acct, nonce: options.checkNonce ? .exact : .unchecked, checkSenderIsEOA: options.checkSenderIsEOA,
                     checkBlockGasLimit: options.checkBlockGasLimit, checkBaseFee: options.checkBaseFee)
        let blobFee = tx.maxFeePerBlobGas == nil ? UInt256.zero
            : UInt256(Gas.blobGasPerBlob * UInt64(tx.blobHashes.count)) &* block.blobBaseFee

        // With the base-fee check off, a cap under the base fee is the price and tips nothing.
        let underBase = tx.maxFeePerGas < block.baseFee
        let tip = underBase ? .zero : min(tx.maxPriorityFeePerGas, tx.maxFeePerGas &- block.baseFee)
        let price = underBase ? tx.maxFeePerGas : block.baseFee &+ tip
        state.setBalance(sender, acct.balance &- UInt256(tx.gasLimit) &* price &- blobFee)
        state.setNonce(sender, acct.nonce &+ 1)

        // EIP-2929/2930/3651 warm set
        _ = state.warmAccount(sender)
        _ = state.warmAccount(block.coinbase)
        if let to = tx.to { _ = state.warmAccount(to) }
        // the precompiles are always warm (`EVMState.isWarm`)
        for e in tx.accessList {
            _ = state.warmAccount(e.address)
            for k in e.storageKeys { _ = state.warmSlot(e.address, k.value) }
        }

        let machine = Machine(state: state, block: block, origin: sender, gasPrice: price, blobHashes: tx.blobHashes, natives: natives)
        machine.tracer = tracer
        let gas = Int(tx.gasLimit - intrinsic)
        let outcome: Machine.Outcome
        if let to = tx.to {
            outcome = machine.execute(Message(kind: .call, caller: sender, target: to, codeAddress: to, value: tx.value,
                                              transfersValue: true, input: tx.data, gas: gas, isStatic: false, depth: 0))
        } else {
            let addr = Machine.createAddress(sender, acct.nonce)
            _ = state.warmAccount(addr)
            if machine.hasCodeOrNonce(addr) {
                tracer?.onEnter(Message(kind: .create, caller: sender, target: addr, codeAddress: addr, value: tx.value,
                                        transfersValue: true, input: tx.data, gas: gas, isStatic: false, depth: 0), createdAddress: addr)
                tracer?.onExit(status: .halt(.createCollision), output: [], gasUsed: gas)
                outcome = Machine.Outcome(status: .halt(.createCollision), output: [], gasLeft: 0, created: nil)
            } else {
                outcome = machine.execute(Message(kind: .create, caller: sender, target: addr, codeAddress: addr, value: tx.value,
                                                  transfersValue: true, input: tx.data, gas: gas, isStatic: false, depth: 0))
            }
        }

        let used = tx.gasLimit - UInt64(outcome.gasLeft)
        let refund = min(used / 5, UInt64(max(0, state.refund)))
        let charged = used - refund
        state.addBalance(sender, UInt256(UInt64(outcome.gasLeft) + refund) &* price)
        let fee = UInt256(charged) &* tip
        let coinbaseBalance = state.balance(block.coinbase) &+ fee
        if !coinbaseBalance.isZero {
            state.setBalance(block.coinbase, coinbaseBalance)
        } else if state.exists(block.coinbase) && state.isDead(block.coinbase) {
            state.touch(block.coinbase)
        }
        tracer?.onTransactionEnd(gasLimit: tx.gasLimit, gasUsed: charged, status: outcome.status, output: outcome.output)
        let logs = outcome.status.isSuccess ? state.logs : []
        let changes = state.finalize()
        return TxResult(status: outcome.status, gasUsed: charged, gasRefunded: refund, output: outcome.output, logs: logs,
                        contractAddress: outcome.status.isSuccess ? outcome.created : nil, changes: changes,
                        effectiveGasPrice: price)
    }
}
