/// A block header. The fork-dependent trailing fields are optional: stakenet builds Cancun
/// headers (all of baseFeePerGas … parentBeaconBlockRoot set, `requestsHash` nil), and older
/// or newer headers decode and hash too. Trailing fields are written in order up to the first
/// nil one, so a later field is only encoded when every earlier one is set.
public struct BlockHeader: Hashable, Sendable {
    public var parentHash: Hash
    /// keccak256(RLP([])) for a block without uncles.
    public var sha3Uncles: Hash
    /// The coinbase (fee recipient).
    public var miner: Address
    public var stateRoot: Hash
    public var transactionsRoot: Hash
    public var receiptsRoot: Hash
    public var logsBloom: Bloom
    public var difficulty: UInt256
    public var number: UInt64
    public var gasLimit: UInt64
    public var gasUsed: UInt64
    public var timestamp: UInt64
    public var extraData: [UInt8]
    /// prevRandao since the merge.
    public var mixHash: Hash
    /// Encoded as exactly 8 bytes.
    public var nonce: UInt64
    /// London (EIP-1559).
    public var baseFeePerGas: UInt256?
    /// Shanghai (EIP-4895).
    public var withdrawalsRoot: Hash?
    /// Cancun (EIP-4844).
    public var blobGasUsed: UInt64?
    /// Cancun (EIP-4844).
    public var excessBlobGas: UInt64?
    /// Cancun (EIP-4788).
    public var parentBeaconBlockRoot: Hash?
    /// Prague (EIP-7685).
    public var requestsHash: Hash?

    /// keccak256(RLP([])): sha3Uncles of a block without uncles.
    public static let emptyUnclesHash = Hash(hex: "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")!

    /// A post-merge Cancun header: difficulty 0, nonce 0, no uncles, no withdrawals
    /// (withdrawalsRoot = empty trie root), no blobs, zero parent beacon root.
    public init(parentHash: Hash, miner: Address, stateRoot: Hash, transactionsRoot: Hash, receiptsRoot: Hash,
                logsBloom: Bloom, number: UInt64, gasLimit: UInt64, gasUsed: UInt64, timestamp: UInt64,
                extraData: [UInt8] = [], mixHash: Hash = .zero, baseFeePerGas: UInt256) {
        self.init(parentHash: parentHash, sha3Uncles: BlockHeader.emptyUnclesHash, miner: miner, stateRoot: stateRoot,
                  transactionsRoot: transactionsRoot, receiptsRoot: receiptsRoot, logsBloom: logsBloom,
                  difficulty: .zero, number: number, gasLimit: gasLimit, gasUsed: gasUsed, timestamp: timestamp,
                  extraData: extraData, mixHash: mixHash, nonce: 0, baseFeePerGas: baseFeePerGas,
                  withdrawalsRoot: Trie.emptyRoot, blobGasUsed: 0, excessBlobGas: 0, parentBeaconBlockRoot: .zero,
                  requestsHash: nil)
    }

    /// Every field given.
    public init(parentHash: Hash, sha3Uncles: Hash, miner: Address, stateRoot: Hash, transactionsRoot: Hash,
                receiptsRoot: Hash, logsBloom: Bloom, difficulty: UInt256, number: UInt64, gasLimit: UInt64,
                gasUsed: UInt64, timestamp: UInt64, extraData: [UInt8], mixHash: Hash, nonce: UInt64,
                baseFeePerGas: UInt256?, withdrawalsRoot: Hash?, blobGasUsed: UInt64?, excessBlobGas: UInt64?,
                parentBeaconBlockRoot: Hash?, requestsHash: Hash?) {
        self.parentHash = parentHash; self.sha3Uncles = sha3Uncles; self.miner = miner; self.stateRoot = stateRoot
        self.transactionsRoot = transactionsRoot; self.receiptsRoot = receiptsRoot; self.logsBloom = logsBloom
        self.difficulty = difficulty; self.number = number; self.gasLimit = gasLimit; self.gasUsed = gasUsed
        self.timestamp = timestamp; self.extraData = extraData; self.mixHash = mixHash; self.nonce = nonce
        self.baseFeePerGas = baseFeePerGas; self.withdrawalsRoot = withdrawalsRoot; self.blobGasUsed = blobGasUsed
        self.excessBlobGas = excessBlobGas; self.parentBeaconBlockRoot = parentBeaconBlockRoot
        self.requestsHash = requestsHash
    }

