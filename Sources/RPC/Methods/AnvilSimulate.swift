import Foundation
import Primitives
import Chain
import Contracts
import EVM

/// `eth_callMany` and `eth_simulateV1`: several calls in sequence over one evolving state, as
/// Anvil runs them. Nothing is written to the chain.
extension AnvilMethods {
    // MARK: shared

    /// The state and environment a simulation starts from: a block's, or the pending block's.
    struct Base {
        let block: Block
        var env: BlockEnv
        let pending: StateSource?
    }

    static func base(_ tag: BlockTag, _ n: NodeContext, notFound: RPCError? = nil) async throws -> Base {
        if tag == .pending {
            let (state, env, _) = await n.chain.pendingState()
            return Base(block: n.reader.head, env: env, pending: FrozenOverlay(state))
        }
        let b: Block
        if let notFound {
            guard let found = n.resolveOptional(tag) else { throw notFound }
            b = found
        } else {
            b = try n.resolve(tag)
        }
        return Base(block: b, env: n.reader.env(of: b), pending: nil)
    }

    /// Runs `body` on the base state (consistently, for a mined block).
    static func withState<T>(_ base: Base, _ n: NodeContext, _ body: (StateSource) throws -> T) throws -> T {
        if let p = base.pending { return try body(p) }
        return try n.read(base.block) { try body($0) }
    }

    /// geth's / Anvil's block overrides: number, time, gasLimit, feeRecipient (coinbase),
    /// prevRandao (random), baseFeePerGas (baseFee).
    static func applyBlockOverrides(_ o: JSON?, to env: inout BlockEnv, _ what: String) throws {
        guard let o, !o.isNull else { return }
        guard let fields = o.objectValue else { throw RPCError.invalidParams("\(what): expected an object") }
        for (k, v) in fields where !v.isNull {
            switch k {
            case "number": env.number = try ParamDecoder.uint64(v, "\(what).number")
            case "time": env.timestamp = try ParamDecoder.uint64(v, "\(what).time")
            case "gasLimit": env.gasLimit = try ParamDecoder.uint64(v, "\(what).gasLimit")
            case "feeRecipient", "coinbase": env.coinbase = try ParamDecoder.address(v, "\(what).\(k)")
            case "prevRandao", "random": env.prevRandao = Hash(try ParamDecoder.word(v, "\(what).\(k)"))
            case "baseFeePerGas", "baseFee": env.baseFee = try ParamDecoder.quantity(v, "\(what).\(k)")
            case "difficulty", "blobBaseFee", "beaconRoot", "withdrawals": break
            case "blockHash": throw RPCError.invalidParams("\(what).blockHash: overriding BLOCKHASH is not supported")
            default: throw RPCError.invalidParams("\(what): unknown block override \(k)")
            }
        }
    }

    /// One call over `state`, eth_call style (no fee, no nonce check); the sender's nonce moves
    /// on as a transaction's would, so a later creation gets the next address.
    static func runCall(_ req: CallRequest, gas: UInt64, state: StateOverlay, env: BlockEnv, _ n: NodeContext) -> CallOutcome {
        let from = req.from ?? .zero
        let before = state.nonce(of: from)
        let o = n.reader.executor.run(from: from, to: req.to, value: req.value, data: req.data, gasLimit: gas,
                                      accessList: req.accessList, state: state, env: env)
        if state.nonce(of: from) == before, before < UInt64.max {
            var acct = state.account(from); acct.nonce = before + 1; state.setAccount(acct, of: from)
        }
        state.commitCheckpoints()
        return o
    }

    // MARK: eth_callMany

