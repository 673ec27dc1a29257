import Primitives

/// A storage slot of one account.
public struct SlotKey: Hashable, Sendable {
    public var address: Address
    public var slot: UInt256
    @inline(__always) public init(_ address: Address, _ slot: UInt256) { self.address = address; self.slot = slot }
    @inline(__always) public func hash(into h: inout Hasher) {
        address.hash(into: &h)
        h.combine(slot.w0); h.combine(slot.w1); h.combine(slot.w2); h.combine(slot.w3)
    }
}

/// What one transaction changed, for the caller to write into its own store.
public struct StateChanges: Sendable {
    /// New value of every account the transaction wrote; nil = the account is deleted (EIP-161
    /// touched-and-empty, or EIP-6780 self-destruct), with all its storage.
    public var accounts: [Address: EVMAccount?] = [:]
    /// New storage values (zero = delete) of accounts that still exist.
    public var storage: [Address: [UInt256: UInt256]] = [:]
    /// Code blobs first stored by this transaction, by hash.
    public var codes: [Hash: [UInt8]] = [:]

    public init(accounts: [Address: EVMAccount?] = [:], storage: [Address: [UInt256: UInt256]] = [:], codes: [Hash: [UInt8]] = [:]) {
        self.accounts = accounts; self.storage = storage; self.codes = codes
    }
}

/// The journaled state of one transaction over a `StateBackend`: accounts, code, storage,
/// transient storage, logs, the EIP-2929 access sets, the refund counter, touched accounts and
/// self-destructs. `snapshot()`/`revert(to:)` undo everything a failed frame did; native
/// contracts write through the same journal.
public final class EVMState {
    public let backend: StateBackend

    /// Current value of every account loaded so far (nil = does not exist).
    private var accounts = SmallMap<Address, EVMAccount?>()
    private var codeCache: [Hash: [UInt8]] = [:]
    private var newCodes: [Hash: [UInt8]] = [:]
    /// Every slot loaded so far: its value now and at the start of the transaction (EIP-2200's
    /// "original"), in one entry so a read costs one hash-table insert.
    private var storage = SmallMap<SlotKey, SlotValues>()
    private struct SlotValues {
        var current: UInt256
        let original: UInt256
    }
    private var transient: [SlotKey: UInt256] = [:]
    private var warmAccounts = SmallSet<Address>()
    private var warmSlots = SmallSet<SlotKey>()
    private var touched = SmallSet<Address>()
    private var destructed = SmallSet<Address>()
    /// Accounts created in this transaction (EIP-6780: only they can be deleted by SELFDESTRUCT).
    private var created = SmallSet<Address>()
    private var dirty = SmallSet<Address>()
    public private(set) var logs: [Log] = []
    /// The refund counter (may go negative inside a frame; never below zero at the end).
    public private(set) var refund: Int64 = 0

    private enum Entry {
        case account(Address, EVMAccount?)
        case storage(SlotKey, UInt256)
        case transient(SlotKey, UInt256)
        case warmAccount(Address)
        case warmSlot(SlotKey)
        case touched(Address)
        case destructed(Address)
        case created(Address)
        case log
        case refund(Int64)
    }
    private var journal: [Entry] = []

    public init(backend: StateBackend) {
        self.backend = backend
        journal.reserveCapacity(32)
    }

    // MARK: snapshots

    public typealias Snapshot = Int
    @inline(__always) public func snapshot() -> Snapshot { journal.count }

    /// Undoes every change since `s`. The RIPEMD-160 precompile keeps a touch (the mainnet
    /// consensus quirk of block 2 675 119 that EIP-161 clients preserve).
    public func revert(to s: Snapshot) {
        while journal.count > s {
            switch journal.removeLast() {
            case .account(let a, let old): accounts[a] = old
            case .storage(let k, let old): storage.modify(k) { $0.current = old }
            case .transient(let k, let old): transient[k] = old
            case .warmAccount(let a): warmAccounts.remove(a)
            case .warmSlot(let k): warmSlots.remove(k)
            case .touched(let a): if a != EVMState.ripemd { touched.remove(a) }
            case .destructed(let a): destructed.remove(a)
            case .created(let a): created.remove(a)
            case .log: logs.removeLast()
            case .refund(let old): refund = old
            }
        }
    }

