import Primitives
import Storage

/// An account: nonce, balance and the hash of its code. Storage lives apart (`StateKey.storage`),
/// and so do the code bytes (`ChainStore.codePrefix`, by hash).
public struct Account: Equatable, Sendable {
    public var nonce: UInt64
    public var balance: UInt256
    /// keccak256 of the account's code; `Account.emptyCodeHash` when it has none.
    public var codeHash: Hash

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, codeHash: Hash = Account.emptyCodeHash) {
        self.nonce = nonce; self.balance = balance; self.codeHash = codeHash
    }
    public static let empty = Account()

    /// keccak256 of the empty byte string (the EVM module's `EVMAccount.emptyCodeHash` has the
    /// same value; Chain keeps its own so it does not depend on that module for this).
    public static let emptyCodeHash = Hash(hex: "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")!

    public var hasCode: Bool { codeHash != Account.emptyCodeHash }
    /// EIP-161's empty: no nonce, no balance, no code. Empty accounts are not stored.
    public var isEmpty: Bool { nonce == 0 && balance.isZero && !hasCode }

    /// 8 bytes nonce ‖ 32 bytes balance, big-endian; accounts with code add their 32-byte
    /// code hash (72 bytes). Accounts without code keep the 40-byte form every earlier version
    /// wrote, so old databases and state commitments read and compute as before.
    var encoded: [UInt8] {
        var out = [UInt8](); out.reserveCapacity(hasCode ? 72 : 40)
        out.append(contentsOf: nonce.bigEndianBytes)
        out.append(contentsOf: balance.bytes32)
        if hasCode { out.append(contentsOf: codeHash.bytes) }
        return out
    }

    init?(encoded b: [UInt8]) {
        guard b.count == 40 || b.count == 72 else { return nil }
        nonce = UInt64(bigEndianBytes: b[0..<8])
        balance = UInt256(bigEndian: b[8..<40])!
        codeHash = b.count == 72 ? Hash(bytes: b[40..<72])! : Account.emptyCodeHash
    }
}

/// How state entries are keyed inside the versioned store. Code is not versioned: it lives
/// under `ChainStore.codePrefix` by hash, outside the versioned store.
enum StateKey {
    /// `A` ‖ address → Account.
    static func account(_ a: Address) -> [UInt8] {
        var k = [UInt8](); k.reserveCapacity(21)
        k.append(StorageKeys.account)
        a.value.appendBigEndian(20, to: &k)
        return k
    }
    /// `S` ‖ contract ‖ slot → 32-byte word.
    static func storage(_ a: Address, _ slot: Hash) -> [UInt8] {
        var k = [UInt8](); k.reserveCapacity(53)
        k.append(StorageKeys.storage)
        a.value.appendBigEndian(20, to: &k)
        slot.value.appendBigEndian(32, to: &k)
        return k
    }
}

extension UInt64 {
    var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> UInt64(56 - 8 * $0)) } }
    init<C: Collection>(bigEndianBytes b: C) where C.Element == UInt8 {
        var v: UInt64 = 0
        for x in b { v = v << 8 | UInt64(x) }
        self = v
    }
    init(bigEndianBytes b: ArraySlice<UInt8>) {
        var v: UInt64 = 0
        for x in b { v = v << 8 | UInt64(x) }
        self = v
    }
    init(bigEndianBytes b: [UInt8]) { self.init(bigEndianBytes: b[...]) }
}