    /// `eth_callMany(bundles, stateContext?, stateOverrides?)`: `[[{value} | {error}], …]`, one
    /// list per bundle; every call sees the effects of the ones before it, and each bundle
    /// runs one block (number and timestamp + 1) after the previous.
    static func callMany(_ p: Params, _ n: NodeContext) async throws -> JSON {
        let bundles = try p.array(0)
        guard !bundles.isEmpty else { throw RPCError.invalidParams("bundles are empty.") }
        var tag: BlockTag = .latest
        if let ctx = try p.optionalObject(1) {
            if let ti = ctx["transactionIndex"], !ti.isNull, ti.numberText != "-1", ti.stringValue != "-1" {
                throw RPCError.invalidParams("transactionIndex is not supported for eth_callMany yet")
            }
            if let bn = ctx["blockNumber"], !bn.isNull { tag = try ParamDecoder.blockTag(bn, "param 1.blockNumber") }
        }
        let overrides = try p.optionalObject(2).map { try StateOverrides.parse($0, natives: n.reader.contracts.addresses) }
        var parsed: [([CallRequest], JSON?)] = []
        for (i, b) in bundles.enumerated() {
            guard b.isObject else { throw RPCError.invalidParams("param 0[\(i)]: expected {transactions, blockOverride}") }
            let txs = try (b["transactions"].map { try ParamDecoder.array($0, "param 0[\(i)].transactions") } ?? [])
                .map { try CallRequest($0) }
            parsed.append((txs, b["blockOverride"]))
        }
        let start = try await base(tag, n)
        return try withState(start, n) { state in
            let overlay = StateOverlay(base: overrides.map { OverriddenState(base: state, overrides: $0) } ?? state)
            var env = start.env
            var out: [JSON] = []
            for (i, (txs, blockOverride)) in parsed.enumerated() {
                try applyBlockOverrides(blockOverride, to: &env, "param 0[\(i)].blockOverride")
                var results: [JSON] = []
                for req in txs {
                    let o = runCall(req, gas: req.gas ?? env.gasLimit, state: overlay, env: env, n)
                    if o.status == .success {
                        results.append(.object([("value", .data(o.output))]))
                    } else {
                        results.append(.object([("error", .string(ABI.decodeRevertReason(o.output) ?? "execution failed"))]))
                    }
                }
                out.append(.array(results))
                env.number &+= 1
                env.timestamp &+= 1
            }
            return .array(out)
        }
    }

    // MARK: eth_simulateV1

    static let maxSimulateBlocks = 256

