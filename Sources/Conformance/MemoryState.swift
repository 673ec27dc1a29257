import Primitives
import EVM

/// A whole world state in memory: the state-test pre-state, which the EVM reads through
/// `StateBackend` and the runner updates with `apply(_:)`. Value semantics underneath, so
/// `copy()` is cheap (copy on write).
public final class MemoryState: StateBackend {
    public private(set) var accounts: [Address: EVMAccount] = [:]
    /// Non-zero slots only.
    public private(set) var storage: [Address: [UInt256: UInt256]] = [:]
    public private(set) var codes: [Hash: [UInt8]] = [:]

    public init() {}

    /// The pre-state of a test.
    public convenience init(_ pre: [Address: StateTestAccount]) {
        self.init()
        for (a, acct) in pre {
            let h = acct.code.isEmpty ? EVMAccount.emptyCodeHash : Hash.keccak(acct.code)
            if !acct.code.isEmpty { codes[h] = acct.code }
            accounts[a] = EVMAccount(nonce: acct.nonce, balance: acct.balance, codeHash: h)
            let slots = acct.storage.filter { !$0.value.isZero }
            if !slots.isEmpty { storage[a] = slots }
        }
    }

    public func copy() -> MemoryState {
        let c = MemoryState()
        c.accounts = accounts; c.storage = storage; c.codes = codes
        return c
    }

    // MARK: StateBackend

    public func account(_ a: Address) -> EVMAccount? { accounts[a] }
    public func code(_ codeHash: Hash) -> [UInt8] { codes[codeHash] ?? [] }
    public func storage(_ a: Address, _ slot: UInt256) -> UInt256 { storage[a]?[slot] ?? .zero }
    public func hasStorage(_ a: Address) -> Bool { storage[a]?.values.contains { !$0.isZero } ?? false }

    // MARK: writes

    /// Writes one transaction's changes: deleted accounts go with their storage; zero slots
    /// are removed.
    public func apply(_ changes: StateChanges) {
        for (h, c) in changes.codes { codes[h] = c }
        for (a, acct) in changes.accounts {
            if let acct {
                accounts[a] = acct
            } else {
                accounts[a] = nil
                storage[a] = nil
            }
        }
        for (a, slots) in changes.storage {
            var s = storage[a] ?? [:]
            for (k, v) in slots { s[k] = v.isZero ? nil : v }
            storage[a] = s.isEmpty ? nil : s
        }
    }

    /// Sets one account directly (tests, tools).
    public func setAccount(_ a: Address, _ acct: EVMAccount?) {
        accounts[a] = acct
        if acct == nil { storage[a] = nil }
    }

    // MARK: roots

    /// The state root: the secure trie keccak256(address) → RLP([nonce, balance, storageRoot,
    /// codeHash]).
    public var stateRoot: Hash {
        var pairs: [([UInt8], [UInt8])] = []
        pairs.reserveCapacity(accounts.count)
        for (a, acct) in accounts {
            pairs.append((keccak256(a.bytes), MemoryState.accountRLP(acct, storageRoot: storageRoot(a))))
        }
        return Trie.root(pairs)
    }

    /// The storage root of one account: keccak256(slot as 32 bytes) → RLP(minimal value bytes).
    public func storageRoot(_ a: Address) -> Hash {
        MemoryState.storageRoot(storage[a] ?? [:])
    }

    public static func storageRoot(_ slots: [UInt256: UInt256]) -> Hash {
        var pairs: [([UInt8], [UInt8])] = []
        pairs.reserveCapacity(slots.count)
        for (k, v) in slots where !v.isZero {
            pairs.append((keccak256(k.bytes32), RLP.encode(v)))
        }
        return Trie.root(pairs)
    }

    public static func accountRLP(_ acct: EVMAccount, storageRoot: Hash) -> [UInt8] {
        var w = RLPWriter(capacity: 80)
        w.list { w in
            w.write(acct.nonce)
            w.write(acct.balance)
            w.write(storageRoot)
            w.write(acct.codeHash)
        }
        return w.bytes
    }

    /// keccak256(RLP([[address, [topics…], data]…])): the `logs` field of a state test.
    public static func logsHash(_ logs: [Log]) -> Hash {
        var w = RLPWriter(capacity: 64)
        w.list { w in
            for l in logs {
                w.list { w in
                    w.write(l.address)
                    w.list { w in for t in l.topics { w.write(t) } }
                    w.write(bytes: l.data)
                }
            }
        }
        return Hash.keccak(w.bytes)
    }
}