    static let ripemd = Address(truncating: UInt256(3))

    // MARK: accounts

    @inline(__always) public func account(_ a: Address) -> EVMAccount? {
        if let cached = accounts[a] { return cached }
        let v = backend.account(a)
        accounts[a] = .some(v)
        return v
    }

    @inline(__always) public func exists(_ a: Address) -> Bool { account(a) != nil }
    /// Does not exist, or exists and is empty (EIP-161 "dead").
    @inline(__always) public func isDead(_ a: Address) -> Bool { account(a)?.isEmpty ?? true }

    public func balance(_ a: Address) -> UInt256 { account(a)?.balance ?? .zero }
    public func nonce(_ a: Address) -> UInt64 { account(a)?.nonce ?? 0 }
    public func codeHash(_ a: Address) -> Hash { account(a)?.codeHash ?? EVMAccount.emptyCodeHash }

    public func code(_ a: Address) -> [UInt8] {
        guard let acct = account(a), acct.codeHash != EVMAccount.emptyCodeHash else { return [] }
        return code(hash: acct.codeHash)
    }
    public func code(hash: Hash) -> [UInt8] {
        if let c = codeCache[hash] { return c }
        let c = backend.code(hash)
        codeCache[hash] = c
        return c
    }

    private func put(_ a: Address, _ v: EVMAccount?) {
        let old = account(a)
        journal.append(.account(a, old))
        accounts[a] = .some(v)
        dirty.insert(a)
    }

    /// Creates the account if missing and marks it touched.
    @inline(__always) private func modify(_ a: Address, _ body: (inout EVMAccount) -> Void) {
        var acct = account(a) ?? EVMAccount()
        body(&acct)
        put(a, acct)
        touch(a)
    }

    public func touch(_ a: Address) {
        if touched.insert(a) { journal.append(.touched(a)) }
    }

    public func setBalance(_ a: Address, _ v: UInt256) { modify(a) { $0.balance = v } }
    public func addBalance(_ a: Address, _ v: UInt256) { modify(a) { $0.balance = $0.balance &+ v } }
    public func subBalance(_ a: Address, _ v: UInt256) { modify(a) { $0.balance = $0.balance &- v } }
    public func setNonce(_ a: Address, _ n: UInt64) { modify(a) { $0.nonce = n } }
    public func incrementNonce(_ a: Address) { modify(a) { $0.nonce &+= 1 } }

    /// Moves `value` from `from` to `to`; false (and nothing changes) when `from` is short.
    public func transfer(from: Address, to: Address, value: UInt256) -> Bool {
        let fb = balance(from)
        if fb < value { return false }
        if value.isZero { touch(from); if exists(to) { touch(to) } else { modify(to) { _ in } }; return true }
        setBalance(from, fb &- value)
        addBalance(to, value)
        return true
    }

    public func setCode(_ a: Address, _ code: [UInt8]) {
        let h = code.isEmpty ? EVMAccount.emptyCodeHash : Hash.keccak(code)
        if !code.isEmpty && codeCache[h] == nil { codeCache[h] = code }
        if !code.isEmpty && backend.code(h).isEmpty { newCodes[h] = code }
        modify(a) { $0.codeHash = h }
    }

    /// A new contract at `a` (CREATE/CREATE2): nonce 1, existing balance kept, storage cleared.
    public func createAccount(_ a: Address) {
        let bal = balance(a)
        put(a, EVMAccount(nonce: 1, balance: bal))
        touch(a)
        if created.insert(a) { journal.append(.created(a)) }
    }

    /// EIP-7610: a non-empty storage at the address makes a creation collide.
    public func hasStorage(_ a: Address) -> Bool {
        if storage.contains(where: { $0.key.address == a && !$0.value.current.isZero }) { return true }
        if created.contains(a) { return false }
        return backend.hasStorage(a)
    }