    /// `eth_simulateV1({blockStateCalls: [{blockOverrides?, stateOverrides?, calls}], validation?,
    /// returnFullTransactions?}, block?)`: one simulated block per entry, each with its `calls`
    /// results (`returnData`, `logs`, `gasUsed`, `maxUsedGas`, `status`, `error`). Blocks follow
    /// the base block 12 s apart unless overridden; without `validation` the base fee is 0 and
    /// no nonce or fee is checked. The simulated blocks' stateRoot is their parent's (stakenet's
    /// stateRoot is a commitment, not an MPT root), and `traceTransfers` is not supported.
    static func simulate(_ p: Params, _ n: NodeContext) async throws -> JSON {
        let payload = try p.object(0)
        let calls = try (payload["blockStateCalls"].map { try ParamDecoder.array($0, "param 0.blockStateCalls") } ?? [])
        guard !calls.isEmpty else { throw RPCError.invalidParams("empty input") }
        guard calls.count <= maxSimulateBlocks else { throw RPCError(code: -38026, message: "too many blocks") }
        let validation = try payload["validation"].flatMap { $0.isNull ? nil : try ParamDecoder.bool($0, "param 0.validation") } ?? false
        let fullTxs = try payload["returnFullTransactions"].flatMap { $0.isNull ? nil : try ParamDecoder.bool($0, "param 0.returnFullTransactions") } ?? false
        if try payload["traceTransfers"].flatMap({ $0.isNull ? nil : try ParamDecoder.bool($0, "param 0.traceTransfers") }) == true {
            throw RPCError.invalidParams("param 0.traceTransfers: synthetic ETH transfer logs are not supported by stakenet")
        }
        struct SimBlock { var overrides: JSON?; var state: [Address: AccountOverride]?; var calls: [CallRequest] }
        var blocks: [SimBlock] = []
        for (i, b) in calls.enumerated() {
            let what = "param 0.blockStateCalls[\(i)]"
            guard b.isObject else { throw RPCError.invalidParams("\(what): expected an object") }
            let state = try b["stateOverrides"].flatMap { $0.isNull ? nil : try StateOverrides.parse($0, natives: n.reader.contracts.addresses) }
            let reqs = try (b["calls"].map { try ParamDecoder.array($0, "\(what).calls") } ?? []).map { try CallRequest($0) }
            blocks.append(SimBlock(overrides: b["blockOverrides"], state: state, calls: reqs))
        }
        let start = try await base(try p.blockTag(1), n, notFound: RPCError.server("header not found"))
        let interval = await n.chain.clock.state.interval ?? 12

        return try withState(start, n) { baseState in
            var source: StateSource = baseState
            var parent = start.block.header
            var parentHash = start.block.hash
            var out: [JSON] = []
            for (bi, sim) in blocks.enumerated() {
                let what = "param 0.blockStateCalls[\(bi)].blockOverrides"
                var env = start.env
                env.number = parent.number &+ 1
                env.timestamp = parent.timestamp &+ interval
                env.gasLimit = parent.gasLimit
                env.coinbase = parent.miner
                env.prevRandao = .zero
                env.baseFee = validation ? BlockHeader.nextBaseFee(parentGasUsed: min(parent.gasUsed, parent.gasLimit),
                                                                   parentGasLimit: parent.gasLimit,
                                                                   parentBaseFee: parent.baseFeePerGas ?? .zero) : .zero
                try applyBlockOverrides(sim.overrides, to: &env, what)
                guard env.number > parent.number else {
                    throw RPCError(code: -38020, message: "block numbers must be in order: \(env.number) <= \(parent.number)")
                }
                guard env.timestamp > parent.timestamp else {
                    throw RPCError(code: -38021, message: "block timestamps must be in order: \(env.timestamp) <= \(parent.timestamp)")
                }
                let overlay = StateOverlay(base: sim.state.map { OverriddenState(base: source, overrides: $0) } ?? source)
                var results: [JSON] = [], txJSON: [JSON] = [], encodings: [[UInt8]] = [], receipts: [[UInt8]] = []
                var cumulative: UInt64 = 0, logIndex: UInt64 = 0
                var bloom = Bloom()
                var pendingLogs: [(Int, [Log], Hash)] = []
                for (ci, req) in sim.calls.enumerated() {
                    let from = req.from ?? .zero
                    let remaining = env.gasLimit > cumulative ? env.gasLimit - cumulative : 0
                    let gas = req.gas ?? remaining
                    if gas > remaining {
                        throw RPCError(code: -38015, message: "block gas limit exceeded: remaining \(remaining), requested \(gas)")
                    }
                    let nonce = overlay.nonce(of: from)
                    if validation {
                        if let want = req.nonce, want != nonce {
                            throw RPCError(code: want < nonce ? -38010 : -38011,
                                           message: want < nonce ? "nonce too low: address \(from.checksummed), tx: \(want) state: \(nonce)"
                                                                 : "nonce too high: address \(from.checksummed), tx: \(want) state: \(nonce)")
                        }
                        let feeCap = req.maxFeePerGas ?? req.gasPrice ?? .zero
                        if feeCap < env.baseFee {
                            throw RPCError(code: -38012, message: "max fee per gas less than block base fee: address \(from.checksummed), maxFeePerGas: \(feeCap), baseFee: \(env.baseFee)")
                        }
                        let cost = UInt256(gas).saturatingMul(feeCap).saturatingAdd(req.value)
                        if overlay.balance(of: from) < cost {
                            throw RPCError(code: -38014, message: "insufficient funds for gas * price + value: address \(from.checksummed) have \(overlay.balance(of: from)) want \(cost)")
                        }
                    }
                    let o = runCall(req, gas: gas, state: overlay, env: env, n)
                    if validation {
                        // Charge the fee a transaction would pay (the call itself ran fee-free).
                        let price = effectivePrice(req, baseFee: env.baseFee)
                        let fee = UInt256(o.gasUsed).saturatingMul(price), have = overlay.balance(of: from)
                        overlay.setBalance(have >= fee ? have &- fee : .zero, of: from)
                        overlay.commitCheckpoints()
                    }
                    cumulative &+= o.gasUsed
                    let tx = simulatedTransaction(req, from: from, nonce: req.nonce ?? nonce, gas: gas, chainId: n.reader.chainId)
                    let raw = tx.encoded()
                    let hash = Hash.keccak(raw)
                    encodings.append(raw)
                    let ok = o.status == .success
                    let receipt = Receipt(type: tx.type.rawValue, status: ok, cumulativeGasUsed: cumulative, logs: ok ? o.logs : [])
                    if ok && !o.logs.isEmpty { bloom.formUnion(receipt.bloom) }
                    receipts.append(receipt.encoded())
                    txJSON.append(fullTxs ? Format.transaction(tx, hash: hash, sender: from, block: nil, index: nil) : .hash(hash))
                    pendingLogs.append((ci, ok ? o.logs : [], hash))
                    var r: [(String, JSON)] = [
                        ("returnData", .data(ok ? o.output : [])),
                        ("logs", .array([])),
                        ("gasUsed", .quantity(o.gasUsed)),
                        ("maxUsedGas", .quantity(o.gasUsed &+ o.gasRefunded)),
                        ("status", .quantity(UInt64(ok ? 1 : 0))),
                    ]
                    switch o.status {
                    case .success: break
                    case .revert:
                        let reason = ABI.decodeRevertReason(o.output)
                        r.append(("error", .object([("code", JSON(3)),
                                                    ("message", .string(reason.map { "execution reverted: \($0)" } ?? "execution reverted")),
                                                    ("data", .data(o.output))])))
                    case .halt(let h):
                        let outOfGas: Bool
                        if case .outOfGas = h { outOfGas = true } else { outOfGas = false }
                        r.append(("error", .object([("code", JSON(-32015)),
                                                    ("message", .string(outOfGas ? "out of gas" : "vm execution error: \(h.message)"))])))
                    }
                    results.append(.object(r))
                }
                let header = BlockHeader(
                    parentHash: parentHash, miner: env.coinbase, stateRoot: parent.stateRoot,
                    transactionsRoot: Trie.orderedRoot(encodings), receiptsRoot: Trie.orderedRoot(receipts),
                    logsBloom: bloom, number: env.number, gasLimit: env.gasLimit, gasUsed: cumulative,
                    timestamp: env.timestamp, mixHash: env.prevRandao, baseFeePerGas: env.baseFee)
                let headerRLP = header.rlpEncoded()
                let hash = Hash.keccak(headerRLP)
                // Logs with their final positions, now that the block hash is known.
                for (ci, logs, txHash) in pendingLogs {
                    guard case .object(var r) = results[ci], let li = r.firstIndex(where: { $0.0 == "logs" }) else { continue }
                    r[li].1 = .array(logs.map { l in
                        defer { logIndex += 1 }
                        return .object([
                            ("address", .address(l.address)), ("topics", .array(l.topics.map { .hash($0) })), ("data", .data(l.data)),
                            ("blockNumber", .quantity(env.number)), ("blockHash", .hash(hash)),
                            ("blockTimestamp", .quantity(env.timestamp)), ("transactionHash", .hash(txHash)),
                            ("transactionIndex", .quantity(UInt64(ci))), ("logIndex", .quantity(logIndex)), ("removed", .bool(false)),
                        ])
                    })
                    results[ci] = .object(r)
                }
                if fullTxs {
                    for i in txJSON.indices {
                        guard case .object(var t) = txJSON[i] else { continue }
                        for (k, v) in [("blockHash", JSON.hash(hash)), ("blockNumber", .quantity(env.number)),
                                       ("blockTimestamp", .quantity(env.timestamp)), ("transactionIndex", .quantity(UInt64(i)))] {
                            if let j = t.firstIndex(where: { $0.0 == k }) { t[j].1 = v }
                        }
                        txJSON[i] = .object(t)
                    }
                }
                var o = Format.headerFields(header, hash: hash)
                o.append(("totalDifficulty", .quantity(UInt64(0))))
                o.append(("size", .quantity(UInt64(blockSize(headerRLP, encodings)))))
                o.append(("uncles", .array([])))
                o.append(("transactions", .array(txJSON)))
                o.append(("withdrawals", .array([])))
                o.append(("calls", .array(results)))
                out.append(.object(o))
                source = FrozenOverlay(overlay)
                parent = header
                parentHash = hash
            }
            return .array(out)
        }
    }

