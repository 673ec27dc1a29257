import Foundation
import Primitives
import EthCrypto
import Chain
import Contracts
import EVM

/// The standard `web3_`, `net_`, `eth_` and `txpool_` methods.
enum EthMethods {
    static let gwei = UInt256(1_000_000_000)

    static func register(_ t: MethodTable, _ n: NodeContext) {
        let reader = n.reader, chain = n.chain

        t.register("web3_clientVersion", maxParams: 0) { _ in .string(n.clientVersion) }
        t.register("web3_sha3", maxParams: 1) { p in .hash(Hash.keccak(try p.bytes(0))) }
        t.register(["net_version", "eth_networkId"], maxParams: 0) { _ in .string(String(reader.chainId)) }
        t.register("net_listening", maxParams: 0) { _ in .bool(true) }
        t.register("net_peerCount", maxParams: 0) { _ in .quantity(UInt64(0)) }
        t.register("eth_chainId", maxParams: 0) { _ in .quantity(reader.chainId) }
        t.register("eth_blockNumber", maxParams: 0) { _ in .quantity(reader.headNumber) }
        t.register("eth_syncing", maxParams: 0) { _ in .bool(false) }
        t.register("eth_mining", maxParams: 0) { _ in .bool(await chain.automine) }
        t.register("eth_hashrate", maxParams: 0) { _ in .quantity(UInt64(0)) }
        t.register("eth_coinbase", maxParams: 0) { _ in .address(await chain.coinbase) }
        // As Anvil: the dev accounts, then the impersonated ones (sorted), so a client can get a
        // signer for an impersonated address.
        t.register(["eth_accounts", "eth_requestAccounts"], maxParams: 0) { _ in
            let dev = n.devAddresses, devSet = Set(dev)
            let extra = await chain.impersonated.filter { !devSet.contains($0) }.sorted()
            return .array((dev + extra).map { .address($0) })
        }

        // MARK: state

        // `pending` reads the next block's state (the pool's ready transactions applied), as Anvil.
        t.register("eth_getBalance", maxParams: 2) { p in
            let a = try p.address(0)
            let tag = try p.blockTag(1)
            if tag == .pending { return .quantity(await chain.pendingState().state.balance(of: a)) }
            let b = try n.resolveForWallet(tag)
            return .quantity(try n.read(b) { $0.account(a).balance })
        }
        t.register("eth_getTransactionCount", maxParams: 2) { p in
            let a = try p.address(0)
            let tag = try p.blockTag(1)
            if tag == .pending { return .quantity(await chain.pendingNonce(a)) }
            let b = try n.resolveForWallet(tag)
            return .quantity(try n.read(b) { $0.account(a).nonce })
        }
        t.register("eth_getCode", maxParams: 2) { p in
            let a = try p.address(0)
            let tag = try p.blockTag(1)
            if tag == .pending { return .data(await chain.pendingState().state.code(of: a)) }
            let b = try n.resolve(tag)
            return .data(try n.read(b) { $0.code($0.account(a).codeHash) })
        }
        t.register("eth_getStorageAt", maxParams: 3) { p in
            let a = try p.address(0)
            let slot = try p.quantity(1)
            let tag = try p.blockTag(2)
            if tag == .pending { return .data(await chain.pendingState().state.storage(a, Hash(slot)).bytes32) }
            let b = try n.resolve(tag)
            return .data(try n.read(b) { $0.storage(a, Hash(slot)).bytes32 })
        }

        // MARK: fees

        t.register("eth_gasPrice", maxParams: 0) { _ in .quantity(await chain.nextBaseFee &+ gwei) }
        t.register("eth_maxPriorityFeePerGas", maxParams: 0) { _ in .quantity(gwei) }
        t.register("eth_blobBaseFee", maxParams: 0) { _ in .quantity(UInt64(1)) }
        t.register("eth_feeHistory", maxParams: 3) { p in try await feeHistory(p, n) }

        // MARK: blocks

        t.register("eth_getBlockByNumber", maxParams: 2) { p in
            let tag = try p.blockTag(0)
            let full = try p.optionalBool(1) ?? false
            if tag == .pending { return await PendingBlock.block(fullTransactions: full, n) }
            guard let b = n.resolveOptional(tag) else { return .null }
            return Format.block(b, fullTransactions: full, reader: reader)
        }
        t.register("eth_getBlockByHash", maxParams: 2) { p in
            let h = try p.hash(0)
            let full = try p.optionalBool(1) ?? false
            guard let b = reader.block(hash: h) else { return .null }
            return Format.block(b, fullTransactions: full, reader: reader)
        }
        t.register("eth_getBlockReceipts", maxParams: 1) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { return .null }
            return .array(reader.receipts(of: b).map(Format.receipt))
        }
        t.register("eth_getBlockTransactionCountByNumber", maxParams: 1) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { return .null }
            return .quantity(UInt64(b.transactionHashes.count))
        }
        t.register("eth_getBlockTransactionCountByHash", maxParams: 1) { p in
            guard let b = reader.block(hash: try p.hash(0)) else { return .null }
            return .quantity(UInt64(b.transactionHashes.count))
        }
        t.register("eth_getTransactionByBlockNumberAndIndex", maxParams: 2) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { return .null }
            return txAt(b, try p.uint64(1), reader)
        }
        t.register("eth_getTransactionByBlockHashAndIndex", maxParams: 2) { p in
            guard let b = reader.block(hash: try p.hash(0)) else { return .null }
            return txAt(b, try p.uint64(1), reader)
        }
        t.register(["eth_getUncleCountByBlockHash", "eth_getUncleCountByBlockNumber"], maxParams: 1) { p in
            _ = try p.value(0)
            return .quantity(UInt64(0))
        }
        t.register(["eth_getUncleByBlockHashAndIndex", "eth_getUncleByBlockNumberAndIndex"], maxParams: 2) { p in
            _ = try p.value(0); _ = try p.value(1)
            return .null
        }

        // MARK: transactions

        t.register("eth_getTransactionByHash", maxParams: 1) { p in
            let h = try p.hash(0)
            if let m = reader.transaction(hash: h) {
                return Format.transaction(m.tx, hash: m.hash, sender: m.sender, block: reader.block(number: m.blockNumber), index: m.index)
            }
            if let pending = await chain.pool.get(h) {
                return Format.transaction(pending.tx, hash: pending.hash, sender: pending.sender, block: nil, index: nil)
            }
            return .null
        }
        t.register("eth_getTransactionReceipt", maxParams: 1) { p in
            guard let r = reader.receipt(hash: try p.hash(0)) else { return .null }
            return Format.receipt(r)
        }
        t.register("eth_sendRawTransaction", maxParams: 1) { p in
            let raw = try p.bytes(0)
            let pooled = try decodeRaw(raw)
            return .hash(try await rpc { try await chain.submit(pooled) })
        }
        t.register("eth_sendTransaction", maxParams: 1) { p in
            .hash(try await sendTransaction(try p.object(0), n))
        }
        // Anvil's: a transaction from any address, no key or impersonation needed.
        t.register("eth_sendUnsignedTransaction", maxParams: 1) { p in
            let (tx, from) = try await buildTransaction(try p.object(0), n)
            let pooled = PooledTransaction(tx: tx, hash: impersonatedHash(tx, from: from), sender: from)
            return .hash(try await rpc { try await chain.submit(pooled) })
        }
        t.register(["eth_getRawTransactionByHash", "debug_getRawTransaction"], maxParams: 1) { p in
            let h = try p.hash(0)
            if let m = reader.transaction(hash: h) { return .data(m.tx.encoded()) }
            if let pending = await chain.pool.get(h) { return .data(pending.tx.encoded()) }
            return .null
        }
        t.register("eth_signTransaction", maxParams: 1) { p in
            let (tx, from) = try await buildTransaction(try p.object(0), n)
            guard let key = n.keys[from] else { throw RPCError.server("no private key for \(from.checksummed)") }
            return .data(try tx.signed(privateKey: key.privateKey).encoded())
        }

        // MARK: calls

        t.register("eth_call", maxParams: 4) { p in
            let c = try await PreparedCall.make(p, n)
            let o = try c.run(gasLimit: c.req.gas ?? c.env.gasLimit, n)
            try throwIfFailed(o)
            return .data(o.output)
        }
        t.register("eth_createAccessList", maxParams: 2) { p in
            try createAccessList(try await PreparedCall.make(p, n), n)
        }
        t.register("eth_estimateGas", maxParams: 4) { p in
            .quantity(try estimateGas(try await PreparedCall.make(p, n), n))
        }

        // MARK: logs

        t.register("eth_getLogs", maxParams: 1, long: true) { p in
            let f = try p.object(0)
            let filter = try LogFilterParser.parse(f, n)
            return try logsJSON(filter, n)
        }

        // MARK: txpool

        t.register("txpool_status", maxParams: 0) { _ in
            let (pending, queued) = await chain.poolSplit()
            return .object([("pending", .quantity(UInt64(pending.count))), ("queued", .quantity(UInt64(queued.count)))])
        }
        // geth's summary: `to: value wei + gas gas × gasPrice wei` (the fee cap for EIP-1559).
        t.register("txpool_inspect", maxParams: 0) { _ in
            await poolBySender(chain) { ptx in
                let to = ptx.tx.to.map(\.checksummed) ?? "contract creation"
                return .string("\(to): \(ptx.tx.value.decimalString) wei + \(ptx.tx.gasLimit) gas × \(ptx.tx.maxFeePerGas.decimalString) wei")
            }
        }
        t.register("txpool_content", maxParams: 0) { _ in
            await poolBySender(chain) { ptx in
                Format.transaction(ptx.tx, hash: ptx.hash, sender: ptx.sender, block: nil, index: nil)
            }
        }
    }

    /// `{pending: {sender: {nonce: entry}}, queued: {…}}`, senders in first-seen order, as geth's txpool_*.
    static func poolBySender(_ chain: Chain, _ entry: (PooledTransaction) -> JSON) async -> JSON {
        let (pending, queued) = await chain.poolSplit()
        func group(_ list: [PooledTransaction]) -> JSON {
            var bySender: [(Address, [(String, JSON)])] = []
            for ptx in list {
                let e = (String(ptx.tx.nonce), entry(ptx))
                if let i = bySender.firstIndex(where: { $0.0 == ptx.sender }) { bySender[i].1.append(e) }
                else { bySender.append((ptx.sender, [e])) }
            }
            return .object(bySender.map { ($0.0.checksummed, .object($0.1)) })
        }
        return .object([("pending", group(pending)), ("queued", group(queued))])
    }

    // MARK: helpers

    static func txAt(_ b: Block, _ i: UInt64, _ reader: ChainReader) -> JSON {
        guard i < UInt64(b.transactionHashes.count), let m = reader.transaction(hash: b.transactionHashes[Int(i)]) else { return .null }
        return Format.transaction(m.tx, hash: m.hash, sender: m.sender, block: b, index: m.index)
    }

    /// geth's transaction pool limit (4 × 32 KiB slots).
    static let maxTransactionSize = 131_072

    /// Decodes a raw transaction and recovers its sender (off the chain actor): the size limit,
    /// the strict decoding (an unsupported type is refused as such, anything else malformed is
    /// invalid params), the signature values and the recovery. Nothing else: whether the
    /// transaction is valid is the EVM's validation alone (`EVM.validate`, which the pool makes
    /// on `chain.submit`; `decodeUnpooled` for the callers that do not pool it).
    static func decodeRaw(_ raw: [UInt8]) throws -> PooledTransaction {
        if raw.count > maxTransactionSize {
            throw RPCError.server("oversized data: transaction size \(raw.count), limit \(maxTransactionSize)")
        }
        let tx: Transaction
        do { tx = try Transaction.decode(raw: raw) } catch {
            switch error {
            case .unsupportedType(let t):
                throw TxValidationError.unsupportedType(t).rpcError
            default:
                throw RPCError.invalidParams("param 0: invalid transaction: \(error.description)")
            }
        }
        guard tx.hasValidSignatureValues else { throw RPCError.server(TransactionError.invalidSignatureValues.description) }
        let sender: Address
        do { sender = try tx.recoverSender() } catch { throw RPCError.server("invalid sender: \(error.description)") }
        return PooledTransaction(tx: tx, hash: Hash.keccak(raw), sender: sender)
    }

    /// A raw transaction run without the pool (trace_rawTransaction, eth_callBundle,
    /// anvil_reorg): `decodeRaw`, then the EVM's checks of the transaction alone
    /// (`EVM.validateStateless`, what the pool's validation begins with) for chain `chainId`,
    /// with the pool's error codes.
    static func decodeUnpooled(_ raw: [UInt8], chainId: UInt64) throws -> PooledTransaction {
        let p = try decodeRaw(raw)
        do throws(TxError) { try Executor.validateStateless(p.tx, sender: p.sender, chainId: chainId) } catch {
            throw TxValidationError.invalid(error).rpcError
        }
        return p
    }

    /// eth_sendTransaction: signed with a dev key, or unsigned from an impersonated account.
    static func sendTransaction(_ o: JSON, _ n: NodeContext) async throws -> Hash {
        let (tx, from) = try await buildTransaction(o, n)
        return try await rpc { try await n.chain.submit(try await signOrImpersonate(tx, from: from, n)) }
    }

    /// The pooled form of a built transaction from `from`: signed with its dev key, else
    /// unsigned when `from` is impersonated.
    static func signOrImpersonate(_ tx: Transaction, from: Address, _ n: NodeContext) async throws -> PooledTransaction {
        if let key = n.keys[from] {
            let signed = try tx.signed(privateKey: key.privateKey)
            return PooledTransaction(tx: signed, hash: signed.hash, sender: from)
        } else if await n.chain.canSendUnsigned(from: from) {
            return PooledTransaction(tx: tx, hash: impersonatedHash(tx, from: from), sender: from)
        }
        throw RPCError.server("no signer for \(from.checksummed): not a dev account and not impersonated (see anvil_impersonateAccount)")
    }

    /// An impersonated transaction has no signature; its hash must still be unique.
    static func impersonatedHash(_ tx: Transaction, from: Address) -> Hash {
        Hash.keccak(tx.encoded() + from.bytes)
    }

    static func revertError(_ output: [UInt8]) -> RPCError {
        RPCError.revert(data: output, reason: ABI.decodeRevertReason(output))
    }

    /// Fills a transaction request (`eth_sendTransaction`/`eth_signTransaction`) the way
    /// Anvil does: nonce from the pool, gas estimated, EIP-1559 fees unless `gasPrice` is given.
    static func buildTransaction(_ o: JSON, _ n: NodeContext) async throws -> (Transaction, Address) {
        let req = try CallRequest(o)
        guard let from = req.from else { throw RPCError.invalidParams("param 0.from: missing") }
        let to = req.to
        let nonce: UInt64
        if let v = req.nonce { nonce = v } else { nonce = await n.chain.pendingNonce(from) }
        var gas = req.gas
        let balance = n.reader.account(from, at: n.reader.headNumber).balance
        if balance < req.value {
            throw TxValidationError.invalid(.insufficientFunds(from, have: balance, want: req.value)).rpcError
        }
        if gas == nil {
            gas = try estimateGas(PreparedCall(req: req, from: from, block: n.reader.head, env: n.reader.env(of: n.reader.head), overrides: nil), n)
        }
        let baseFee = await n.chain.nextBaseFee
        var tx: Transaction
        if let gp = req.gasPrice {
            tx = .legacy(chainId: n.reader.chainId, nonce: nonce, gasPrice: gp, gasLimit: gas!, to: to, value: req.value, data: req.data)
        } else {
            let tip = req.maxPriorityFeePerGas ?? gwei
            let cap = req.maxFeePerGas ?? baseFee.saturatingMul(2).saturatingAdd(tip)
            tx = .dynamicFee(chainId: n.reader.chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap,
                             gasLimit: gas!, to: to, value: req.value, data: req.data, accessList: req.accessList)
        }
        return (tx, from)
    }

    /// A failed call as geth reports it: a revert is code 3 with the revert data; a halt is
    /// -32000 with geth's message (`out of gas`, `invalid opcode: 0xfe`, `stack underflow …`).
    static func throwIfFailed(_ o: CallOutcome) throws {
        switch o.status {
        case .success: return
        case .revert: throw revertError(o.output)
        case .halt(let h): throw RPCError.server(h.message)
        }
    }

    /// The smallest gas limit with which the call succeeds, found as geth does: one run at the
    /// cap (the request's gas, else the block's limit), then a binary search from what that run
    /// used. Exact to the unit: nested calls need more than they use (the 63/64 rule), and
    /// refunds are paid only after the fact.
    /// geth's `eth_createAccessList`: runs the call with the access-list tracer, again with the
    /// list it recorded, until a run records the list it ran with; answers that list, the gas the
    /// call used with it (intrinsic gas and the list's cost included) and, when the call
    /// failed, `error` (geth's VM error: "execution reverted", "out of gas", …). The sender,
    /// the recipient (or the created contract) and the precompiles are never listed as accounts.
    static func createAccessList(_ call: PreparedCall, _ n: NodeContext) throws -> JSON {
        var c = call
        let gas = c.req.gas ?? c.env.gasLimit
        let to: Address
        if let t = c.req.to {
            to = t
        } else {
            // the creation's address, from the sender's nonce in the state the call runs on
            let from = c.from
            let nonce: UInt64
            if let n0 = c.req.nonce ?? c.overrides?[from]?.nonce {
                nonce = n0
            } else if let pending = c.pendingState {
                nonce = pending.account(from).nonce
            } else {
                nonce = try n.read(c.block) { state in state.account(from).nonce }
            }
            to = EVM.createAddress(from, nonce)
        }
        var prev = AccessListTracer(c.req.accessList, from: c.from, to: to)
        // Each run can only add what the previous list made reachable; a bound keeps a
        // pathological contract from looping.
        for _ in 0..<64 {
            let list = prev.accessList
            c.req.accessList = list
            let tracer = AccessListTracer(list, from: c.from, to: to)
            let o = try c.run(gasLimit: gas, n, tracer: tracer)
            if tracer.sameList(as: prev) {
                var fields: [(String, JSON)] = [("accessList", Format.accessList(list)), ("gasUsed", .quantity(o.gasUsed))]
                switch o.status {
                case .success: break
                case .revert: fields.insert(("error", .string("execution reverted")), at: 1)
                case .halt(let h): fields.insert(("error", .string(h.message)), at: 1)
                }
                return .object(fields)
            }
            prev = tracer
        }
        throw RPCError.server("access list did not settle after 64 runs")
    }

    static func estimateGas(_ c: PreparedCall, _ n: NodeContext) throws -> UInt64 {
        let cap = c.req.gas ?? c.env.gasLimit
        let first = try c.run(gasLimit: cap, n)
        if !first.success {
            if case .halt(.outOfGas) = first.status { throw RPCError.server("gas required exceeds allowance (\(cap))") }
            try throwIfFailed(first)
        }
        let intrinsic = Transaction.intrinsicGas(data: c.req.data, isContractCreation: c.req.to == nil, accessList: c.req.accessList)
        var lo = max(first.gasUsed &+ first.gasRefunded, intrinsic) &- 1
        var hi = cap
        if lo + 1 >= hi { return hi }
        if try c.run(gasLimit: lo + 1, n).success { return lo + 1 }
        lo += 1
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if try c.run(gasLimit: mid, n).success { hi = mid } else { lo = mid }
        }
        return hi
    }

    static func logsJSON(_ filter: ChainReader.LogFilter, _ n: NodeContext) throws -> JSON {
        if filter.toBlock >= filter.fromBlock, filter.toBlock - filter.fromBlock >= n.limits.maxLogBlockRange,
           filter.addresses.isEmpty && filter.topics.allSatisfy({ $0 == nil }) {
            throw RPCError.limitExceeded("query covers \(filter.toBlock - filter.fromBlock + 1) blocks with no address or topic; the limit is \(n.limits.maxLogBlockRange): narrow the block range")
        }
        do {
            return .array(try n.reader.logs(filter, maxResults: n.limits.maxLogResults).map(Format.log))
        } catch ChainReader.LogQueryError.tooManyResults(let m) {
            throw RPCError.limitExceeded("query returned more than \(m) results: narrow the block range or add address/topic filters")
        }
    }

    static func feeHistory(_ p: Params, _ n: NodeContext) async throws -> JSON {
        var count = try p.uint64(0)
        let newest = try p.blockTag(1)
        let percentiles = try p.optionalArray(2) ?? []
        var ps: [Double] = []
        for (i, v) in percentiles.enumerated() {
            guard let t = v.numberText, let d = Double(t), d >= 0, d <= 100 else {
                throw RPCError.invalidParams("param 2[\(i)]: reward percentile must be a number between 0 and 100")
            }
            if let last = ps.last, d < last { throw RPCError.invalidParams("param 2: reward percentiles must be ascending") }
            ps.append(d)
        }
        let head = n.resolveOptional(newest) ?? n.reader.head
        count = min(count, n.limits.maxFeeHistory, head.number + 1)
        if count == 0 {
            return .object([("oldestBlock", .quantity(UInt64(0))), ("baseFeePerGas", .array([])), ("gasUsedRatio", .array([]))])
        }
        let oldest = head.number + 1 - count
        var baseFees: [JSON] = [], ratios: [JSON] = [], rewards: [JSON] = [], blobFees: [JSON] = [], blobRatios: [JSON] = []
        for num in oldest...head.number {
            guard let b = n.reader.block(number: num) else { continue }
            let h = b.header
            baseFees.append(.quantity(h.baseFeePerGas ?? .zero))
            ratios.append(.number(h.gasLimit == 0 ? "0" : String(Double(h.gasUsed) / Double(h.gasLimit))))
            blobFees.append(.quantity(UInt64(1))); blobRatios.append(.number("0"))
            if !ps.isEmpty {
                let tips = n.reader.transactions(of: b).map { $0.tx.priorityFee(baseFee: h.baseFeePerGas ?? .zero) ?? .zero }.sorted()
                rewards.append(.array(ps.map { pct in
                    guard !tips.isEmpty else { return .quantity(UInt64(0)) }
                    let idx = min(tips.count - 1, Int((pct / 100) * Double(tips.count)))
                    return .quantity(tips[idx])
                }))
            }
        }
        // The base fee after the newest block.
        let next = head.number == n.reader.headNumber ? await n.chain.nextBaseFee
            : (n.reader.block(number: head.number + 1)?.header.baseFeePerGas ?? .zero)
        baseFees.append(.quantity(next)); blobFees.append(.quantity(UInt64(1)))
        var o: [(String, JSON)] = [("oldestBlock", .quantity(oldest)), ("baseFeePerGas", .array(baseFees)),
                                   ("gasUsedRatio", .array(ratios)), ("baseFeePerBlobGas", .array(blobFees)),
                                   ("blobGasUsedRatio", .array(blobRatios))]
        if !ps.isEmpty { o.append(("reward", .array(rewards))) }
        return .object(o)
    }
}

