import Primitives
import Contracts

/// Where committed state is read from: the versioned store at one block, or anything
/// else that can answer the same questions (tests, `eth_call` state overrides).
public protocol StateSource: AnyObject {
    func account(_ a: Address) -> Account
    func storage(_ contract: Address, _ slot: Hash) -> UInt256
    /// The code whose keccak256 is `hash`: empty for `Account.emptyCodeHash` (and for a hash
    /// the source does not know, which a consistent source never asks for).
    func code(_ hash: Hash) -> [UInt8]
}

/// Uncommitted writes over a `StateSource`, with checkpoints so a reverted call or a
/// dropped transaction can be undone. The block builder keeps one for the whole block;
/// `eth_call` makes a throwaway one.
public final class StateOverlay: WorldState {
    public let base: StateSource
    private(set) var accounts: [Address: Account] = [:]
    private(set) var slots: [StorageSlot: UInt256] = [:]
    /// Code set in this overlay (by `setCode`), by hash, until the block commits it.
    private(set) var codes: [Hash: [UInt8]] = [:]
    private var journal: [Entry] = []

    struct StorageSlot: Hashable { let contract: Address; let slot: Hash }
    private enum Entry {
        case account(Address, Account?)
        case slot(StorageSlot, UInt256?)
        /// `setCode` added these bytes under this hash (undo: forget them).
        case code(Hash)
    }

    public init(base: StateSource) { self.base = base }

    // MARK: accounts

    public func account(_ a: Address) -> Account { accounts[a] ?? base.account(a) }

    public func setAccount(_ acct: Account, of a: Address) {
        journal.append(.account(a, accounts[a]))
        accounts[a] = acct
    }

    public func nonce(of a: Address) -> UInt64 { account(a).nonce }

    public func balance(of a: Address) -> UInt256 { account(a).balance }

    public func setBalance(_ value: UInt256, of a: Address) {
        var acct = account(a); acct.balance = value; setAccount(acct, of: a)
    }

    // MARK: code

    /// The code of `a` (empty for an account without code).
    public func code(of a: Address) -> [UInt8] { code(hash: account(a).codeHash) }

    /// The code with this hash: set in this overlay, else from the base.
    public func code(hash: Hash) -> [UInt8] {
        if hash == Account.emptyCodeHash { return [] }
        return codes[hash] ?? base.code(hash)
    }

    /// Gives `a` this code (empty: no code): sets its code hash and keeps the bytes until the
    /// block commits them. Journaled like every other write.
    public func setCode(_ bytes: [UInt8], of a: Address) {
        let h = bytes.isEmpty ? Account.emptyCodeHash : Hash.keccak(bytes)
        if !bytes.isEmpty && codes[h] == nil {
            journal.append(.code(h))
            codes[h] = bytes
        }
        var acct = account(a); acct.codeHash = h; setAccount(acct, of: a)
    }

    // MARK: storage

    public func storage(_ contract: Address, _ slot: Hash) -> UInt256 {
        slots[StorageSlot(contract: contract, slot: slot)] ?? base.storage(contract, slot)
    }

    public func setStorage(_ contract: Address, _ slot: Hash, _ value: UInt256) {
        let key = StorageSlot(contract: contract, slot: slot)
        journal.append(.slot(key, slots[key]))
        slots[key] = value
    }

    // MARK: checkpoints

    public typealias Checkpoint = Int
    public func checkpoint() -> Checkpoint { journal.count }

    public func revert(to cp: Checkpoint) {
        while journal.count > cp {
            switch journal.removeLast() {
            case .account(let a, let old): accounts[a] = old
            case .slot(let k, let old): slots[k] = old
            case .code(let h): codes[h] = nil
            }
        }
    }

    /// Forget the undo log (after a transaction is final within its block).
    public func commitCheckpoints() { journal.removeAll(keepingCapacity: true) }

    /// Every write, as versioned-store entries (nil = delete), sorted by key so the state
    /// commitment is deterministic.
    func stateWrites() -> [([UInt8], [UInt8]?)] {
        var out: [([UInt8], [UInt8]?)] = []
        out.reserveCapacity(accounts.count + slots.count)
        for (a, acct) in accounts { out.append((StateKey.account(a), acct.isEmpty ? nil : acct.encoded)) }
        for (k, v) in slots { out.append((StateKey.storage(k.contract, k.slot), v.isZero ? nil : v.bytes32)) }
        out.sort { $0.0.lexicographicallyPrecedes($1.0) }
        return out
    }

    /// The code blobs this overlay added, to be stored (by hash) with the block that commits
    /// its state writes. Blobs no account ends up using are included too: code is
    /// content-addressed and never deleted, so an unused one is only an orphan.
    func codeWrites() -> [(hash: Hash, code: [UInt8])] {
        codes.map { ($0.key, $0.value) }.sorted { $0.hash < $1.hash }
    }
}

/// A source with nothing in it (genesis building, tests).
public final class EmptyState: StateSource {
    public init() {}
    public func account(_ a: Address) -> Account { .empty }
    public func storage(_ contract: Address, _ slot: Hash) -> UInt256 { .zero }
    public func code(_ hash: Hash) -> [UInt8] { [] }
}

/// A state overlay seen as a read-only source, its current values as the base of another
/// overlay (the pending block's state under a call, a simulated block's under the next).
public final class FrozenOverlay: StateSource {
    public let overlay: StateOverlay
    public init(_ overlay: StateOverlay) { self.overlay = overlay }
    public func account(_ a: Address) -> Account { overlay.account(a) }
    public func storage(_ contract: Address, _ slot: Hash) -> UInt256 { overlay.storage(contract, slot) }
    public func code(_ hash: Hash) -> [UInt8] { overlay.code(hash: hash) }
}
