import Primitives
import Chain

/// JSON shapes of blocks, transactions, receipts and logs, as the execution-apis schemas
/// and geth/Anvil give them.
enum Format {
    static func block(_ b: Block, fullTransactions: Bool, reader: ChainReader) -> JSON {
        let h = b.header
        let txs: JSON
        if fullTransactions {
            txs = .array(reader.transactions(of: b).map { transaction($0.tx, hash: $0.hash, sender: $0.sender,
                                                                      block: b, index: $0.index) })
        } else {
            txs = .array(b.transactionHashes.map { JSON.hash($0) })
        }
        var o = headerFields(h, hash: b.hash)
        o.append(("totalDifficulty", .quantity(UInt64(0))))
        o.append(("size", .quantity(b.size)))
        o.append(("uncles", .array([])))
        o.append(("transactions", txs))
        o.append(("withdrawals", .array([])))
        return .object(o)
    }

    /// A header's fields in geth's order, up to the Cancun ones (what eth_getHeaderBy* and the
    /// blocks show before totalDifficulty, size and the body).
    static func headerFields(_ h: BlockHeader, hash: Hash) -> [(String, JSON)] {
        var o: [(String, JSON)] = [
            ("hash", .hash(hash)),
            ("parentHash", .hash(h.parentHash)),
            ("sha3Uncles", .hash(h.sha3Uncles)),
            ("miner", .address(h.miner)),
            ("stateRoot", .hash(h.stateRoot)),
            ("transactionsRoot", .hash(h.transactionsRoot)),
            ("receiptsRoot", .hash(h.receiptsRoot)),
            ("logsBloom", .data(h.logsBloom.bytes)),
            ("difficulty", .quantity(h.difficulty)),
            ("number", .quantity(h.number)),
            ("gasLimit", .quantity(h.gasLimit)),
            ("gasUsed", .quantity(h.gasUsed)),
            ("timestamp", .quantity(h.timestamp)),
            ("extraData", .data(h.extraData)),
            ("mixHash", .hash(h.mixHash)),
            ("nonce", .data(h.nonceBytes)),
        ]
        if let f = h.baseFeePerGas { o.append(("baseFeePerGas", .quantity(f))) }
        if let w = h.withdrawalsRoot { o.append(("withdrawalsRoot", .hash(w))) }
        if let g = h.blobGasUsed { o.append(("blobGasUsed", .quantity(g))) }
        if let g = h.excessBlobGas { o.append(("excessBlobGas", .quantity(g))) }
        if let r = h.parentBeaconBlockRoot { o.append(("parentBeaconBlockRoot", .hash(r))) }
        return o
    }

    static func transaction(_ tx: Transaction, hash: Hash, sender: Address, block: Block?, index: UInt32?) -> JSON {
        var o: [(String, JSON)] = [
            ("hash", .hash(hash)),
            ("type", .quantity(UInt64(tx.type.rawValue))),
            ("nonce", .quantity(tx.nonce)),
            ("blockHash", block.map { .hash($0.hash) } ?? .null),
            ("blockNumber", block.map { .quantity($0.number) } ?? .null),
            ("blockTimestamp", block.map { .quantity($0.header.timestamp) } ?? .null),
            ("transactionIndex", index.map { .quantity(UInt64($0)) } ?? .null),
            ("from", .address(sender)),
            ("to", tx.to.map { .address($0) } ?? .null),
            ("value", .quantity(tx.value)),
            ("gas", .quantity(tx.gasLimit)),
            ("input", .data(tx.data)),
        ]
        switch tx.type {
        case .legacy:
            o.append(("gasPrice", .quantity(tx.gasPrice)))
            if let c = tx.chainId { o.append(("chainId", .quantity(c))) }
        case .accessList:
            o.append(("gasPrice", .quantity(tx.gasPrice)))
            o.append(("chainId", .quantity(tx.chainId ?? 0)))
            o.append(("accessList", accessList(tx.accessList)))
        case .dynamicFee:
            // gasPrice of a mined 1559 transaction is its effective price.
            let price = block.flatMap { $0.header.baseFeePerGas }.map { tx.effectiveGasPrice(baseFee: $0) } ?? tx.maxFeePerGas
            o.append(("gasPrice", .quantity(price)))
            o.append(("maxFeePerGas", .quantity(tx.maxFeePerGas)))
            o.append(("maxPriorityFeePerGas", .quantity(tx.maxPriorityFeePerGas)))
            o.append(("chainId", .quantity(tx.chainId ?? 0)))
            o.append(("accessList", accessList(tx.accessList)))
        }
        o.append(("v", .quantity(tx.v)))
        o.append(("r", .quantity(tx.r)))
        o.append(("s", .quantity(tx.s)))
        if tx.type != .legacy { o.append(("yParity", .quantity(UInt64(tx.yParity)))) }
        return .object(o)
    }

    static func accessList(_ list: [AccessListEntry]) -> JSON {
        .array(list.map { e in
            .object([("address", .address(e.address)), ("storageKeys", .array(e.storageKeys.map { .hash($0) }))])
        })
    }

    static func receipt(_ r: ReceiptRecord) -> JSON {
        .object([
            ("transactionHash", .hash(r.txHash)),
            ("transactionIndex", .quantity(UInt64(r.index))),
            ("blockHash", .hash(r.blockHash)),
            ("blockNumber", .quantity(r.blockNumber)),
            ("from", .address(r.from)),
            ("to", r.to.map { .address($0) } ?? .null),
            ("cumulativeGasUsed", .quantity(r.cumulativeGasUsed)),
            ("gasUsed", .quantity(r.gasUsed)),
            ("contractAddress", r.contractAddress.map { .address($0) } ?? .null),
            ("logs", .array(r.positionedLogs.map(log))),
            ("logsBloom", .data(r.bloom.bytes)),
            ("type", .quantity(UInt64(r.txType))),
            ("status", .quantity(UInt64(r.status ? 1 : 0))),
            ("effectiveGasPrice", .quantity(r.effectiveGasPrice)),
        ])
    }

    static func log(_ l: PositionedLog) -> JSON {
        .object([
            ("address", .address(l.log.address)),
            ("topics", .array(l.log.topics.map { .hash($0) })),
            ("data", .data(l.log.data)),
            ("blockNumber", .quantity(l.blockNumber)),
            ("blockHash", .hash(l.blockHash)),
            ("transactionHash", .hash(l.txHash)),
            ("transactionIndex", .quantity(UInt64(l.txIndex))),
            ("logIndex", .quantity(UInt64(l.logIndex))),
            ("removed", .bool(l.removed)),
        ])
    }
}