/// A transaction request object as eth_call / eth_sendTransaction take it.
struct CallRequest {
    var from: Address?
    var to: Address?
    var gas: UInt64?
    var gasPrice: UInt256?
    var maxFeePerGas: UInt256?
    var maxPriorityFeePerGas: UInt256?
    var value: UInt256 = .zero
    var data: [UInt8] = []
    var nonce: UInt64?
    var accessList: [AccessListEntry] = []

    init(_ o: JSON) throws {
        func field(_ k: String) -> JSON? { if let v = o[k], !v.isNull { return v }; return nil }
        if let v = field("from") { from = try ParamDecoder.address(v, "param 0.from") }
        if let v = field("to") { to = try ParamDecoder.address(v, "param 0.to") }
        if let v = field("gas") { gas = try ParamDecoder.uint64(v, "param 0.gas") }
        if let v = field("gasPrice") { gasPrice = try ParamDecoder.quantity(v, "param 0.gasPrice") }
        if let v = field("maxFeePerGas") { maxFeePerGas = try ParamDecoder.quantity(v, "param 0.maxFeePerGas") }
        if let v = field("maxPriorityFeePerGas") { maxPriorityFeePerGas = try ParamDecoder.quantity(v, "param 0.maxPriorityFeePerGas") }
        if let v = field("value") { value = try ParamDecoder.quantity(v, "param 0.value") }
        if let v = field("nonce") { nonce = try ParamDecoder.uint64(v, "param 0.nonce") }
        let input = field("input"), data = field("data")
        if let i = input, let d = data {
            let a = try ParamDecoder.bytes(i, "param 0.input"), b = try ParamDecoder.bytes(d, "param 0.data")
            guard a == b else { throw RPCError.invalidParams("param 0: both input and data are set and differ") }
            self.data = a
        } else if let v = input ?? data {
            self.data = try ParamDecoder.bytes(v, input != nil ? "param 0.input" : "param 0.data")
        }
        if let v = field("accessList") {
            let list = try ParamDecoder.array(v, "param 0.accessList")
            for (i, e) in list.enumerated() {
                guard let a = e["address"] else { throw RPCError.invalidParams("param 0.accessList[\(i)]: missing address") }
                let addr = try ParamDecoder.address(a, "param 0.accessList[\(i)].address")
                let keys = try (e["storageKeys"].map { try ParamDecoder.array($0, "param 0.accessList[\(i)].storageKeys") } ?? [])
                    .enumerated().map { try ParamDecoder.hash($0.element, "param 0.accessList[\(i)].storageKeys[\($0.offset)]") }
                accessList.append(AccessListEntry(address: addr, storageKeys: keys))
            }
        }
    }
}

