import Foundation
import Primitives
import EthCrypto
import Chain
import Contracts

/// The methods of Anvil's `EthRequest` beyond the standard set and the classic cheats, in the
/// shapes Anvil returns (foundry-rs/foundry `crates/anvil/src/eth/api.rs`): account and header
/// reads, raw encodings, pool views, the synchronous sends, eth_callMany / eth_simulateV1 /
/// eth_fillTransaction, rollback and reorg, PREVRANDAO and chain-id cheats, and the names of
/// things stakenet cannot do (forking, proof of work, blobs), refused with the reason.
enum AnvilMethods {
    static func register(_ t: MethodTable, _ n: NodeContext) {
        let chain = n.chain, reader = n.reader

        // MARK: small ones

        t.register("eth_protocolVersion", maxParams: 0) { _ in JSON(1) }
        t.register("eth_baseFee", maxParams: 0) { _ in .quantity(await chain.nextBaseFee) }
        t.register("anvil_getGenesisTime", maxParams: 0) { _ in JSON(reader.block(number: 0)?.header.timestamp ?? n.config.genesisTimestamp) }
        t.register("debug_clearTxpool", maxParams: 0) { _ in await chain.dropAllTransactions(); return .null }
        t.register(["eth_getWork", "eth_submitWork", "eth_submitHashrate"], maxParams: MethodTable.anyParams) { _ in
            throw RPCError(code: -32603, message: "Not implemented: there is no proof-of-work mining after the merge")
        }
        // reth's no-ops, as Anvil
        t.register("debug_getModifiedAccountsByNumber", maxParams: 2) { _ in .null }
        t.register("debug_freeOSMemory", maxParams: 0) { _ in .null }
        t.register("anvil_setChainId", maxParams: 1) { p in
            let id = try p.uint64(0)
            guard id > 0 else { throw RPCError.invalidParams("param 0: the chain id must be positive") }
            await chain.setChainId(id)
            return .null
        }
        t.register(["anvil_setNextBlockPrevRandao", "hardhat_setPrevRandao"], maxParams: 1) { p in
            let v = try ParamDecoder.word(try p.value(0), "param 0 (prevRandao)")
            await chain.setNextBlockPrevRandao(Hash(v))
            return .null
        }
        t.register(["anvil_mine_detailed", "evm_mine_detailed"], maxParams: 1, long: true) { p in
            try await mineDetailed(p, n)
        }
        t.register("anvil_rollback", maxParams: 1, long: true) { p in
            let depth = try p.optionalUInt64(0) ?? 1
            let h = reader.headNumber
            guard depth <= h else {
                throw RPCError.invalidParams("Rollback depth must not exceed current chain height: current height \(h), depth \(depth)")
            }
            try await rpc { try await chain.rollback(depth: depth) }
            return .null
        }
        t.register("anvil_reorg", maxParams: 1, long: true) { p in try await reorg(p, n) }
        AnvilExtras.register(t, n)

        // MARK: accounts and storage

        t.register("eth_getAccount", maxParams: 2) { p in
            let a = try p.address(0)
            let b = try n.resolve(try p.blockTag(1))
            return try n.read(b) { s in
                let acct = s.account(a)
                return .object([("nonce", .quantity(acct.nonce)), ("balance", .quantity(acct.balance)),
                                ("storageRoot", .hash(try storageRoot(a, at: b.number, reader))), ("codeHash", .hash(acct.codeHash))])
            }
        }
        t.register("eth_getAccountInfo", maxParams: 2) { p in
            let a = try p.address(0)
            let b = try n.resolve(try p.blockTag(1))
            return try n.read(b) { s in
                let acct = s.account(a)
                return .object([("balance", .quantity(acct.balance)), ("nonce", .quantity(acct.nonce)),
                                ("code", .data(s.code(acct.codeHash)))])
            }
        }
        t.register("eth_getStorageValues", maxParams: 2) { p in
            let requests = try p.object(0)
            guard let entries = requests.objectValue else { throw RPCError.invalidParams("param 0: expected {address: [slot, …]}") }
            var parsed: [(Address, [Hash])] = []
            var total = 0
            for (k, v) in entries {
                guard let a = Address(hex: k) else { throw RPCError.invalidParams("param 0: \(k) is not a 20-byte address") }
                let slots = try ParamDecoder.array(v, "param 0.\(k)").enumerated().map {
                    Hash(try ParamDecoder.word($0.element, "param 0.\(k)[\($0.offset)]"))
                }
                total += slots.count
                parsed.append((a, slots))
            }
            guard total <= 1024 else { throw RPCError.invalidParams("total slot count \(total) exceeds limit 1024") }
            let b = try n.resolve(try p.blockTag(1))
            return try n.read(b) { s in
                .object(parsed.map { a, slots in (a.checksummed, .array(slots.map { .data(s.storage(a, $0).bytes32) })) })
            }
        }

        // MARK: headers and raw encodings

        t.register("eth_getHeaderByNumber", maxParams: 1) { p in
            if try p.blockTag(0) == .pending { return await PendingBlock.header(n) }
            guard let b = n.resolveOptional(try p.blockTag(0)) else { return .null }
            return header(b)
        }
        t.register("eth_getHeaderByHash", maxParams: 1) { p in
            guard let b = reader.block(hash: try p.hash(0)) else { return .null }
            return header(b)
        }
        t.register("debug_getRawHeader", maxParams: 1) { p in .data(try blockOrNotFound(p, n).headerRLP) }
        t.register("debug_getRawBlock", maxParams: 1) { p in .data(rawBlock(try blockOrNotFound(p, n), reader)) }
        t.register("debug_getRawReceipts", maxParams: 1) { p in
            let b = try blockOrNotFound(p, n)
            return .array(reader.receipts(of: b).map { r in
                .data(Receipt(type: r.txType, status: r.status, cumulativeGasUsed: r.cumulativeGasUsed, logs: r.logs).encoded())
            })
        }
        t.register("debug_getRawTransactions", maxParams: 1) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { return .array([]) }
            return .array(reader.transactions(of: b).map { .data($0.tx.encoded()) })
        }
        t.register("eth_getRawTransactionByBlockNumberAndIndex", maxParams: 2) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { return .null }
            return rawAt(b, try p.uint64(1), reader)
        }
        t.register("eth_getRawTransactionByBlockHashAndIndex", maxParams: 2) { p in
            guard let b = reader.block(hash: try p.hash(0)) else { return .null }
            return rawAt(b, try p.uint64(1), reader)
        }

        // MARK: the pool

        t.register("eth_pendingTransactions", maxParams: 0) { _ in
            .array(await chain.poolSplit().pending.map { Format.transaction($0.tx, hash: $0.hash, sender: $0.sender, block: nil, index: nil) })
        }
        t.register("txpool_contentFrom", maxParams: 1) { p in
            let a = try p.address(0)
            let (pending, queued) = await chain.poolSplit()
            func group(_ list: [PooledTransaction]) -> JSON {
                .object(list.filter { $0.sender == a }.sorted { $0.tx.nonce < $1.tx.nonce }.map {
                    (String($0.tx.nonce), Format.transaction($0.tx, hash: $0.hash, sender: $0.sender, block: nil, index: nil))
                })
            }
            return .object([("pending", group(pending)), ("queued", group(queued))])
        }
        t.register("eth_getTransactionBySenderAndNonce", maxParams: 2) { p in
            guard let f = try await bySenderAndNonce(p, n) else { return .null }
            return Format.transaction(f.tx, hash: f.hash, sender: f.sender, block: f.block, index: f.index)
        }
        t.register("ots_getTransactionBySenderAndNonce", maxParams: 2) { p in
            guard let f = try await bySenderAndNonce(p, n) else { return .null }
            return .hash(f.hash)
        }

        // MARK: sends that wait for the receipt

        t.register("eth_sendRawTransactionSync", maxParams: 2, long: true) { p in
            let pooled = try EthMethods.decodeRaw(try p.bytes(0))
            let timeout = try p.optionalUInt64(1)
            let h = try await rpc { try await chain.submit(pooled) }
            return try await receiptOf(h, timeoutMs: timeout, n)
        }
        t.register("eth_sendTransactionSync", maxParams: 1, long: true) { p in
            let h = try await EthMethods.sendTransaction(try p.object(0), n)
            return try await receiptOf(h, timeoutMs: nil, n)
        }

        // MARK: simulation

        t.register("eth_fillTransaction", maxParams: 1) { p in try await fillTransaction(p, n) }
        t.register("eth_callMany", maxParams: 3, long: true) { p in try await callMany(p, n) }
        t.register("eth_simulateV1", maxParams: 2, long: true) { p in try await simulate(p, n) }
        t.register("eth_callBundle", maxParams: 1) { p in try await callBundle(p, n) }

        // MARK: what cannot apply here

        t.register("anvil_setRpcUrl", maxParams: 1) { p in
            _ = try p.string(0)
            throw RPCError.server("anvil_setRpcUrl: stakenet does not fork a remote chain, so there is no fork RPC URL to set; it emulates Ankr's MATIC staking contracts natively")
        }
        t.register(["anvil_getBlobByHash", "anvil_getBlobsByTransactionHash", "anvil_getBlobsByBlockId"], maxParams: MethodTable.anyParams) { _ in
            throw RPCError.server("stakenet accepts no blob (type 3) transactions, so it holds no blobs")
        }
    }

    // MARK: helpers

    static func header(_ b: Block) -> JSON {
        var o = Format.headerFields(b.header, hash: b.hash)
        o.append(("totalDifficulty", .quantity(UInt64(0))))
        o.append(("size", .quantity(b.size)))
        return .object(o)
    }

    /// Anvil's BlockNotFound for the debug_getRaw* methods.
    static func blockOrNotFound(_ p: Params, _ n: NodeContext) throws -> Block {
        guard let b = n.resolveOptional(try p.blockTag(0)) else { throw RPCError.server("Resource not found", code: -32001) }
        return b
    }

    static func rawAt(_ b: Block, _ i: UInt64, _ reader: ChainReader) -> JSON {
        guard i < UInt64(b.transactionHashes.count), let m = reader.transaction(hash: b.transactionHashes[Int(i)]) else { return .null }
        return .data(m.tx.encoded())
    }

    /// RLP([header, [transactions…], [], []]): typed transactions as byte strings, as in a block body.
    static func rawBlock(_ b: Block, _ reader: ChainReader) -> [UInt8] {
        let txs = reader.transactions(of: b).map { $0.tx.encoded() }
        var w = RLPWriter(capacity: b.headerRLP.count + txs.reduce(16) { $0 + $1.count + 4 })
        w.list { w in
            w.write(encoded: b.headerRLP)
            w.list { w in
                for t in txs {
                    if let f = t.first, f >= 0xc0 { w.write(encoded: t) } else { w.write(bytes: t) }
                }
            }
            w.list { _ in }
            if b.header.withdrawalsRoot != nil { w.list { _ in } }
        }
        return w.bytes
    }

    /// The storage root of `a` at block `number`: the secure Merkle-Patricia trie of its
    /// non-zero slots (keccak(slot) → RLP(value)), as eth_getAccount reports it. (The block's
    /// stateRoot is not an MPT root; an account's storage root is.)
    static func storageRoot(_ a: Address, at number: UInt64, _ reader: ChainReader) throws -> Hash {
        var pairs: [([UInt8], [UInt8])] = []
        try reader.forEachStorageSlot(of: a, at: number) { slot, value in
            guard value.count == 32, let v = UInt256(bigEndian: value), !v.isZero else { return }
            pairs.append((Keccak256.hash(slot.bytes), RLP.encode(v)))
        }
        return Trie.root(pairs)
    }

    /// A pooled or mined transaction by sender and nonce (Anvil: the pool first, then a binary
    /// search over the sender's nonce by block).
    struct Found { var tx: Transaction; var hash: Hash; var sender: Address; var block: Block?; var index: UInt32? }

    static func bySenderAndNonce(_ p: Params, _ n: NodeContext) async throws -> Found? {
        let sender = try p.address(0)
        let nonceValue = try p.quantity(1)
        guard let nonce = nonceValue.uint64 else { return nil }
        if let pooled = await n.chain.pool.all.first(where: { $0.sender == sender && $0.tx.nonce == nonce }) {
            return Found(tx: pooled.tx, hash: pooled.hash, sender: sender, block: nil, index: nil)
        }
        let reader = n.reader
        let head = reader.headNumber
        guard nonce < reader.account(sender, at: head).nonce, head > 0 else { return nil }
        // The first block after which the sender's nonce exceeds `nonce`.
        var lo: UInt64 = 1, hi = head
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if reader.account(sender, at: mid).nonce > nonce { hi = mid } else { lo = mid + 1 }
        }
        guard let b = reader.block(number: lo) else { return nil }
        guard let m = reader.transactions(of: b).first(where: { $0.sender == sender && $0.tx.nonce == nonce }) else { return nil }
        return Found(tx: m.tx, hash: m.hash, sender: m.sender, block: b, index: m.index)
    }

    /// Waits for `hash`'s receipt (Anvil: 30 s at most, less when `timeoutMs` asks).
    static func receiptOf(_ hash: Hash, timeoutMs: UInt64?, _ n: NodeContext) async throws -> JSON {
        let limitMs = min(timeoutMs.flatMap { $0 > 0 ? $0 : nil } ?? 30_000, 30_000)
        let deadline = DispatchTime.now().uptimeNanoseconds &+ limitMs &* 1_000_000
        var pause: UInt64 = 2_000_000
        while true {
            if let r = n.reader.receipt(hash: hash) { return Format.receipt(r) }
            if DispatchTime.now().uptimeNanoseconds >= deadline {
                throw RPCError(code: 4, message: "Transaction confirmation timeout", data: .hash(hash))
            }
            try await Task.sleep(nanoseconds: pause)
            pause = min(pause * 2, 50_000_000)
        }
    }

    /// evm_mine's options, then the mined blocks with full transactions, each with `output`
    /// (and `revertReason` when it failed) from its execution, as Anvil's evm_mine_detailed.
    static func mineDetailed(_ p: Params, _ n: NodeContext) async throws -> JSON {
        let (ts, blocks) = try CheatMethods.mineOptions(p)
        guard blocks <= 1_000 else {
            throw RPCError.invalidParams("param 0.blocks: at most 1000 blocks per evm_mine_detailed (each comes back whole)")
        }
        let before = n.reader.headNumber
        try await rpc {
            if let ts { try await n.chain.setNextBlockTimestamp(ts) }
            _ = try await n.chain.mine(count: blocks, interval: nil)
        }
        let after = n.reader.headNumber
        guard after > before else { return .array([]) }
        var out: [JSON] = []
        for num in (before + 1)...after {
            guard let b = n.reader.block(number: num), case .object(var fields) = Format.block(b, fullTransactions: true, reader: n.reader) else { continue }
            if let i = fields.firstIndex(where: { $0.0 == "transactions" }) {
                let txs = n.reader.transactions(of: b)
                let outcomes = try n.reader.replay(b, tracer: { _ in nil })
                fields[i].1 = .array(txs.enumerated().map { k, m in
                    guard case .object(var o) = Format.transaction(m.tx, hash: m.hash, sender: m.sender, block: b, index: m.index) else { return .null }
                    if k < outcomes.count {
                        let output = outcomes[k].output
                        if n.reader.receipt(hash: m.hash)?.status == false, let reason = ABI.decodeRevertReason(output) {
                            o.append(("revertReason", .string(reason)))
                        }
                        o.append(("output", .data(output)))
                    }
                    return .object(o)
                })
            }
            out.append(.object(fields))
        }
        return .array(out)
    }

    // MARK: anvil_reorg

    /// `{depth, tx_block_pairs: [[tx, blockIndex], …]}`: tx is a transaction request (signed by
    /// the node: a dev key or an impersonated sender) or raw signed bytes.
    static func reorg(_ p: Params, _ n: NodeContext) async throws -> JSON {
        let o = try p.object(0)
        guard let d = o["depth"], !d.isNull else { throw RPCError.invalidParams("param 0.depth: missing") }
        let depth = try ParamDecoder.uint64(d, "param 0.depth")
        let head = n.reader.headNumber
        guard depth <= head else {
            throw RPCError.invalidParams("Reorg depth must not exceed current chain height: current height \(head), depth \(depth)")
        }
        let common = head - depth
        var pairs: [(JSON, UInt64, Int)] = []
        if let list = o["tx_block_pairs"], !list.isNull {
            for (i, e) in try ParamDecoder.array(list, "param 0.tx_block_pairs").enumerated() {
                guard let pair = e.arrayValue, pair.count == 2 else {
                    throw RPCError.invalidParams("param 0.tx_block_pairs[\(i)]: expected [transaction, block index]")
                }
                let idx = try ParamDecoder.uint64(pair[1], "param 0.tx_block_pairs[\(i)][1]")
                if idx >= depth {
                    throw RPCError.invalidParams("Block number for reorg tx will exceed the reorged chain height. Block number \(idx) must not exceed (depth-1) \(depth &- 1)")
                }
                pairs.append((pair[0], idx, i))
            }
        }
        pairs.sort { $0.1 < $1.1 || ($0.1 == $1.1 && $0.2 < $1.2) }
        var blocks = [[PooledTransaction]](repeating: [], count: Int(depth))
        var nonces: [Address: UInt64] = [:]
        for (tx, idx, i) in pairs {
            let pooled: PooledTransaction
            if tx.isObject {
                var req = try CallRequest(tx)
                let from = req.from ?? n.devAddresses.first ?? .zero
                let nonce = nonces[from] ?? n.reader.account(from, at: common).nonce
                nonces[from] = nonce + 1
                req.nonce = nonce
                let (built, _) = try await EthMethods.buildTransaction(requestJSON(req, from: from), n)
                pooled = try await EthMethods.signOrImpersonate(built, from: from, n)
            } else {
                let raw = try ParamDecoder.bytes(tx, "param 0.tx_block_pairs[\(i)][0]")
                pooled = try EthMethods.decodeUnpooled(raw, chainId: n.reader.chainId)
            }
            blocks[Int(idx)].append(pooled)
        }
        try await rpc { try await n.chain.reorg(depth: depth, blocks: blocks) }
        return .null
    }

    /// A transaction request object again (for buildTransaction).
    static func requestJSON(_ r: CallRequest, from: Address) -> JSON {
        var o: [(String, JSON)] = [("from", .address(from))]
        if let to = r.to { o.append(("to", .address(to))) }
        if let g = r.gas { o.append(("gas", .quantity(g))) }
        if let v = r.gasPrice { o.append(("gasPrice", .quantity(v))) }
        if let v = r.maxFeePerGas { o.append(("maxFeePerGas", .quantity(v))) }
        if let v = r.maxPriorityFeePerGas { o.append(("maxPriorityFeePerGas", .quantity(v))) }
        if let v = r.nonce { o.append(("nonce", .quantity(v))) }
        o.append(("value", .quantity(r.value)))
        o.append(("input", .data(r.data)))
        if !r.accessList.isEmpty { o.append(("accessList", Format.accessList(r.accessList))) }
        return .object(o)
    }

    // MARK: eth_fillTransaction

    /// `{raw, tx}`: the request completed as eth_sendTransaction would (nonce, gas, fees, chain
    /// id), encoded with Anvil's placeholder signature (r = s = 1), not sent.
    static func fillTransaction(_ p: Params, _ n: NodeContext) async throws -> JSON {
        var o = try p.object(0)
        if o["from"] == nil || o["from"]!.isNull, let first = n.devAddresses.first, case .object(var f) = o {
            f.append(("from", .address(first)))
            o = .object(f)
        }
        let (built, from) = try await EthMethods.buildTransaction(o, n)
        var tx = built
        tx.r = .one
        tx.s = .one
        tx.yParity = 0
        let raw = tx.encoded()
        return .object([("raw", .data(raw)),
                        ("tx", Format.transaction(tx, hash: Hash.keccak(raw), sender: from, block: nil, index: nil))])
    }
}
