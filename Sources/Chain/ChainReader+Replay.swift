import Primitives
import EVM

extension ChainReader {
    /// Re-executes `block`'s transactions over its parent's state, handing `tracer(i)` to each
    /// (nil: run untraced) and stopping after index `through` (all when nil). Operator
    /// transactions are ordinary transactions of the block, so they replay too. State cheats
    /// made on a block without mining (`anvil_setBalance` at the head) are not transactions and
    /// are not replayed.
    public func replay(_ block: Block, through: Int? = nil, tracer: (Int) -> ExecutionTracer?) throws -> [TxOutcome] {
        guard block.number > 0 else { return [] }
        let parent = block.number - 1
        let env = env(of: block)
        var outcomes: [TxOutcome] = []
        let last = through ?? (block.transactionHashes.count - 1)
        return try read(at: block) { _ in
            let overlay = StateOverlay(base: state(at: parent))
            outcomes.removeAll()
            for (i, h) in block.transactionHashes.enumerated() where i <= last {
                guard let m = transaction(hash: h) else { break }
                outcomes.append(executor.apply(m.tx, sender: m.sender, state: overlay, env: env, tracer: tracer(i), mined: true))
                overlay.commitCheckpoints()
            }
            return outcomes
        }
    }
}