    static func effectivePrice(_ req: CallRequest, baseFee: UInt256) -> UInt256 {
        if let gp = req.gasPrice { return gp }
        guard let cap = req.maxFeePerGas else { return .zero }
        let tip = req.maxPriorityFeePerGas ?? .zero
        return min(cap, baseFee.saturatingAdd(tip))
    }

    /// The transaction a simulated call stands for (Anvil's placeholder signature r = s = 1).
    static func simulatedTransaction(_ r: CallRequest, from: Address, nonce: UInt64, gas: UInt64, chainId: UInt64) -> Transaction {
        var tx: Transaction
        if let gp = r.gasPrice {
            tx = .legacy(chainId: chainId, nonce: nonce, gasPrice: gp, gasLimit: gas, to: r.to, value: r.value, data: r.data)
        } else {
            tx = .dynamicFee(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: r.maxPriorityFeePerGas ?? .zero,
                             maxFeePerGas: r.maxFeePerGas ?? .zero, gasLimit: gas, to: r.to, value: r.value, data: r.data,
                             accessList: r.accessList)
        }
        tx.r = .one; tx.s = .one; tx.yParity = 0
        return tx
    }

    /// RLP size of a block with this header and these transactions (no uncles, no withdrawals).
    static func blockSize(_ headerRLP: [UInt8], _ txs: [[UInt8]]) -> Int {
        var w = RLPWriter(capacity: headerRLP.count + txs.reduce(16) { $0 + $1.count + 4 })
        w.list { w in
            w.write(encoded: headerRLP)
            w.list { w in for t in txs { if let f = t.first, f >= 0xc0 { w.write(encoded: t) } else { w.write(bytes: t) } } }
            w.list { _ in }
            w.list { _ in }
        }
        return w.bytes.count
    }
}

