import Primitives

/// A transaction accepted by the node, with what was learned while accepting it.
public struct PooledTransaction: Sendable {
    public let tx: Transaction
    public let hash: Hash
    public let sender: Address
    /// Arrival order, for FIFO mining across senders.
    public var sequence: UInt64 = 0

    public init(tx: Transaction, hash: Hash, sender: Address) {
        self.tx = tx; self.hash = hash; self.sender = sender
    }
}

public enum PoolError: Error, Equatable {
    case alreadyKnown
    case replacementUnderpriced
}

/// Transactions waiting for a block: per sender, by nonce. A nonce above the sender's
/// next nonce waits ("queued") until the gap fills, as in Anvil. A value type, so a
/// snapshot is a copy.
public struct TxPool: Sendable {
    private var bySender: [Address: [UInt64: PooledTransaction]] = [:]
    private var byHash: [Hash: Address] = [:]
    private var nextSequence: UInt64 = 0

    public init() {}

    public var count: Int { byHash.count }
    public var isEmpty: Bool { byHash.isEmpty }
    /// Every sender with a transaction in the pool.
    public var senders: Set<Address> { Set(bySender.keys) }

    public func contains(_ hash: Hash) -> Bool { byHash[hash] != nil }

    /// Removes every transaction of `sender`; returns how many there were.
    @discardableResult
    public mutating func removeAll(from sender: Address) -> Int {
        guard let m = bySender.removeValue(forKey: sender) else { return 0 }
        for p in m.values { byHash[p.hash] = nil }
        return m.count
    }

    public func get(_ hash: Hash) -> PooledTransaction? {
        guard let s = byHash[hash] else { return nil }
        return bySender[s]?.values.first { $0.hash == hash }
    }

    /// Adds `ptx`, replacing a same-nonce transaction from the same sender only when both
    /// fee caps rise by at least 10% (geth's rule). Returns the replaced hash, if any.
    @discardableResult
    public mutating func add(_ ptx: PooledTransaction) throws -> Hash? {
        if byHash[ptx.hash] != nil { throw PoolError.alreadyKnown }
        var p = ptx
        p.sequence = nextSequence; nextSequence += 1
        var replaced: Hash?
        if let old = bySender[p.sender]?[p.tx.nonce] {
            let bump = { (x: UInt256) -> UInt256 in x.saturatingAdd(x / 10) }
            guard p.tx.maxFeePerGas >= bump(old.tx.maxFeePerGas),
                  p.tx.maxPriorityFeePerGas >= bump(old.tx.maxPriorityFeePerGas) else {
                throw PoolError.replacementUnderpriced
            }
            byHash[old.hash] = nil
            replaced = old.hash
            p.sequence = old.sequence
        }
        bySender[p.sender, default: [:]][p.tx.nonce] = p
        byHash[p.hash] = p.sender
        return replaced
    }

    @discardableResult
    public mutating func remove(_ hash: Hash) -> PooledTransaction? {
        guard let s = byHash.removeValue(forKey: hash), var m = bySender[s],
              let (n, p) = m.first(where: { $0.value.hash == hash }) else { return nil }
        m[n] = nil
        bySender[s] = m.isEmpty ? nil : m
        return p
    }

    /// Drops every transaction of `sender` with a nonce below `nonce` (mined or stale).
    public mutating func prune(sender: Address, below nonce: UInt64) {
        guard var m = bySender[sender] else { return }
        for (n, p) in m where n < nonce { m[n] = nil; byHash[p.hash] = nil }
        bySender[sender] = m.isEmpty ? nil : m
    }

    /// Highest nonce + 1 that is contiguous from `stateNonce` for `sender` (for the
    /// "pending" transaction count).
    public func pendingNonce(sender: Address, stateNonce: UInt64) -> UInt64 {
        guard let m = bySender[sender] else { return stateNonce }
        var n = stateNonce
        while m[n] != nil { n += 1 }
        return n
    }

    /// Executable transactions in mining order: each sender's contiguous nonce run from its
    /// state nonce, interleaved by arrival.
    public func ready(stateNonce: (Address) -> UInt64) -> [PooledTransaction] {
        // Each transaction's key is the latest arrival among itself and its sender's earlier
        // nonces, so sorting by key keeps every sender's nonces in order.
        var keyed: [(key: UInt64, p: PooledTransaction)] = []
        for (sender, m) in bySender {
            var n = stateNonce(sender)
            var key: UInt64 = 0
            while let p = m[n] { key = max(key, p.sequence); keyed.append((key, p)); n += 1 }
        }
        keyed.sort { a, b in
            if a.key != b.key { return a.key < b.key }
            if a.p.sender != b.p.sender { return a.p.sender < b.p.sender }
            return a.p.tx.nonce < b.p.tx.nonce
        }
        return keyed.map(\.p)
    }

    /// Executable transactions in Anvil's `fees` order: repeatedly the highest fee cap among
    /// each sender's next executable transaction (ties by arrival), so nonces stay in order.
    public func readyByFees(stateNonce: (Address) -> UInt64) -> [PooledTransaction] {
        var runs: [[PooledTransaction]] = []
        for (sender, m) in bySender {
            var n = stateNonce(sender), run: [PooledTransaction] = []
            while let p = m[n] { run.append(p); n += 1 }
            if !run.isEmpty { runs.append(run) }
        }
        var next = [Int](repeating: 0, count: runs.count)
        var out: [PooledTransaction] = []
        while true {
            var best: Int? = nil
            for i in runs.indices where next[i] < runs[i].count {
                let p = runs[i][next[i]]
                guard let b = best else { best = i; continue }
                let q = runs[b][next[b]]
                if p.tx.maxFeePerGas > q.tx.maxFeePerGas || (p.tx.maxFeePerGas == q.tx.maxFeePerGas && p.sequence < q.sequence) { best = i }
            }
            guard let b = best else { return out }
            out.append(runs[b][next[b]])
            next[b] += 1
        }
    }

    /// (pending, queued) for txpool_status/txpool_content.
    public func split(stateNonce: (Address) -> UInt64) -> (pending: [PooledTransaction], queued: [PooledTransaction]) {
        var pending: [PooledTransaction] = [], queued: [PooledTransaction] = []
        for (sender, m) in bySender {
            let next = pendingNonce(sender: sender, stateNonce: stateNonce(sender))
            for p in m.values { if p.tx.nonce < next { pending.append(p) } else { queued.append(p) } }
        }
        pending.sort { $0.sequence < $1.sequence }; queued.sort { $0.sequence < $1.sequence }
        return (pending, queued)
    }

    public var all: [PooledTransaction] { bySender.values.flatMap { $0.values }.sorted { $0.sequence < $1.sequence } }
}
