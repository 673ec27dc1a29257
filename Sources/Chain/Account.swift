import Primitives

/// An externally owned account (contracts are native; their storage lives apart).
public struct Account: Equatable, Sendable {
    public var nonce: UInt64
    public var balance: UInt256

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero) { self.nonce = nonce; self.balance = balance }
    public static let empty = Account()
    public var isEmpty: Bool { nonce == 0 && balance.isZero }

    /// 8 bytes nonce ‖ 32 bytes balance, big-endian.
    var encoded: [UInt8] {
        var out = [UInt8](); out.reserveCapacity(40)
        out.append(contentsOf: nonce.bigEndianBytes)
        out.append(contentsOf: balance.bytes32)
        return out
    }

    init?(encoded b: [UInt8]) {
        guard b.count == 40 else { return nil }
        nonce = UInt64(bigEndianBytes: b[0..<8])
        balance = UInt256(bigEndian: b[8..<40])!
    }
}

/// How state entries are keyed inside the versioned store.
enum StateKey {
    /// `A` ‖ address → Account.
    static func account(_ a: Address) -> [UInt8] { [0x41] + a.bytes }
    /// `S` ‖ contract ‖ slot → 32-byte word.
    static func storage(_ a: Address, _ slot: Hash) -> [UInt8] { [0x53] + a.bytes + slot.bytes }
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
