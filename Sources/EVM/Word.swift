import Primitives

// The EVM's arithmetic on 256-bit words that the chain's `UInt256` does not already have:
// two's-complement signed forms, modular arithmetic with a 512-bit intermediate, EXP,
// SIGNEXTEND, BYTE, SAR and CLZ.

extension UInt256 {
    @inline(__always) var isNegative: Bool { w3 >> 63 == 1 }
    @inline(__always) var negated: UInt256 { (~self) &+ .one }

    static func sdiv(_ a: UInt256, _ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let na = a.isNegative, nb = b.isNegative
        let q = (na ? a.negated : a).quotientAndRemainder(dividingBy: nb ? b.negated : b).quotient
        return na != nb ? q.negated : q
    }

    static func smod(_ a: UInt256, _ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let na = a.isNegative
        let r = (na ? a.negated : a).quotientAndRemainder(dividingBy: b.isNegative ? b.negated : b).remainder
        return na ? r.negated : r
    }

    @inline(__always) static func slt(_ a: UInt256, _ b: UInt256) -> Bool {
        let na = a.isNegative, nb = b.isNegative
        if na != nb { return na }
        return a < b
    }

    static func addmod(_ a: UInt256, _ b: UInt256, _ n: UInt256) -> UInt256 {
        if n.isZero { return .zero }
        let (s, carry) = a.addingReportingOverflow(b)
        if !carry { return s.quotientAndRemainder(dividingBy: n).remainder }
        // 257-bit sum: reduce (2^256 + s) mod n as a 512-bit value.
        return mod512(high: .one, low: s, n)
    }

    static func mulmod(_ a: UInt256, _ b: UInt256, _ n: UInt256) -> UInt256 {
        if n.isZero { return .zero }
        let (hi, lo) = a.multipliedFullWidth(by: b)
        if hi.isZero { return lo.quotientAndRemainder(dividingBy: n).remainder }
        return mod512(high: hi, low: lo, n)
    }

    /// (high·2^256 + low) mod n (Knuth's long division on 64-bit limbs).
    static func mod512(high: UInt256, low: UInt256, _ n: UInt256) -> UInt256 {
        UInt256.remainder(high: high, low: low, dividingBy: n)
    }

    static func exp(_ base: UInt256, _ e: UInt256) -> UInt256 {
        var result = UInt256.one
        var b = base
        let bits = e.bitWidth
        var i = 0
        while i < bits {
            if e.bit(i) { result = result &* b }
            i += 1
            if i < bits { b = b &* b }
        }
        return result
    }

    static func signextend(_ k: UInt256, _ x: UInt256) -> UInt256 {
        guard let kk = k.uint64, kk < 31 else { return x }
        let bit = Int(kk) * 8 + 7
        let mask = (UInt256.one << (bit + 1)) &- .one
        return x.bit(bit) ? (x | ~mask) : (x & mask)
    }

    static func byte(_ i: UInt256, _ x: UInt256) -> UInt256 {
        guard let ii = i.uint64, ii < 32 else { return .zero }
        let shift = Int(31 - ii) * 8
        return UInt256((x >> shift).w0 & 0xff)
    }

    @inline(__always) static func shl(_ s: UInt256, _ x: UInt256) -> UInt256 {
        guard let n = s.uint64, n < 256 else { return .zero }
        return x << Int(n)
    }
    @inline(__always) static func shr(_ s: UInt256, _ x: UInt256) -> UInt256 {
        guard let n = s.uint64, n < 256 else { return .zero }
        return x >> Int(n)
    }
    static func sar(_ s: UInt256, _ x: UInt256) -> UInt256 {
        let neg = x.isNegative
        guard let n = s.uint64, n < 256 else { return neg ? .max : .zero }
        if n == 0 { return x }
        let shifted = x >> Int(n)
        if !neg { return shifted }
        return shifted | ~(UInt256.max >> Int(n))
    }

    /// EIP-7939: count of leading zero bits (256 for zero).
    @inline(__always) var leadingZeros: UInt256 { UInt256(UInt64(256 - bitWidth)) }

    /// The low 64 bits when the value fits, else nil; offsets and sizes.
    @inline(__always) var asInt: Int? {
        if (w1 | w2 | w3) != 0 || w0 > UInt64(Int32.max) { return nil }
        return Int(w0)
    }

    /// The address in the low 160 bits.
    @inline(__always) var address: Address { Address(truncating: self) }
}