/// eth_call's and eth_estimateGas's third parameter, in geth's shape: per address `balance`,
/// `nonce`, `code`, `state` (the account's whole storage) or `stateDiff` (some slots), applied
/// through an `OverriddenState` for that call only.
enum StateOverrides {
    /// The largest code an override may set (as `anvil_setCode`).
    static let maxCodeSize = CheatMethods.maxCheatCodeSize

    /// Parses and checks the whole object before anything runs; every error is -32602 naming
    /// the address and field. Code overrides at the native contracts are refused, as
    /// `anvil_setCode` refuses them (their code is Swift).
    static func parse(_ o: JSON, natives: ContractAddresses) throws -> [Address: AccountOverride] {
        guard let entries = o.objectValue else { throw RPCError.invalidParams("param 2: expected an object of state overrides") }
        var out: [Address: AccountOverride] = [:]
        for (key, v) in entries {
            let what = "param 2.\(key)"
            guard let a = Address(hex: key) else {
                throw RPCError.invalidParams("param 2: \(key) is not a 20-byte address")
            }
            guard out[a] == nil else { throw RPCError.invalidParams("\(what): the address is listed twice") }
            if v.isNull { continue }
            guard let fields = v.objectValue else { throw RPCError.invalidParams("\(what): expected an object") }
            var ov = AccountOverride()
            for (field, value) in fields where !value.isNull {
                switch field {
                case "balance": ov.balance = try ParamDecoder.quantity(value, "\(what).balance")
                case "nonce": ov.nonce = try ParamDecoder.uint64(value, "\(what).nonce")
                case "code":
                    let code = try ParamDecoder.bytes(value, "\(what).code")
                    guard code.count <= maxCodeSize else {
                        throw RPCError.invalidParams("\(what).code: \(code.count) bytes is larger than the \(maxCodeSize)-byte limit")
                    }
                    if let name = natives.name(of: a) {
                        throw RPCError.invalidParams("\(what).code: \(a.checksummed) is stakenet's native \(name) contract: its code is Swift, not bytecode, and cannot be overridden (override its storage with state or stateDiff)")
                    }
                    ov.code = code
                case "state": ov.state = try slots(value, "\(what).state")
                case "stateDiff": ov.stateDiff = try slots(value, "\(what).stateDiff")
                case "movePrecompileToAddress":
                    throw RPCError.invalidParams("\(what).movePrecompileToAddress: not supported")
                default:
                    throw RPCError.invalidParams("\(what): unknown override field \(field) (expected balance, nonce, code, state or stateDiff)")
                }
            }
            if ov.state != nil && ov.stateDiff != nil {
                throw RPCError.invalidParams("\(what): state and stateDiff cannot both be set")
            }
            out[a] = ov
        }
        return out
    }

