import Primitives
import Storage

/// The whole head state as plain data, for `anvil_dumpState` / `anvil_loadState` and the
/// `--dump-state` / `--load-state` / `--state` flags: every account (nonce, balance, code), every
/// contract storage word (the emulated contracts and the operator's pseudo-account alike), any
/// other state entry verbatim, and the chain time.
public struct StateDump: Sendable {
    public struct ContractStorage: Sendable {
        public var address: Address
        /// Non-zero words, ordered by slot.
        public var slots: [(slot: Hash, value: UInt256)]
        public init(address: Address, slots: [(slot: Hash, value: UInt256)]) { self.address = address; self.slots = slots }
    }

    public var headNumber: UInt64
    public var headTimestamp: UInt64
    /// The chain clock when dumped (`now`, which may be ahead of the head's timestamp).
    public var chainTime: UInt64
    /// Non-empty accounts, ordered by address. Each one's `codeHash` names its code in `codes`.
    public var accounts: [(address: Address, account: Account)]
    /// The code of the accounts that have any, by hash.
    public var codes: [Hash: [UInt8]] = [:]
    /// False for a dump in a format from before accounts had code: loading it leaves every
    /// account's code as it is (the accounts' `codeHash` is then meaningless).
    public var carriesCode = true
    /// Contracts with storage, ordered by address.
    public var storage: [ContractStorage]
    /// State entries of any other kind: raw versioned-store key → value.
    public var raw: [(key: [UInt8], value: [UInt8])]

    /// Whether `key` may stand in `raw`: not empty, and not an account or storage key (those
    /// have their own sections, so a raw entry cannot bypass their checks).
    public static func isRawKey(_ key: [UInt8]) -> Bool {
        guard let first = key.first else { return false }
        return first != StorageKeys.account && first != StorageKeys.storage
    }

    public init(headNumber: UInt64 = 0, headTimestamp: UInt64 = 0, chainTime: UInt64 = 0,
                accounts: [(address: Address, account: Account)] = [], storage: [ContractStorage] = [],
                raw: [(key: [UInt8], value: [UInt8])] = []) {
        self.headNumber = headNumber; self.headTimestamp = headTimestamp; self.chainTime = chainTime
        self.accounts = accounts; self.storage = storage; self.raw = raw
    }
}

extension Chain {
    /// The head state, read from one consistent view.
    public func dumpState() throws -> StateDump {
        let h = head
        var d = StateDump(headNumber: h.number, headTimestamp: h.header.timestamp, chainTime: clock.now)
        var current: StateDump.ContractStorage? = nil
        try store.state.forEach(prefix: [], at: h.number) { key, value in
            if key.count == 21, key[0] == StorageKeys.account, let a = Address(bytes: key[1...]), let acct = Account(encoded: value) {
                d.accounts.append((a, acct))
                if acct.hasCode { d.codes[acct.codeHash] = try store.codes.load(acct.codeHash) }
            } else if key.count == 53, key[0] == StorageKeys.storage, value.count == 32,
                      let a = Address(bytes: key[1..<21]), let slot = Hash(bytes: key[21..<53]), let v = UInt256(bigEndian: value) {
                if current?.address != a {
                    if let c = current { d.storage.append(c) }
                    current = StateDump.ContractStorage(address: a, slots: [])
                }
                if !v.isZero { current!.slots.append((slot, v)) }
            } else {
                d.raw.append((key, value))
            }
        }
        if let c = current { d.storage.append(c) }
        return d
    }

    /// Merges `d` into the head state, as Anvil's `anvil_loadState` does: each listed account
    /// gets the dumped nonce, balance and code; each listed contract's storage becomes exactly the
    /// dumped words (slots it no longer has are cleared); other accounts and contracts are left
    /// alone. The five native contracts keep their own code whatever the dump says, and a dump
    /// without code (`carriesCode` false) leaves every account's code as it is. The clock moves
    /// forward to the dumped chain time if it is behind. Undone by `evm_revert` to an earlier
    /// snapshot like any other state cheat.
    public func loadState(_ d: StateDump) async throws {
        let n = head.number
        let store = self.store
        let natives = executor.contracts.addresses
        for (a, acct) in d.accounts where d.carriesCode && acct.hasCode && natives.name(of: a) == nil {
            guard let code = d.codes[acct.codeHash], Hash.keccak(code) == acct.codeHash else {
                throw ChainError.invalid("state dump: no code with hash \(acct.codeHash.hex) for \(a.checksummed)")
            }
        }
        try await modifyState { s in
            for (a, acct) in d.accounts {
                s.setAccount(Account(nonce: acct.nonce, balance: acct.balance, codeHash: s.account(a).codeHash), of: a)
                if d.carriesCode && natives.name(of: a) == nil {
                    s.setCode(acct.hasCode ? d.codes[acct.codeHash]! : [], of: a)
                }
            }
            for c in d.storage {
                var keep = Set<Hash>()
                for (slot, v) in c.slots { s.setStorage(c.address, slot, v); keep.insert(slot) }
                try store.state.forEach(prefix: [StorageKeys.storage] + c.address.bytes, at: n) { key, _ in
                    guard key.count == 53, let slot = Hash(bytes: key[21..<53]), !keep.contains(slot) else { return }
                    s.setStorage(c.address, slot, .zero)
                }
            }
        }
        if !d.raw.isEmpty {
            try await writeAtHead(d.raw.map { ($0.key, Optional($0.value)) })
        }
        if d.chainTime > clock.now && d.chainTime >= head.header.timestamp {
            _ = try setTime(d.chainTime)
        }
    }

}

// MARK: - history in state files

extension Chain {
    /// Every database entry of the chain (blocks, transactions, receipts, log indexes, state
    /// versions, code, head pointer, clock) in key order, once all mined blocks are durable: what
    /// a `--state` / `--dump-state` file carries so that loading it restores the history too, as
    /// Anvil's state files do.
    public func exportHistory() async throws -> [(key: [UInt8], value: [UInt8])] {
        try await waitDurable()
        var out: [(key: [UInt8], value: [UInt8])] = []
        try store.db.scan(from: []) { k, v in
            if !ChainStore.isNodeLocal(k) { out.append((k, v)) }
            return true
        }
        return out
    }
}

extension ChainStore {
    /// Keys that belong to one database, not to the chain (the format marker, the fsync marker).
    static func isNodeLocal(_ k: [UInt8]) -> Bool {
        k == syncMarkerKey || k == DataDirectory.formatKey
    }

    /// Writes exported history into a database that holds no chain yet; false (and nothing
    /// written) when it already has one. The chain then opens at the exported head, as a
    /// `--data-dir` restart does.
    public static func importHistory(_ entries: [(key: [UInt8], value: [UInt8])], into db: Database, sync: Bool) throws -> Bool {
        guard try ChainStore(db: db).loadHeadNumber() == nil else { return false }
        guard entries.contains(where: { $0.key == headKey }) else {
            throw ChainError.invalid("state file history has no head block")
        }
        var batch = WriteBatch()
        for (k, v) in entries where !isNodeLocal(k) {
            batch.put(k, v)
            if batch.byteCount > 64 << 20 {
                try db.write(batch, sync: false)
                batch = WriteBatch()
            }
        }
        try db.write(batch, sync: sync)
        return true
    }
}
