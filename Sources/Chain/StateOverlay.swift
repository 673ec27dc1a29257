import Primitives
import Contracts

/// Where committed state is read from: the versioned store at one block, or anything
/// else that can answer the same two questions (tests, state overrides).
public protocol StateSource: AnyObject {
    func account(_ a: Address) -> Account
    func storage(_ contract: Address, _ slot: Hash) -> UInt256
}

/// Uncommitted writes over a `StateSource`, with checkpoints so a reverted call or a
/// dropped transaction can be undone. The block builder keeps one for the whole block;
/// `eth_call` makes a throwaway one.
public final class StateOverlay: WorldState {
    public let base: StateSource
    private(set) var accounts: [Address: Account] = [:]
    private(set) var slots: [StorageSlot: UInt256] = [:]
    private var journal: [Entry] = []

    struct StorageSlot: Hashable { let contract: Address; let slot: Hash }
    private enum Entry {
        case account(Address, Account?)
        case slot(StorageSlot, UInt256?)
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
}

/// A source with nothing in it (genesis building, tests).
public final class EmptyState: StateSource {
    public init() {}
    public func account(_ a: Address) -> Account { .empty }
    public func storage(_ contract: Address, _ slot: Hash) -> UInt256 { .zero }
}