    /// `{slot: value}`, both 32-byte words.
    static func slots(_ v: JSON, _ what: String) throws -> [Hash: UInt256] {
        guard let pairs = v.objectValue else { throw RPCError.invalidParams("\(what): expected an object of slot: value") }
        var out: [Hash: UInt256] = [:]
        for (k, value) in pairs {
            let slot = try ParamDecoder.word(.string(k), "\(what) slot \(k)")
            out[Hash(slot)] = try ParamDecoder.word(value, "\(what).\(k)")
        }
        return out
    }
}

/// eth_getLogs / eth_newFilter filter objects.
enum LogFilterParser {
    static func parse(_ f: JSON, _ n: NodeContext) throws -> ChainReader.LogFilter {
        let head = n.reader.headNumber
        var from = head, to = head
        if let bh = f["blockHash"], !bh.isNull {
            if f["fromBlock"] != nil || f["toBlock"] != nil {
                throw RPCError.invalidParams("param 0: blockHash cannot be combined with fromBlock/toBlock")
            }
            let h = try ParamDecoder.hash(bh, "param 0.blockHash")
            guard let b = n.reader.block(hash: h) else { throw RPCError.server("unknown block \(h.hex)") }
            from = b.number; to = b.number
        } else {
            if let v = f["fromBlock"], !v.isNull { from = try number(v, "param 0.fromBlock", n) }
            if let v = f["toBlock"], !v.isNull { to = try number(v, "param 0.toBlock", n) }
            if from > to { throw RPCError.invalidParams("param 0: fromBlock \(from) is after toBlock \(to)") }
        }
        var addresses: [Address] = []
        if let a = f["address"], !a.isNull {
            if let list = a.arrayValue {
                addresses = try list.enumerated().map { try ParamDecoder.address($0.element, "param 0.address[\($0.offset)]") }
            } else { addresses = [try ParamDecoder.address(a, "param 0.address")] }
        }
        var topics: [[Hash]?] = []
        if let t = f["topics"], !t.isNull {
            let list = try ParamDecoder.array(t, "param 0.topics")
            if list.count > 4 { throw RPCError.invalidParams("param 0.topics: at most 4 topic positions") }
            for (i, e) in list.enumerated() {
                if e.isNull { topics.append(nil) }
                else if let alts = e.arrayValue {
                    topics.append(try alts.enumerated().map { try ParamDecoder.hash($0.element, "param 0.topics[\(i)][\($0.offset)]") })
                } else { topics.append([try ParamDecoder.hash(e, "param 0.topics[\(i)]")]) }
            }
        }
        return ChainReader.LogFilter(fromBlock: from, toBlock: to, addresses: addresses, topics: topics)
    }

