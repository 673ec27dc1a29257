import Primitives
import Chain

/// Anvil's `pending` block for eth_getBlockByNumber / eth_getHeaderByNumber: the next block
/// built now from the pool's ready transactions over the head state (number head + 1, the
/// next timestamp and base fee, its own hash), shown but not mined.
enum PendingBlock {
    static func block(fullTransactions: Bool, _ n: NodeContext) async -> JSON {
        let (b, txs) = await n.chain.pendingBlock()
        guard case .object(var o) = Format.block(b, fullTransactions: false, reader: n.reader) else { return .null }
        if fullTransactions, let i = o.firstIndex(where: { $0.0 == "transactions" }) {
            o[i].1 = .array(txs.enumerated().map { i, p in
                Format.transaction(p.tx, hash: p.hash, sender: p.sender, block: b, index: UInt32(i))
            })
        }
        return .object(o)
    }

    static func header(_ n: NodeContext) async -> JSON {
        let (b, _) = await n.chain.pendingBlock()
        return AnvilMethods.header(b)
    }
}
