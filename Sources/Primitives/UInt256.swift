/// A fixed-width 256-bit unsigned integer, four 64-bit limbs, least significant first.
///
/// `+ - *` trap on overflow and `/ %` trap on a zero divisor, exactly like Swift's own
/// integers: use them only where overflow is a programming error. Anything derived from
/// user input goes through the `…ReportingOverflow`, `checked…` or wrapping (`&+ &- &*`)
/// forms, which never trap.
public struct UInt256: Hashable, Comparable, Sendable {
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    @inlinable public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }
    @inlinable public init(_ v: UInt64) { self.init(w0: v, w1: 0, w2: 0, w3: 0) }
    @inlinable public init(_ v: Int) {
        precondition(v >= 0, "UInt256 from a negative Int")
        self.init(UInt64(v))
    }

    public static let zero = UInt256(0)
    public static let one = UInt256(1)
    public static let max = UInt256(w0: .max, w1: .max, w2: .max, w3: .max)

    @inlinable public var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    @inlinable subscript(limb i: Int) -> UInt64 {
        get { switch i { case 0: return w0; case 1: return w1; case 2: return w2; default: return w3 } }
        set { switch i { case 0: w0 = newValue; case 1: w1 = newValue; case 2: w2 = newValue; default: w3 = newValue } }
    }

    /// The value as a UInt64 when it fits.
    @inlinable public var uint64: UInt64? { (w1 | w2 | w3) == 0 ? w0 : nil }
    /// The value as an Int when it fits.
    public var int: Int? { if let v = uint64, v <= UInt64(Int.max) { return Int(v) }; return nil }

    /// Number of significant bits (0 for zero).
    public var bitWidth: Int {
        if w3 != 0 { return 256 - w3.leadingZeroBitCount }
        if w2 != 0 { return 192 - w2.leadingZeroBitCount }
        if w1 != 0 { return 128 - w1.leadingZeroBitCount }
        return 64 - w0.leadingZeroBitCount
    }

    // MARK: comparison

    @inlinable public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.w3 != b.w3 { return a.w3 < b.w3 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        return a.w0 < b.w0
    }

    // MARK: addition / subtraction

    @inlinable public func addingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.addingReportingOverflow(b.w0)
        var (r1, c1) = w1.addingReportingOverflow(b.w1)
        if c0 { let (t, c) = r1.addingReportingOverflow(1); r1 = t; c1 = c1 || c }
        var (r2, c2) = w2.addingReportingOverflow(b.w2)
        if c1 { let (t, c) = r2.addingReportingOverflow(1); r2 = t; c2 = c2 || c }
        var (r3, c3) = w3.addingReportingOverflow(b.w3)
        if c2 { let (t, c) = r3.addingReportingOverflow(1); r3 = t; c3 = c3 || c }
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3)
    }

    @inlinable public func subtractingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, b0) = w0.subtractingReportingOverflow(b.w0)
        var (r1, b1) = w1.subtractingReportingOverflow(b.w1)
        if b0 { let (t, c) = r1.subtractingReportingOverflow(1); r1 = t; b1 = b1 || c }
        var (r2, b2) = w2.subtractingReportingOverflow(b.w2)
        if b1 { let (t, c) = r2.subtractingReportingOverflow(1); r2 = t; b2 = b2 || c }
        var (r3, b3) = w3.subtractingReportingOverflow(b.w3)
        if b2 { let (t, c) = r3.subtractingReportingOverflow(1); r3 = t; b3 = b3 || c }
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), b3)
    }

    // MARK: multiplication

    /// Full 512-bit product as (high, low).
    public func multipliedFullWidth(by b: UInt256) -> (high: UInt256, low: UInt256) {
        var r = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 {
            let ai = self[limb: i]
            if ai == 0 { continue }
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (hi, lo) = ai.multipliedFullWidth(by: b[limb: j])
                let (s1, c1) = r[i + j].addingReportingOverflow(lo)
                let (s2, c2) = s1.addingReportingOverflow(carry)
                r[i + j] = s2
                carry = hi &+ (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
            }
            r[i + 4] = carry
        }
        return (UInt256(w0: r[4], w1: r[5], w2: r[6], w3: r[7]), UInt256(w0: r[0], w1: r[1], w2: r[2], w3: r[3]))
    }

    public func multipliedReportingOverflow(by b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        // Fast path: both fit in 128 bits.
        if (w2 | w3 | b.w2 | b.w3) == 0 && (w1 == 0 || b.w1 == 0) {
            let (h0, l0) = w0.multipliedFullWidth(by: b.w0)
            let (h1, l1) = w1.multipliedFullWidth(by: b.w0)
            let (h2, l2) = w0.multipliedFullWidth(by: b.w1)
            // at most one of the cross products is non-zero
            let (m, c) = h0.addingReportingOverflow(l1 &+ l2)
            return (UInt256(w0: l0, w1: m, w2: h1 &+ h2 &+ (c ? 1 : 0), w3: 0), false)
        }
        let (hi, lo) = multipliedFullWidth(by: b)
        return (lo, !hi.isZero)
    }

    // MARK: division

    /// Quotient and remainder; traps on a zero divisor.
    public func quotientAndRemainder(dividingBy d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        precondition(!d.isZero, "UInt256 division by zero")
        if self < d { return (.zero, self) }
        if let a = uint64, let b = d.uint64 { return (UInt256(a / b), UInt256(a % b)) }
        if let b = d.uint64 {
            // Divide by a single limb.
            var q = UInt256.zero
            var rem: UInt64 = 0
            for i in stride(from: 3, through: 0, by: -1) {
                let (qi, ri) = b.dividingFullWidth((rem, self[limb: i]))
                q[limb: i] = qi
                rem = ri
            }
            return (q, UInt256(rem))
        }
        return knuthDivide(d)
    }

    @inlinable public func bit(_ i: Int) -> Bool { (self[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1 }
    @inlinable mutating func setBit(_ i: Int) { self[limb: i >> 6] |= (1 << UInt64(i & 63)) }

    // MARK: checked forms (nil on overflow / zero divisor)

    public func checkedAdd(_ b: UInt256) -> UInt256? { let r = addingReportingOverflow(b); return r.overflow ? nil : r.partialValue }
    public func checkedSub(_ b: UInt256) -> UInt256? { let r = subtractingReportingOverflow(b); return r.overflow ? nil : r.partialValue }
    public func checkedMul(_ b: UInt256) -> UInt256? { let r = multipliedReportingOverflow(by: b); return r.overflow ? nil : r.partialValue }
    public func checkedDiv(_ b: UInt256) -> UInt256? { b.isZero ? nil : quotientAndRemainder(dividingBy: b).quotient }
    public func checkedMod(_ b: UInt256) -> UInt256? { b.isZero ? nil : quotientAndRemainder(dividingBy: b).remainder }
    /// Saturating add: 2^256−1 on overflow.
    public func saturatingAdd(_ b: UInt256) -> UInt256 { checkedAdd(b) ?? .max }
    /// Saturating multiply: 2^256−1 on overflow.
    public func saturatingMul(_ b: UInt256) -> UInt256 { checkedMul(b) ?? .max }

    // MARK: operators

    @inlinable public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }
    @inlinable public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }
    public static func &* (a: UInt256, b: UInt256) -> UInt256 { a.multipliedReportingOverflow(by: b).partialValue }

    public static func + (a: UInt256, b: UInt256) -> UInt256 {
        let r = a.addingReportingOverflow(b); precondition(!r.overflow, "UInt256 addition overflow"); return r.partialValue
    }
    public static func - (a: UInt256, b: UInt256) -> UInt256 {
        let r = a.subtractingReportingOverflow(b); precondition(!r.overflow, "UInt256 subtraction underflow"); return r.partialValue
    }
    public static func * (a: UInt256, b: UInt256) -> UInt256 {
        let r = a.multipliedReportingOverflow(by: b); precondition(!r.overflow, "UInt256 multiplication overflow"); return r.partialValue
    }
    public static func / (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).quotient }
    public static func % (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).remainder }
    public static func += (a: inout UInt256, b: UInt256) { a = a + b }
    public static func -= (a: inout UInt256, b: UInt256) { a = a - b }

    public static func & (a: UInt256, b: UInt256) -> UInt256 { UInt256(w0: a.w0 & b.w0, w1: a.w1 & b.w1, w2: a.w2 & b.w2, w3: a.w3 & b.w3) }
    public static func | (a: UInt256, b: UInt256) -> UInt256 { UInt256(w0: a.w0 | b.w0, w1: a.w1 | b.w1, w2: a.w2 | b.w2, w3: a.w3 | b.w3) }
    public static func ^ (a: UInt256, b: UInt256) -> UInt256 { UInt256(w0: a.w0 ^ b.w0, w1: a.w1 ^ b.w1, w2: a.w2 ^ b.w2, w3: a.w3 ^ b.w3) }
    public static prefix func ~ (a: UInt256) -> UInt256 { UInt256(w0: ~a.w0, w1: ~a.w1, w2: ~a.w2, w3: ~a.w3) }

    /// Shifts limb by limb with masking shifts (the amounts stay in 1...63): SHL and SHR run
    /// these, and the general loop over limb subscripts was a tenth of a shift-heavy loop.
    @inlinable public static func << (a: UInt256, n: Int) -> UInt256 {
        if n <= 0 { return n == 0 ? a : a >> -n }
        if n >= 256 { return .zero }
        let limbs = n >> 6, b = UInt64(n & 63)
        if b == 0 {
            switch limbs {
            case 0: return a
            case 1: return UInt256(w0: 0, w1: a.w0, w2: a.w1, w3: a.w2)
            case 2: return UInt256(w0: 0, w1: 0, w2: a.w0, w3: a.w1)
            default: return UInt256(w0: 0, w1: 0, w2: 0, w3: a.w0)
            }
        }
        let c = 64 &- b
        switch limbs {
        case 0: return UInt256(w0: a.w0 &<< b, w1: a.w1 &<< b | a.w0 &>> c, w2: a.w2 &<< b | a.w1 &>> c, w3: a.w3 &<< b | a.w2 &>> c)
        case 1: return UInt256(w0: 0, w1: a.w0 &<< b, w2: a.w1 &<< b | a.w0 &>> c, w3: a.w2 &<< b | a.w1 &>> c)
        case 2: return UInt256(w0: 0, w1: 0, w2: a.w0 &<< b, w3: a.w1 &<< b | a.w0 &>> c)
        default: return UInt256(w0: 0, w1: 0, w2: 0, w3: a.w0 &<< b)
        }
    }

    @inlinable public static func >> (a: UInt256, n: Int) -> UInt256 {
        if n <= 0 { return n == 0 ? a : a << -n }
        if n >= 256 { return .zero }
        let limbs = n >> 6, b = UInt64(n & 63)
        if b == 0 {
            switch limbs {
            case 0: return a
            case 1: return UInt256(w0: a.w1, w1: a.w2, w2: a.w3, w3: 0)
            case 2: return UInt256(w0: a.w2, w1: a.w3, w2: 0, w3: 0)
            default: return UInt256(w0: a.w3, w1: 0, w2: 0, w3: 0)
            }
        }
        let c = 64 &- b
        switch limbs {
        case 0: return UInt256(w0: a.w0 &>> b | a.w1 &<< c, w1: a.w1 &>> b | a.w2 &<< c, w2: a.w2 &>> b | a.w3 &<< c, w3: a.w3 &>> b)
        case 1: return UInt256(w0: a.w1 &>> b | a.w2 &<< c, w1: a.w2 &>> b | a.w3 &<< c, w2: a.w3 &>> b, w3: 0)
        case 2: return UInt256(w0: a.w2 &>> b | a.w3 &<< c, w1: a.w3 &>> b, w2: 0, w3: 0)
        default: return UInt256(w0: a.w3 &>> b, w1: 0, w2: 0, w3: 0)
        }
    }

    // MARK: bytes

    /// Big-endian bytes; at most 32 of them. Returns nil when longer than 32 bytes.
    public init?<C: Collection>(bigEndian bytes: C) where C.Element == UInt8 {
        guard bytes.count <= 32 else { return nil }
        var r = UInt256.zero
        var shift = 0
        for b in bytes.reversed() {
            r[limb: shift >> 6] |= UInt64(b) << UInt64(shift & 63)
            shift += 8
        }
        self = r
    }

    /// Appends the low `count` bytes (at most 32), big-endian: a key or an encoding built in
    /// one buffer instead of from `bytes32` slices.
    public func appendBigEndian(_ count: Int, to out: inout [UInt8]) {
        precondition(count >= 0 && count <= 32)
        var be = (w3.bigEndian, w2.bigEndian, w1.bigEndian, w0.bigEndian)
        withUnsafeBytes(of: &be) { out.append(contentsOf: $0[(32 - count)...]) }
    }

    /// Exactly 32 big-endian bytes.
    public var bytes32: [UInt8] {
        var out = [UInt8](); out.reserveCapacity(32)
        appendBigEndian(32, to: &out)
        return out
    }

    /// Big-endian bytes without leading zeros (empty for zero), as RLP wants.
    public var minimalBytes: [UInt8] {
        let b = bytes32
        let first = b.firstIndex(where: { $0 != 0 }) ?? 32
        return Array(b[first...])
    }

    // MARK: text

    /// Ethereum quantity: `0x` then lowercase hex with no leading zeros (`0x0` for zero).
    public var hexQuantity: String {
        if isZero { return "0x0" }
        var s = ""
        var started = false
        for i in stride(from: 3, through: 0, by: -1) {
            let limb = self[limb: i]
            if !started {
                if limb == 0 { continue }
                s = String(limb, radix: 16); started = true
            } else {
                let h = String(limb, radix: 16)
                s += String(repeating: "0", count: 16 - h.count) + h
            }
        }
        return "0x" + s
    }

    /// Parses hex digits with an optional `0x` prefix; nil on bad digits or more than 256 bits.
    public init?(hex: String) {
        var digits = Substring(hex)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty else { return nil }
        let trimmed = digits.drop(while: { $0 == "0" })
        guard trimmed.utf8.count <= 64 else { return nil }
        var r = UInt256.zero
        var shift = 0
        for c in trimmed.utf8.reversed() {
            guard let v = Hex.nibble(c) else { return nil }
            r[limb: shift >> 6] |= UInt64(v) << UInt64(shift & 63)
            shift += 4
        }
        self = r
    }

    /// Parses a non-negative decimal integer; nil on bad digits or overflow.
    public init?(decimal: String) {
        guard !decimal.isEmpty else { return nil }
        var r = UInt256.zero
        let ten = UInt256(10)
        for c in decimal.utf8 {
            guard c >= 48 && c <= 57 else { return nil }
            guard let m = r.checkedMul(ten), let a = m.checkedAdd(UInt256(UInt64(c - 48))) else { return nil }
            r = a
        }
        self = r
    }

    public var decimalString: String {
        if let v = uint64 { return String(v) }
        var parts: [UInt64] = []
        var v = self
        let chunk = UInt256(10_000_000_000_000_000_000 as UInt64)
        while !v.isZero {
            let (q, r) = v.quotientAndRemainder(dividingBy: chunk)
            parts.append(r.w0); v = q
        }
        var s = String(parts.last!)
        for p in parts.dropLast().reversed() {
            let t = String(p)
            s += String(repeating: "0", count: 19 - t.count) + t
        }
        return s
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: UInt64) { self.init(value) }
}

extension UInt256: CustomStringConvertible {
    public var description: String { decimalString }
}

extension UInt256 {
    /// 10^n for n ≤ 77.
    public static func pow10(_ n: Int) -> UInt256 {
        var r = UInt256.one
        for _ in 0..<n { r = r * 10 }
        return r
    }

    /// Formats a fixed-point amount with `decimals` decimals, trimming trailing zeros
    /// (`1500000000000000000` with 18 → `1.5`).
    public func formatted(decimals: Int) -> String {
        let s = decimalString
        if decimals == 0 { return s }
        let padded = s.count <= decimals ? String(repeating: "0", count: decimals - s.count + 1) + s : s
        let intPart = padded.dropLast(decimals)
        var frac = padded.suffix(decimals)
        while frac.last == "0" { frac = frac.dropLast() }
        return frac.isEmpty ? String(intPart) : "\(intPart).\(frac)"
    }
}