    static func number(_ v: JSON, _ what: String, _ n: NodeContext) throws -> UInt64 {
        switch try ParamDecoder.blockTag(v, what) {
        case .earliest: return 0
        case .number(let x): return x
        case .hash: throw RPCError.invalidParams("\(what): a block hash is not allowed here")
        default: return n.reader.headNumber
        }
    }
}

/// An `eth_call`-style request resolved against its block and state overrides, runnable with
/// any gas limit (estimation runs it many times).
struct PreparedCall {
    var req: CallRequest
    let from: Address
    let block: Block
    var env: BlockEnv
    let overrides: [Address: AccountOverride]?
    /// The `pending` tag: the next block's state (the pool's ready transactions applied), run in
    /// that block's environment, as Anvil runs it. nil: the state at `block`.
    var pendingState: StateSource? = nil

    init(req: CallRequest, from: Address, block: Block, env: BlockEnv, overrides: [Address: AccountOverride]?) {
        self.req = req; self.from = from; self.block = block; self.env = env; self.overrides = overrides
    }

    /// `overrides`: the state-override object (param 2 of eth_call; `stateOverrides` inside
    /// debug_traceCall's config). Pass `.some(nil)` for none, nil to read param 2.
    init(_ p: Params, _ n: NodeContext, overrides given: JSON?? = nil) throws {
        req = try CallRequest(try p.object(0))
        block = try n.resolve(try p.blockTag(1))
        from = req.from ?? .zero
        env = n.reader.env(of: block)
        let raw: JSON? = try given ?? p.optionalObject(2)
        overrides = try raw.map { try StateOverrides.parse($0, natives: n.reader.contracts.addresses) }
    }

