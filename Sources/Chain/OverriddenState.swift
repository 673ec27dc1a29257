import Primitives

/// What `eth_call`/`eth_estimateGas` state overrides (geth's third parameter) change for one
/// address. nil fields are left as the block has them.
public struct AccountOverride: Sendable, Equatable {
    public var balance: UInt256?
    public var nonce: UInt64?
    /// The account's code for the call (empty: no code).
    public var code: [UInt8]?
    /// `state`: the account's whole storage for the call; every slot not listed reads zero.
    public var state: [Hash: UInt256]?
    /// `stateDiff`: these slots changed, the others as the block has them.
    public var stateDiff: [Hash: UInt256]?

    public init(balance: UInt256? = nil, nonce: UInt64? = nil, code: [UInt8]? = nil,
                state: [Hash: UInt256]? = nil, stateDiff: [Hash: UInt256]? = nil) {
        self.balance = balance; self.nonce = nonce; self.code = code; self.state = state; self.stateDiff = stateDiff
    }
}

/// A block's state as a call with overrides sees it: a read-only `StateSource` over `base`, for
/// that call only (wrap it in a `StateOverlay` to execute). Nothing is written anywhere.
public final class OverriddenState: StateSource {
    public let base: StateSource
    private let overrides: [Address: AccountOverride]
    private let codes: [Hash: [UInt8]]
    private let codeHashes: [Address: Hash]

    /// The caller has checked the overrides (`state` and `stateDiff` are not both set).
    public init(base: StateSource, overrides: [Address: AccountOverride]) {
        self.base = base
        self.overrides = overrides
        var codes: [Hash: [UInt8]] = [:], hashes: [Address: Hash] = [:]
        for (a, o) in overrides {
            guard let c = o.code else { continue }
            let h = c.isEmpty ? Account.emptyCodeHash : Hash.keccak(c)
            hashes[a] = h
            if !c.isEmpty { codes[h] = c }
        }
        self.codes = codes
        self.codeHashes = hashes
    }

    public func account(_ a: Address) -> Account {
        var acct = base.account(a)
        guard let o = overrides[a] else { return acct }
        if let b = o.balance { acct.balance = b }
        if let n = o.nonce { acct.nonce = n }
        if let h = codeHashes[a] { acct.codeHash = h }
        return acct
    }

    public func storage(_ contract: Address, _ slot: Hash) -> UInt256 {
        guard let o = overrides[contract] else { return base.storage(contract, slot) }
        if let full = o.state { return full[slot] ?? .zero }
        if let v = o.stateDiff?[slot] { return v }
        return base.storage(contract, slot)
    }

    public func code(_ hash: Hash) -> [UInt8] {
        if hash == Account.emptyCodeHash { return [] }
        return codes[hash] ?? base.code(hash)
    }
}