    /// The nonce as the 8 bytes of the encoding.
    public var nonceBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: nonce >> UInt64(56 - 8 * $0)) } }

    /// RLP of the header.
    public func rlpEncoded() -> [UInt8] {
        var w = RLPWriter(capacity: 640 + extraData.count)
        write(to: &w)
        return w.bytes
    }

    /// Appends the header's RLP to `w` (for encoding whole blocks).
    public func write(to w: inout RLPWriter) {
        w.list { w in
            w.write(parentHash); w.write(sha3Uncles); w.write(miner); w.write(stateRoot)
            w.write(transactionsRoot); w.write(receiptsRoot); w.write(bytes: logsBloom.bytes)
            w.write(difficulty); w.write(number); w.write(gasLimit); w.write(gasUsed); w.write(timestamp)
            w.write(bytes: extraData); w.write(mixHash); w.write(bytes: nonceBytes)
            guard let baseFeePerGas else { return }
            w.write(baseFeePerGas)
            guard let withdrawalsRoot else { return }
            w.write(withdrawalsRoot)
            guard let blobGasUsed, let excessBlobGas else { return }
            w.write(blobGasUsed); w.write(excessBlobGas)
            guard let parentBeaconBlockRoot else { return }
            w.write(parentBeaconBlockRoot)
            guard let requestsHash else { return }
            w.write(requestsHash)
        }
    }

    /// The block hash: keccak256 of the header's RLP.
    public var hash: Hash { Hash.keccak(rlpEncoded()) }

    /// Decodes a header (15 to 21 fields, Frontier to Prague) strictly; the input must be
    /// exactly one header.
    public static func decode(rlp bytes: [UInt8]) throws(RLPError) -> BlockHeader {
        var outer = RLPReader(bytes)
        let h = try decode(from: &outer)
        try outer.finish()
        return h
    }

    /// Reads one header from `reader` (for decoding whole blocks).
    public static func decode(from reader: inout RLPReader) throws(RLPError) -> BlockHeader {
        var r = try reader.readList()
        func hash() throws(RLPError) -> Hash {
            let b = try r.readBytes()
            guard let h = Hash(bytes: b) else { throw .wrongLength(expected: 32, got: b.count) }
            return h
        }
        let parentHash = try hash(), uncles = try hash()
        let mb = try r.readBytes()
        guard let miner = Address(bytes: mb) else { throw .wrongLength(expected: 20, got: mb.count) }
        let stateRoot = try hash(), txRoot = try hash(), receiptsRoot = try hash()
        let bb = try r.readBytes()
        guard let bloom = Bloom(bytes: bb) else { throw .wrongLength(expected: 256, got: bb.count) }
        let difficulty = try r.readUInt256()
        let number = try r.readUInt64(), gasLimit = try r.readUInt64(), gasUsed = try r.readUInt64()
        let timestamp = try r.readUInt64()
        let extra = Array(try r.readBytes())
        let mixHash = try hash()
        let nb = try r.readBytes()
        guard nb.count == 8 else { throw .wrongLength(expected: 8, got: nb.count) }
        var nonce: UInt64 = 0
        for b in nb { nonce = nonce << 8 | UInt64(b) }
        var h = BlockHeader(parentHash: parentHash, sha3Uncles: uncles, miner: miner, stateRoot: stateRoot,
                            transactionsRoot: txRoot, receiptsRoot: receiptsRoot, logsBloom: bloom,
                            difficulty: difficulty, number: number, gasLimit: gasLimit, gasUsed: gasUsed,
                            timestamp: timestamp, extraData: extra, mixHash: mixHash, nonce: nonce,
                            baseFeePerGas: nil, withdrawalsRoot: nil, blobGasUsed: nil, excessBlobGas: nil,
                            parentBeaconBlockRoot: nil, requestsHash: nil)
        if !r.isAtEnd { h.baseFeePerGas = try r.readUInt256() }
        if !r.isAtEnd { h.withdrawalsRoot = try hash() }
        if !r.isAtEnd {
            h.blobGasUsed = try r.readUInt64()
            h.excessBlobGas = try r.readUInt64()
        }
        if !r.isAtEnd { h.parentBeaconBlockRoot = try hash() }
        if !r.isAtEnd { h.requestsHash = try hash() }
        try r.finish()
        return h
    }

    // MARK: EIP-1559

    /// Base fee of the block after a parent with these values: unchanged at the gas target
    /// (gasLimit / 2), up by at most 1/8 when fuller (at least 1 wei), down by at most 1/8
    /// when emptier.
    public static func nextBaseFee(parentGasUsed: UInt64, parentGasLimit: UInt64, parentBaseFee: UInt256) -> UInt256 {
        let target = parentGasLimit / 2
        guard target > 0, parentGasUsed != target else { return parentBaseFee }
        let denominator = UInt256(target) * UInt256(8)
        if parentGasUsed > target {
            let delta = parentBaseFee.saturatingMul(UInt256(parentGasUsed - target)) / denominator
            return parentBaseFee.saturatingAdd(Swift.max(delta, .one))
        } else {
            let delta = parentBaseFee.saturatingMul(UInt256(target - parentGasUsed)) / denominator
            return parentBaseFee.checkedSub(delta) ?? .zero
        }
    }

    /// `nextBaseFee` for the child of this header (nil before London).
    public var nextBaseFee: UInt256? {
        baseFeePerGas.map { BlockHeader.nextBaseFee(parentGasUsed: gasUsed, parentGasLimit: gasLimit, parentBaseFee: $0) }
    }
}
