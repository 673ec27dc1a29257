import Primitives
import Contracts
import EVM

/// Something that takes part in building every block before user transactions run:
/// Ankr's operator (rebases, claim serving) plugs in here.
public protocol BlockHook: AnyObject, Sendable {
    /// Runs before the block's pooled transactions (the operator's due work goes here).
    func beforeTransactions(_ builder: BlockBuilder)
    /// Runs after them, still inside the block (bookkeeping of what they did).
    func afterTransactions(_ builder: BlockBuilder)
}

extension BlockHook {
    public func afterTransactions(_ builder: BlockBuilder) {}
}

/// One block under construction: its environment, its state overlay and the
/// transactions executed so far.
public final class BlockBuilder {
    public let env: BlockEnv
    /// The parent block's header.
    public let parent: BlockHeader
    public let state: StateOverlay
    let executor: Executor
    public private(set) var included: [PooledTransaction] = []
    public private(set) var outcomes: [TxOutcome] = []
    public private(set) var gasUsed: UInt64 = 0
    /// Senders with transactions in the pool when the block started. A hook that signs with
    /// one of their keys acts after the pooled transactions, so it never takes their nonce.
    public internal(set) var pooledSenders: Set<Address> = []

    init(env: BlockEnv, parent: BlockHeader, state: StateOverlay, executor: Executor) {
        self.env = env; self.parent = parent; self.state = state; self.executor = executor
    }

    public var gasRemaining: UInt64 { env.gasLimit > gasUsed ? env.gasLimit - gasUsed : 0 }
    public var contracts: NativeContracts { executor.contracts }

    /// Why `p` cannot run in this block now (`Executor.validateInBlock` against the block's
    /// state and remaining gas), or nil when it can. Mining and the pending block both ask here.
    public func refusal(_ p: PooledTransaction) -> TxError? {
        do {
            try executor.validateInBlock(p.tx, sender: p.sender, account: state.account(p.sender), env: env, gasLeft: gasRemaining)
            return nil
        } catch { return error }
    }

    /// Executes `p` in this block. The caller has validated it.
    @discardableResult
    public func include(_ p: PooledTransaction) -> TxOutcome {
        let o = executor.apply(p.tx, sender: p.sender, state: state, env: env)
        state.commitCheckpoints()
        included.append(p)
        outcomes.append(o)
        gasUsed &+= o.gasUsed
        return o
    }

    /// Executes a read-only call against the block's current state (for hooks that need
    /// to look before they act); its writes are undone.
    public func view(from: Address, to: Address, data: [UInt8]) -> CallResult {
        let cp = state.checkpoint()
        defer { state.revert(to: cp) }
        return executor.call(from: from, to: to, value: .zero, data: data, state: state, env: env).result
    }
}
