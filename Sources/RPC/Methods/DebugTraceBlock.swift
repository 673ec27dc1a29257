import Primitives
import Chain
import EVM
import EthCrypto

/// geth's `debug_traceBlock`: an RLP-encoded block (as `debug_getRawBlock` gives it) whose
/// parent this node has, its transactions run in turn over the parent's state in the block's
/// own context (number, timestamp, base fee, coinbase, gas limit, prevRandao), each traced
/// with the tracer config as `debug_traceBlockByNumber`. Nothing is written.
enum DebugTraceBlock {
    static func register(_ t: MethodTable, _ n: NodeContext) {
        t.register("debug_traceBlock", maxParams: 2, long: true) { p in
            let raw = try p.bytes(0)
            let config = try TraceConfig(try p.optionalObject(1), param: 1)
            guard case .list(let parts)? = try? RLP.decode(raw), parts.count >= 3, case .list(let items) = parts[1],
                  let header = try? BlockHeader.decode(rlp: RLP.encode(parts[0])) else {
                throw RPCError.invalidParams("param 0: not an RLP-encoded block ([header, transactions, uncles, …])")
            }
            guard let parent = n.reader.block(hash: header.parentHash), parent.number &+ 1 == header.number else {
                throw RPCError.server("parent block \(header.parentHash.hex) not found: debug_traceBlock traces a block built on a block this node has")
            }
            var txs: [(tx: Transaction, sender: Address, hash: Hash)] = []
            for (i, item) in items.enumerated() {
                let enc: [UInt8]
                switch item {
                case .bytes(let b): enc = b          // typed: the envelope as a byte string
                case .list: enc = RLP.encode(item)   // legacy: the transaction's own list
                }
                do {
                    let tx = try Transaction.decode(raw: enc)
                    txs.append((tx, try tx.recoverSender(), Hash.keccak(enc)))
                } catch {
                    throw RPCError.invalidParams("param 0: transaction \(i): \(error)")
                }
            }
            var env = n.reader.env(of: parent)
            env.number = header.number; env.timestamp = header.timestamp; env.baseFee = header.baseFeePerGas ?? .zero
            env.coinbase = header.miner; env.gasLimit = header.gasLimit; env.prevRandao = header.mixHash
            var tracers: [ExecutionTracer] = []
            let outcomes: [TxOutcome] = try n.read(parent) { state in
                let overlay = StateOverlay(base: state)
                return txs.map { t in
                    let tr = config.makeTracer()
                    tracers.append(tr)
                    let o = n.reader.executor.apply(t.tx, sender: t.sender, state: overlay, env: env, tracer: tr)
                    overlay.commitCheckpoints()
                    return o
                }
            }
            return .array(zip(zip(txs, tracers), outcomes).map { pair, o in
                .object([("txHash", .hash(pair.0.hash)), ("result", config.result(pair.1, outcome: o))])
            })
        }
    }
}