    /// Like `init(p, n)`, but `pending` runs in the next block's context (see `pendingState`).
    static func make(_ p: Params, _ n: NodeContext) async throws -> PreparedCall {
        var c = try PreparedCall(p, n)
        if try p.blockTag(1) == .pending {
            let (state, env, _) = await n.chain.pendingState()
            c.pendingState = FrozenOverlay(state)
            c.env = env
        }
        // Anvil's fourth param: block overrides (number, time, gasLimit, feeRecipient, prevRandao, baseFeePerGas).
        if p.count > 3, let bo = p[3], !bo.isNull { try AnvilMethods.applyBlockOverrides(bo, to: &c.env, "param 3") }
        return c
    }

    func run(gasLimit: UInt64, _ n: NodeContext, tracer: ExecutionTracer? = nil) throws -> CallOutcome {
        if let pending = pendingState { return try execute(on: pending, gasLimit: gasLimit, n, tracer: tracer) }
        return try n.read(block) { state in try execute(on: state, gasLimit: gasLimit, n, tracer: tracer) }
    }

    private func execute(on state: StateSource, gasLimit: UInt64, _ n: NodeContext, tracer: ExecutionTracer?) throws -> CallOutcome {
        do {
            let overlay = StateOverlay(base: overrides.map { OverriddenState(base: state, overrides: $0) } ?? state)
            if overlay.balance(of: from) < req.value {
                throw RPCError.server("insufficient funds for gas * price + value: address \(from.checksummed) have \(overlay.balance(of: from)) want \(req.value)", code: -32003)
            }
            return n.reader.executor.run(from: from, to: req.to, value: req.value, data: req.data, gasLimit: gasLimit,
                                         accessList: req.accessList, state: overlay, env: env, tracer: tracer)
        }
    }
}