    public func wasCreatedInThisTransaction(_ a: Address) -> Bool { created.contains(a) }

    /// EIP-6780: marks `a` for deletion at the end of the transaction (only when created in it).
    public func markDestructed(_ a: Address) {
        if destructed.insert(a) { journal.append(.destructed(a)) }
    }
    public var destructedAccounts: Set<Address> { Set(destructed) }

    // MARK: storage

    @inline(__always) public func storage(_ a: Address, _ slot: UInt256) -> UInt256 {
        loadSlot(SlotKey(a, slot)).current
    }

    @inline(__always) private func loadSlot(_ k: SlotKey) -> SlotValues {
        if let v = storage[k] { return v }
        let v = backend.storage(k.address, k.slot)
        let entry = SlotValues(current: v, original: v)
        storage[k] = entry
        return entry
    }

    /// The value at the start of the transaction.
    public func originalStorage(_ a: Address, _ slot: UInt256) -> UInt256 {
        loadSlot(SlotKey(a, slot)).original
    }

    public func setStorage(_ a: Address, _ slot: UInt256, _ v: UInt256) {
        let k = SlotKey(a, slot)
        let old = loadSlot(k).current
        journal.append(.storage(k, old))
        storage.modify(k) { $0.current = v }
        dirty.insert(a)
    }

    public func transientStorage(_ a: Address, _ slot: UInt256) -> UInt256 { transient[SlotKey(a, slot)] ?? .zero }
    public func setTransientStorage(_ a: Address, _ slot: UInt256, _ v: UInt256) {
        let k = SlotKey(a, slot)
        journal.append(.transient(k, transient[k] ?? .zero))
        transient[k] = v
    }

    // MARK: access sets (EIP-2929)

    /// Marks `a` warm; true when it was cold. The precompiles are warm from the start of every
    /// transaction (EIP-2929), so they are never put in the set.
    @inline(__always) public func warmAccount(_ a: Address) -> Bool {
        if Precompiles.isPrecompile(a) { return false }
        if warmAccounts.insert(a) { journal.append(.warmAccount(a)); return true }
        return false
    }
    @inline(__always) public func isWarm(_ a: Address) -> Bool { Precompiles.isPrecompile(a) || warmAccounts.contains(a) }
    /// Marks the slot warm; true when it was cold.
    @inline(__always) public func warmSlot(_ a: Address, _ slot: UInt256) -> Bool {
        let k = SlotKey(a, slot)
        if warmSlots.insert(k) { journal.append(.warmSlot(k)); return true }
        return false
    }

    // MARK: logs and refunds

    /// Told of every log as it is emitted (the call tracer's `withLog`).
    var logObserver: ExecutionTracer?

    public func addLog(_ log: Log) {
        logs.append(log)
        journal.append(.log)
        logObserver?.onLog(log)
    }

    public func addRefund(_ n: Int64) { journal.append(.refund(refund)); refund += n }

    // MARK: end of transaction

    /// Deletes self-destructed and touched-empty accounts and returns everything written.
    public func finalize() -> StateChanges {
        var out = StateChanges()
        for a in destructed { accounts[a] = .some(nil); dirty.insert(a) }
        for a in touched where !destructed.contains(a) {
            if let acct = account(a), acct.isEmpty { accounts[a] = .some(nil); dirty.insert(a) }
        }
        // account(a), not the cache: a native contract's storage can be written without its
        // account ever being loaded.
        for a in dirty { out.accounts[a] = account(a) }
        for (k, v) in storage where v.original != v.current {
            guard let acct = out.accounts[k.address], acct != nil else { continue }
            out.storage[k.address, default: [:]][k.slot] = v.current
        }
        for (h, c) in newCodes {
            // keep only code still referenced by a surviving account
            if out.accounts.values.contains(where: { $0?.codeHash == h }) { out.codes[h] = c }
        }
        return out
    }
}
