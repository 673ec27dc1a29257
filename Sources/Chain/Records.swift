import Primitives

/// A mined block as the node keeps it.
public struct Block: Sendable {
    public let header: BlockHeader
    /// The header's RLP encoding (what `hash` is the keccak of), kept to store the block.
    public let headerRLP: [UInt8]
    public let hash: Hash
    public let transactionHashes: [Hash]
    /// RLP size of the whole block (header, transactions, uncles, withdrawals).
    public let size: UInt64

    public var number: UInt64 { header.number }

    /// A new block: the header is encoded once for its hash, its size and its record.
    init(header: BlockHeader, transactionHashes: [Hash], transactions: [[UInt8]]) {
        self.header = header
        headerRLP = header.rlpEncoded()
        hash = Hash.keccak(headerRLP)
        self.transactionHashes = transactionHashes
        size = Block.computeSize(headerLength: headerRLP.count, transactions: transactions)
    }
}

/// A mined transaction and where it sits.
public struct MinedTransaction: Sendable {
    public var tx: Transaction
    public var hash: Hash
    public var sender: Address
    public var blockNumber: UInt64
    public var blockHash: Hash
    public var index: UInt32
}

/// A receipt with everything `eth_getTransactionReceipt` shows.
public struct ReceiptRecord: Sendable {
    public var txHash: Hash
    public var txType: UInt8
    public var blockNumber: UInt64
    public var blockHash: Hash
    public var index: UInt32
    public var from: Address
    public var to: Address?
    public var status: Bool
    public var gasUsed: UInt64
    public var cumulativeGasUsed: UInt64
    public var effectiveGasPrice: UInt256
    public var logs: [Log]
    /// Block-wide index of this receipt's first log.
    public var firstLogIndex: UInt32
    /// For a creation: the new contract's address (set whether or not the creation succeeded,
    /// as geth does). Records written before the EVM have none and decode as nil.
    public var contractAddress: Address? = nil

    public var bloom: Bloom {
        var b = Bloom()
        for l in logs { b.add(log: l) }
        return b
    }
}

/// A log with its position, as `eth_getLogs` and receipts show it.
public struct PositionedLog: Sendable {
    public var log: Log
    public var blockNumber: UInt64
    public var blockHash: Hash
    public var txHash: Hash
    public var txIndex: UInt32
    public var logIndex: UInt32
    public var removed = false
}

extension ReceiptRecord {
    public var positionedLogs: [PositionedLog] {
        logs.enumerated().map { i, l in
            PositionedLog(log: l, blockNumber: blockNumber, blockHash: blockHash, txHash: txHash,
                          txIndex: index, logIndex: firstLogIndex + UInt32(i))
        }
    }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: 256)
        w.hash(txHash); w.u8(txType); w.u64(blockNumber); w.hash(blockHash); w.u64(UInt64(index))
        w.address(from); w.optionalAddress(to); w.bool(status); w.u64(gasUsed); w.u64(cumulativeGasUsed)
        w.u256(effectiveGasPrice); w.u64(UInt64(firstLogIndex)); w.u64(UInt64(logs.count))
        for l in logs {
            w.address(l.address); w.u8(UInt8(l.topics.count))
            for t in l.topics { w.hash(t) }
            w.data(l.data)
        }
        if let c = contractAddress { w.address(c) }
        return w.bytes
    }

    init(decoding bytes: [UInt8]) throws {
        var r = ByteReader(bytes)
        txHash = try r.hash(); txType = try r.u8(); blockNumber = try r.u64(); blockHash = try r.hash()
        index = UInt32(try r.u64()); from = try r.address(); to = try r.optionalAddress(); status = try r.bool()
        gasUsed = try r.u64(); cumulativeGasUsed = try r.u64(); effectiveGasPrice = try r.u256()
        firstLogIndex = UInt32(try r.u64())
        let n = try r.u64()
        guard n < 1 << 20 else { throw DecodeError.malformed }
        var logs: [Log] = []
        for _ in 0..<n {
            let a = try r.address()
            let tc = try r.u8()
            var topics: [Hash] = []
            for _ in 0..<tc { topics.append(try r.hash()) }
            logs.append(Log(address: a, topics: topics, data: try r.data()))
        }
        self.logs = logs
        contractAddress = r.isAtEnd ? nil : try r.address()
    }
}

extension Block {
    /// header RLP ‖ size ‖ tx hashes, for the `B` records.
    func storedEncoding() -> [UInt8] {
        var w = ByteWriter(capacity: 600 + 32 * transactionHashes.count)
        w.data(headerRLP)
        w.u64(size)
        w.u64(UInt64(transactionHashes.count))
        for h in transactionHashes { w.hash(h) }
        return w.bytes
    }

    init(stored bytes: [UInt8], hash: Hash) throws {
        var r = ByteReader(bytes)
        headerRLP = try r.data()
        header = try BlockHeader.decode(rlp: headerRLP)
        self.hash = hash
        size = try r.u64()
        let n = try r.u64()
        guard n <= UInt64(bytes.count) / 32 else { throw DecodeError.malformed }
        var hashes: [Hash] = []
        hashes.reserveCapacity(Int(n))
        for _ in 0..<n { hashes.append(try r.hash()) }
        transactionHashes = hashes
    }

    /// RLP size of [header, transactions, uncles, withdrawals].
    static func computeSize(headerLength h: Int, transactions: [[UInt8]]) -> UInt64 {
        // Typed transactions are wrapped as RLP strings inside the block body.
        var txPayload = 0
        for t in transactions {
            if let first = t.first, first < 0x7f { txPayload += rlpLength(t.count) }
            else { txPayload += t.count }
        }
        let payload = h + listLength(txPayload) + 1 + 1
        return UInt64(listLength(payload))
    }

    private static func listLength(_ payload: Int) -> Int { payload + headerLength(payload) }
    private static func rlpLength(_ payload: Int) -> Int { payload + headerLength(payload) }
    private static func headerLength(_ payload: Int) -> Int {
        if payload < 56 { return 1 }
        var n = payload, bytes = 0
        while n > 0 { bytes += 1; n >>= 8 }
        return 1 + bytes
    }
}