// MARK: - eth_callBundle

extension AnvilMethods {
    /// Flashbots' `eth_callBundle({txs, blockNumber, stateBlockNumber, timestamp?, coinbase?,
    /// gasLimit?, baseFee?})`: signed raw transactions applied in order over the state block, as
    /// they would be mined (fees charged, nonces checked by execution), with Anvil's response:
    /// per transaction its gas, fees, coinbase difference and return or revert data, and the
    /// bundle's totals. Nothing is written to the chain.
    static func callBundle(_ p: Params, _ n: NodeContext) async throws -> JSON {
        let b = try p.object(0)
        let raws = try (b["txs"].map { try ParamDecoder.array($0, "param 0.txs") } ?? [])
        guard !raws.isEmpty else { throw RPCError.invalidParams("bundle missing txs") }
        guard let bn = b["blockNumber"], !bn.isNull, let number = try? ParamDecoder.uint64(bn, "param 0.blockNumber"), number != 0 else {
            throw RPCError.invalidParams("bundle missing blockNumber")
        }
        let txs = try raws.enumerated().map { i, r in
            try EthMethods.decodeUnpooled(try ParamDecoder.bytes(r, "param 0.txs[\(i)]"), chainId: n.reader.chainId)
        }
        let stateTag = try b["stateBlockNumber"].flatMap { $0.isNull ? nil : try ParamDecoder.blockTag($0, "param 0.stateBlockNumber") } ?? .latest
        let start = try await base(stateTag, n)
        var env = start.env
        let stateNumber = env.number
        env.number = number
        if let t = b["timestamp"], !t.isNull { env.timestamp = try ParamDecoder.uint64(t, "param 0.timestamp") } else { env.timestamp &+= 12 }
        if let c = b["coinbase"], !c.isNull { env.coinbase = try ParamDecoder.address(c, "param 0.coinbase") }
        if let g = b["gasLimit"], !g.isNull { env.gasLimit = try ParamDecoder.uint64(g, "param 0.gasLimit") }
        if let f = b["baseFee"], !f.isNull { env.baseFee = try ParamDecoder.quantity(f, "param 0.baseFee") }
        let coinbase = env.coinbase, baseFee = env.baseFee
        return try withState(start, n) { state in
            let overlay = StateOverlay(base: state)
            let initial = overlay.balance(of: coinbase)
            var before = initial, after = initial
            var totalGas: UInt64 = 0
            var totalFees = UInt256.zero
            var hashes: [UInt8] = []
            var results: [JSON] = []
            for p in txs {
                hashes += p.hash.bytes
                let o = n.reader.executor.apply(p.tx, sender: p.sender, state: overlay, env: env)
                overlay.commitCheckpoints()
                let price = p.tx.priorityFee(baseFee: baseFee) ?? .zero
                let fees = UInt256(o.gasUsed).saturatingMul(price)
                totalGas &+= o.gasUsed
                totalFees = totalFees.saturatingAdd(fees)
                after = overlay.balance(of: coinbase)
                let diff = after >= before ? after &- before : .zero
                before = after
                var r: [(String, JSON)] = [
                    ("coinbaseDiff", .quantity(diff)), ("ethSentToCoinbase", .quantity(diff >= fees ? diff &- fees : .zero)),
                    ("fromAddress", .address(p.sender)), ("gasFees", .quantity(fees)), ("gasPrice", .quantity(price)),
                    ("gasUsed", .quantity(o.gasUsed)), ("toAddress", p.tx.to.map { .address($0) } ?? .null),
                    ("txHash", .hash(p.hash)),
                ]
                r.append(o.status ? ("value", .data(o.output)) : ("revert", .data(o.output)))
                results.append(.object(r))
            }
            let diff = after >= initial ? after &- initial : .zero
            return .object([
                ("bundleHash", .hash(Hash.keccak(hashes))),
                ("bundleGasPrice", .quantity(totalGas == 0 ? .zero : diff / UInt256(totalGas))),
                ("coinbaseDiff", .quantity(diff)),
                ("ethSentToCoinbase", .quantity(diff >= totalFees ? diff &- totalFees : .zero)),
                ("gasFees", .quantity(totalFees)),
                ("results", .array(results)),
                ("stateBlockNumber", .quantity(stateNumber)),
                ("totalGasUsed", .quantity(totalGas)),
            ])
        }
    }
}
