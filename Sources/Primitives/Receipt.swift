/// A transaction receipt as committed to by `receiptsRoot` (post-Byzantium: status, not a
/// state root). Per-transaction fields the RPC shows (gasUsed, effectiveGasPrice, from, to,
/// log positions…) are derived by the chain and are not part of the consensus encoding.
public struct Receipt: Hashable, Sendable {
    /// The transaction type (0 legacy, 1, 2).
    public var type: UInt8
    /// True on success.
    public var status: Bool
    /// Gas used by this and all earlier transactions of the block.
    public var cumulativeGasUsed: UInt64
    public var logs: [Log]
    /// The bloom of `logs`.
    public var bloom: Bloom

    /// A receipt whose bloom is computed from `logs`.
    public init(type: UInt8, status: Bool, cumulativeGasUsed: UInt64, logs: [Log]) {
        self.init(type: type, status: status, cumulativeGasUsed: cumulativeGasUsed, logs: logs, bloom: Bloom(logs: logs))
    }

    /// A receipt with a given bloom (as decoded).
    public init(type: UInt8, status: Bool, cumulativeGasUsed: UInt64, logs: [Log], bloom: Bloom) {
        self.type = type; self.status = status; self.cumulativeGasUsed = cumulativeGasUsed
        self.logs = logs; self.bloom = bloom
    }

    /// Consensus encoding, the value stored in the receipts trie:
    /// `[type ‖] RLP([status, cumulativeGasUsed, bloom, [[address, [topics…], data]…]])`.
    public func encoded() -> [UInt8] {
        var size = 300
        for l in logs { size += 30 + 33 * l.topics.count + l.data.count + 6 }
        var w = RLPWriter(capacity: size)
        if type != 0 { w.bytes.append(type) }
        w.list { w in
            w.write(status)
            w.write(cumulativeGasUsed)
            w.write(bytes: bloom.bytes)
            w.list { w in for l in logs { Receipt.write(l, &w) } }
        }
        return w.bytes
    }

    /// RLP of a log: `[address, [topics…], data]`.
    public static func write(_ log: Log, _ w: inout RLPWriter) {
        w.list { w in
            w.write(log.address)
            w.list { w in for t in log.topics { w.write(t) } }
            w.write(bytes: log.data)
        }
    }

    /// Decodes `encoded()` output strictly. Pre-Byzantium receipts (a 32-byte state root in
    /// place of the status) are refused with `unsupportedStatus`.
    public static func decode(_ raw: [UInt8]) throws(ReceiptError) -> Receipt {
        guard let first = raw.first else { throw .rlp(.emptyInput) }
        var type: UInt8 = 0
        var outer: RLPReader
        if first >= 0x80 && first < 0xc0 { throw .rlp(.expectedList) }
        if first < 0x80 {
            type = first
            outer = RLPReader(data: raw, start: 1, end: raw.count)
        } else {
            outer = RLPReader(raw)
        }
        var r = try rl { () throws(RLPError) in try outer.readList() }
        try rl { () throws(RLPError) in try outer.finish() }
        let statusBytes = try rl { () throws(RLPError) in try r.readBytes() }
        let status: Bool
        switch statusBytes.count {
        case 0: status = false
        case 1 where statusBytes.first == 1: status = true
        default: throw .unsupportedStatus
        }
        let gas = try rl { () throws(RLPError) in try r.readUInt64() }
        let bloomBytes = try rl { () throws(RLPError) in try r.readBytes() }
        guard let bloom = Bloom(bytes: bloomBytes) else { throw .invalidBloom }
        var logsReader = try rl { () throws(RLPError) in try r.readList() }
        try rl { () throws(RLPError) in try r.finish() }
        var logs: [Log] = []
        while !logsReader.isAtEnd {
            var l = try rl { () throws(RLPError) in try logsReader.readList() }
            guard let address = Address(bytes: try rl { () throws(RLPError) in try l.readBytes() }) else { throw .invalidLog }
            var tr = try rl { () throws(RLPError) in try l.readList() }
            var topics: [Hash] = []
            while !tr.isAtEnd {
                guard let t = Hash(bytes: try rl { () throws(RLPError) in try tr.readBytes() }) else { throw .invalidLog }
                topics.append(t)
            }
            let data = Array(try rl { () throws(RLPError) in try l.readBytes() })
            try rl { () throws(RLPError) in try l.finish() }
            logs.append(Log(address: address, topics: topics, data: data))
        }
        return Receipt(type: type, status: status, cumulativeGasUsed: gas, logs: logs, bloom: bloom)
    }

    @inline(__always)
    static func rl<T>(_ read: () throws(RLPError) -> T) throws(ReceiptError) -> T {
        do throws(RLPError) { return try read() } catch { throw .rlp(error) }
    }
}

/// Why `Receipt.decode` failed.
public enum ReceiptError: Error, Hashable, Sendable {
    case rlp(RLPError)
    /// The status is neither empty nor 0x01 (e.g. a pre-Byzantium state root).
    case unsupportedStatus
    case invalidBloom
    case invalidLog
}
