import Foundation
import Primitives
import Chain
import Contracts

/// The rest of Anvil's `EthRequest`: eth_config, eth_resend, the conditional send, debug_ and
/// erigon_ lookups, the Otterscan methods that need no call traces, and the names that cannot
/// apply to stakenet, each refused with the reason.
enum AnvilExtras {
    static func register(_ t: MethodTable, _ n: NodeContext) {
        let chain = n.chain, reader = n.reader

        t.register("anvil_getLastBlockWallTime", maxParams: 0) { _ in JSON(reader.headWallTime) }

        // EIP-7910, for Cancun (activation time 0: every rule applies from genesis).
        t.register("eth_config", maxParams: 0) { _ in
            let precompiles: [(String, String)] = [
                ("BLAKE2F", "0x0000000000000000000000000000000000000009"), ("BN254_ADD", "0x0000000000000000000000000000000000000006"),
                ("BN254_MUL", "0x0000000000000000000000000000000000000007"), ("BN254_PAIRING", "0x0000000000000000000000000000000000000008"),
                ("ECREC", "0x0000000000000000000000000000000000000001"), ("ID", "0x0000000000000000000000000000000000000004"),
                ("KZG_POINT_EVALUATION", "0x000000000000000000000000000000000000000a"), ("MODEXP", "0x0000000000000000000000000000000000000005"),
                ("RIPEMD160", "0x0000000000000000000000000000000000000003"), ("SHA256", "0x0000000000000000000000000000000000000002"),
            ]
            return .object([
                ("current", .object([
                    ("activationTime", JSON(0)),
                    ("blobSchedule", .object([("baseFeeUpdateFraction", JSON(3_338_477)), ("max", JSON(6)), ("target", JSON(3))])),
                    ("chainId", .quantity(reader.chainId)),
                    ("forkId", .string("0x00000000")),
                    ("precompiles", .object(precompiles.map { ($0.0, .string($0.1)) })),
                    ("systemContracts", .object([])),
                ])),
                ("next", .null),
                ("last", .null),
            ])
        }

        // eth_resend(request, gasPrice?, gasLimit?): replaces the pooled transaction with the
        // request's sender and nonce by one built from the request with the new gas price/limit.
        t.register("eth_resend", maxParams: 3) { p in
            var o = try p.object(0)
            let req = try CallRequest(o)
            let from = req.from ?? n.devAddresses.first ?? .zero
            guard let nonce = req.nonce else {
                throw RPCError.server("missing transaction nonce in transaction spec")
            }
            guard await chain.pool.all.contains(where: { $0.sender == from && $0.tx.nonce == nonce }) else {
                throw RPCError.server("transaction not found")
            }
            guard case .object(var f) = o else { throw RPCError.invalidParams("param 0: expected an object") }
            f.removeAll { $0.0 == "from" }
            f.append(("from", .address(from)))
            if let gp = try p.optionalQuantity(1), !gp.isZero {
                f.removeAll { ["gasPrice", "maxFeePerGas", "maxPriorityFeePerGas"].contains($0.0) }
                f.append(("gasPrice", .quantity(gp)))
            }
            if let gl = try p.optionalUInt64(2), gl != 0 {
                f.removeAll { $0.0 == "gas" }
                f.append(("gas", .quantity(gl)))
            }
            o = .object(f)
            let (tx, _) = try await EthMethods.buildTransaction(o, n)
            let pooled = try await EthMethods.signOrImpersonate(tx, from: from, n)
            return .hash(try await rpc { try await chain.submit(pooled) })
        }
        // ERC-7796's conditional send: Anvil ignores the condition and sends; so does stakenet.
        t.register("eth_sendRawTransactionConditional", maxParams: 2) { p in
            _ = try p.object(1)
            let pooled = try EthMethods.decodeRaw(try p.bytes(0))
            return .hash(try await rpc { try await chain.submit(pooled) })
        }

        // MARK: debug_ lookups

        t.register("debug_codeByHash", maxParams: 2) { p in
            let h = try p.hash(0)
            if h == Account.emptyCodeHash { return .data([]) }
            let code = reader.store.codes.code(h)
            return code.isEmpty ? .null : .data(code)
        }
        // reth's debug_dbGet, bytecode lookups only: key 0x63 ‖ code hash.
        t.register("debug_dbGet", maxParams: 1) { p in
            let k = try p.string(0)
            let key: [UInt8]
            if k.hasPrefix("0x") {
                guard let d = Hex.decode(k) else { throw RPCError.server("Invalid hex key") }
                key = d
            } else {
                key = Array(k.utf8)
            }
            guard key.count == 33 else { throw RPCError.server("Invalid key length: expected 33 bytes, got \(key.count)") }
            guard key[0] == 0x63 else { throw RPCError.server("Key prefix must be 0x63 for code hash lookups") }
            let h = Hash(bytes: key[1...])!
            if h == Account.emptyCodeHash { return .data([]) }
            let code = reader.store.codes.code(h)
            return code.isEmpty ? .null : .data(code)
        }
        // The account after the block's transactions up to and including `txIndex`.
        t.register("debug_accountInfoAt", maxParams: 3) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { throw RPCError.server("Resource not found", code: -32001) }
            let index = try p.uint64(1)
            let a = try p.address(2)
            let count = b.transactionHashes.count
            guard index < UInt64(count) else {
                throw RPCError.invalidParams("tx_index \(index) out of bounds for block with \(count) transactions")
            }
            return try n.read(b) { _ in
                let overlay = StateOverlay(base: reader.state(at: b.number - 1))
                let env = reader.env(of: b)
                for (i, h) in b.transactionHashes.enumerated() where UInt64(i) <= index {
                    guard let m = reader.transaction(hash: h) else { break }
                    _ = reader.executor.apply(m.tx, sender: m.sender, state: overlay, env: env, mined: true)
                    overlay.commitCheckpoints()
                }
                let acct = overlay.account(a)
                return .object([("balance", .quantity(acct.balance)), ("nonce", .quantity(acct.nonce)),
                                ("code", .data(overlay.code(of: a)))])
            }
        }
        t.register("erigon_getHeaderByNumber", maxParams: 1) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { return .null }
            return Format.block(b, fullTransactions: false, reader: reader)
        }

        // MARK: Otterscan, the parts without call traces (the others: OtterscanMethods)

        t.register("ots_getApiLevel", maxParams: 0) { _ in JSON(8) }
        t.register("ots_hasCode", maxParams: 2) { p in
            let a = try p.address(0)
            let b = try n.resolve(try p.blockTag(1))
            return .bool(try n.read(b) { $0.account(a).hasCode })
        }
        t.register("ots_getTransactionError", maxParams: 1) { p in
            let h = try p.hash(0)
            guard let m = reader.transaction(hash: h), let b = reader.block(number: m.blockNumber) else { return .data([]) }
            let outcomes = try reader.replay(b, through: Int(m.index), tracer: { _ in nil })
            guard let o = outcomes.last, !o.status else { return .data([]) }
            return .data(o.output)
        }
        t.register("ots_getBlockDetails", maxParams: 1) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { return .null }
            return blockDetails(b, n)
        }
        t.register("ots_getBlockDetailsByHash", maxParams: 1) { p in
            guard let b = reader.block(hash: try p.hash(0)) else { return .null }
            return blockDetails(b, n)
        }
        t.register("ots_getBlockTransactions", maxParams: 3) { p in
            guard let b = reader.block(number: try p.uint64(0)) else { return .null }
            let page = Int(try p.uint64(1)), size = Int(try p.uint64(2))
            let txs = reader.transactions(of: b)
            let receipts = reader.receipts(of: b)
            let start = min(txs.count, page &* size), end = min(txs.count, start &+ size)
            guard case .object(var block) = Format.block(b, fullTransactions: true, reader: reader) else { return .null }
            if let i = block.firstIndex(where: { $0.0 == "transactions" }) {
                block[i].1 = .array(txs[start..<end].map { Format.transaction($0.tx, hash: $0.hash, sender: $0.sender, block: b, index: $0.index) })
            }
            block.append(("transactionCount", .quantity(UInt64(txs.count))))
            return .object([("fullblock", .object(block)),
                            ("receipts", .array(receipts[start..<end].map { r in
                                guard case .object(var o) = Format.receipt(r) else { return .null }
                                o.removeAll { $0.0 == "logs" || $0.0 == "logsBloom" }
                                o.append(("timestamp", .quantity(b.header.timestamp)))
                                return .object(o)
                            }))])
        }
        t.register("ots_getContractCreator", maxParams: 1) { p in
            let a = try p.address(0)
            guard reader.account(a, at: reader.headNumber).hasCode, reader.contracts.addresses.name(of: a) == nil else { return .null }
            var num = reader.headNumber
            while true {
                if let b = reader.block(number: num) {
                    for r in reader.receipts(of: b) where r.contractAddress == a && r.status {
                        return .object([("hash", .hash(r.txHash)), ("creator", .address(r.from))])
                    }
                }
                if num == 0 { return .null }
                num -= 1
            }
        }

        // MARK: what cannot apply here

        refuse(t, ["eth_getProof", "debug_executionWitness"]) {
            RPCError.server("stakenet's stateRoot is a commitment to each block's state writes, not a Merkle-Patricia root, so there is no state proof or witness to give")
        }
        refuse(t, ["eth_getBlockAccessList", "eth_getBlockAccessListByBlockHash", "eth_getBlockAccessListByBlockNumber",
                   "eth_getBlockAccessListRaw"]) {
            RPCError.server("block access lists are EIP-7928 (Amsterdam); stakenet runs Cancun's rules")
        }
        refuse(t, ["eth_signRawTransaction", "anvil_classifyTransaction", "anvil_dealTIP20", "anvil_setFeeToken",
                   "anvil_setValidatorFeeToken", "anvil_setFeeAmmLiquidity"]) {
            RPCError.server("this method is for Anvil's Tempo network mode; stakenet is an Ethereum (Cancun) devnet")
        }
        t.register("anvil_impersonateSignature", maxParams: 2) { p in
            // As Anvil: from now on ecrecover answers `address` for this signature (r ‖ s ‖ v).
            // Anvil takes any bytes; only a 65-byte one can ever match.
            n.reader.recoverOverrides.add(try p.bytes(0), try p.address(1))
            return .null
        }
    }

    /// Registers a refusal under each name nothing else has registered: a real implementation
    /// (in TraceMethods or elsewhere, registered first) always wins over it.
    static func refuse(_ t: MethodTable, _ names: [String], _ error: @escaping @Sendable () -> RPCError) {
        for name in names where !t.contains(name) {
            t.register(name, maxParams: MethodTable.anyParams) { _ in throw error() }
        }
    }

    /// Otterscan's block details: the block without its transactions, their count, the
    /// (post-merge: zero) issuance and the fees paid.
    static func blockDetails(_ b: Block, _ n: NodeContext) -> JSON {
        guard case .object(var o) = Format.block(b, fullTransactions: false, reader: n.reader) else { return .null }
        o.removeAll { $0.0 == "transactions" || $0.0 == "logsBloom" }
        o.append(("transactionCount", .quantity(UInt64(b.transactionHashes.count))))
        var fees = UInt256.zero
        for r in n.reader.receipts(of: b) { fees = fees.saturatingAdd(UInt256(r.gasUsed).saturatingMul(r.effectiveGasPrice)) }
        return .object([
            ("block", .object(o)),
            ("issuance", .object([("blockReward", .quantity(UInt64(0))), ("uncleReward", .quantity(UInt64(0))), ("issuance", .quantity(UInt64(0)))])),
            ("totalFees", .quantity(fees)),
        ])
    }
}
