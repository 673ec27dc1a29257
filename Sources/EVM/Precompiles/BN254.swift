import Primitives

/// The alt_bn128 (bn254) precompiles: ECADD (0x06) and ECMUL (0x07) of EIP-196, the pairing
/// check (0x08) of EIP-197. Only the arithmetic lives here; the Istanbul gas (EIP-1108) is
/// charged by the caller.
///
/// Curve E: y² = x³ + 3 over Fp. G2 lives on the D-type sextic twist E': y² = x³ + 3/ξ over
/// Fp2 with ξ = 9 + i. Tower: Fp2 = Fp[i]/(i² + 1), Fp6 = Fp2[v]/(v³ − ξ), Fp12 = Fp6[w]/(w² − v).
/// The pairing is the optimal ate pairing (loop 6u + 2 in NAF form, u = 4965661367192848881),
/// Miller loop in homogeneous projective coordinates, and the final exponentiation split into
/// the easy part (p⁶ − 1)(p² + 1) and the hard part (p⁴ − p² + 1)/r written in base p.
public enum BN254 {
    /// ECADD: input is read as 128 bytes (shorter input is right-padded with zeros, longer is
    /// truncated), returns 64 bytes, nil on invalid input (a coordinate ≥ p, or a point not on
    /// the curve).
    public static func add(_ input: [UInt8]) -> [UInt8]? {
        guard let a = readG1(input, 0), let b = readG1(input, 64) else { return nil }
        return encodeG1(a.adding(b))
    }

    /// ECMUL: input 96 bytes (padded/truncated the same way): point (64) then scalar (32).
    /// nil on invalid point.
    public static func mul(_ input: [UInt8]) -> [UInt8]? {
        guard let a = readG1(input, 0) else { return nil }
        let k = readWord(input, 64)
        return encodeG1(a.multiplied(by: k))
    }

    /// Pairing check: input length must be a multiple of 192 (else nil); each element is G1
    /// (64 bytes) then G2 (128 bytes, each Fp2 coordinate encoded imaginary part first, then
    /// real part, as EIP-197 says). Invalid points (coordinates ≥ p, not on curve, G2 not in
    /// the correct subgroup) → nil. Returns 32 bytes: 1 if the product of pairings is one,
    /// else 0. Empty input → 1.
    public static func pairing(_ input: [UInt8]) -> [UInt8]? {
        guard input.count % 192 == 0 else { return nil }
        var pairs: [(p: Affine<Fp>, q: Affine<Fp2>)] = []
        pairs.reserveCapacity(input.count / 192)
        var off = 0
        while off < input.count {
            guard let p = readG1(input, off), let q = readG2(input, off + 64) else { return nil }
            // A pair with the point at infinity on either side contributes a factor of one.
            // (The readers return Z = 1 for finite points.)
            if !p.isInfinity && !q.isInfinity {
                pairs.append((Affine(x: p.x, y: p.y), Affine(x: q.x, y: q.y)))
            }
            off += 192
        }
        var out = [UInt8](repeating: 0, count: 32)
        if pairs.isEmpty || finalExponentiation(millerLoop(pairs)).isOne { out[31] = 1 }
        return out
    }
}

// MARK: - Encoding

/// The 32-byte big-endian word at `off`, zero-padded past the end of `input`, as four
/// little-endian limbs.
private func readWord(_ input: [UInt8], _ off: Int) -> Limbs {
    var l: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    let n = input.count
    if off + 32 <= n {
        input.withUnsafeBufferPointer { b in
            func limb(_ s: Int) -> UInt64 {
                var v: UInt64 = 0
                for j in 0..<8 { v = (v << 8) | UInt64(b[s + j]) }
                return v
            }
            l = (limb(off + 24), limb(off + 16), limb(off + 8), limb(off))
        }
    } else {
        var w: [UInt64] = [0, 0, 0, 0]
        for j in 0..<32 where off + j < n {
            w[3 - j / 8] |= UInt64(input[off + j]) << UInt64(8 * (7 - j % 8))
        }
        l = (w[0], w[1], w[2], w[3])
    }
    return Limbs(l.0, l.1, l.2, l.3)
}

private func writeWord(_ l: Limbs, into out: inout [UInt8], at off: Int) {
    let ws = [l.w3, l.w2, l.w1, l.w0]
    for (i, w) in ws.enumerated() {
        for j in 0..<8 { out[off + 8 * i + j] = UInt8(truncatingIfNeeded: w >> UInt64(56 - 8 * j)) }
    }
}

/// A G1 point from 64 bytes at `off`; nil when a coordinate is ≥ p or the point is off the curve.
private func readG1(_ input: [UInt8], _ off: Int) -> Jac<Fp>? {
    guard let x = Fp(canonical: readWord(input, off)),
          let y = Fp(canonical: readWord(input, off + 32)) else { return nil }
    if x.isZero && y.isZero { return .infinity }
    guard y.squared == x.squared * x + Fp.b else { return nil }
    return Jac(x: x, y: y, z: .one)
}

/// A G2 point from 128 bytes at `off` (x.imag, x.real, y.imag, y.real); nil when a coordinate
/// is ≥ p, the point is off the twist, or it is not in the order-r subgroup.
private func readG2(_ input: [UInt8], _ off: Int) -> Jac<Fp2>? {
    guard let xi = Fp(canonical: readWord(input, off)),
          let xr = Fp(canonical: readWord(input, off + 32)),
          let yi = Fp(canonical: readWord(input, off + 64)),
          let yr = Fp(canonical: readWord(input, off + 96)) else { return nil }
    let x = Fp2(xr, xi), y = Fp2(yr, yi)
    if x.isZero && y.isZero { return .infinity }
    guard y.squared == x.squared * x + Consts.twistB else { return nil }
    guard isInG2(Affine(x: x, y: y)) else { return nil }
    return Jac(x: x, y: y, z: .one)
}

/// Whether a point of E'(Fp2) lies in the order-r subgroup G2, tested as ψ(Q) = [6u²]Q where ψ
/// is the twisted Frobenius. Why this is exact: ψ satisfies ψ² − tψ + p = 0 with the trace
/// t = 6u² + 1, so ψ(Q) = [λ]Q with λ = 6u² gives [λ² − tλ + p]Q = [p − 6u²]Q = [r]Q = O;
/// conversely on G2 ψ acts as multiplication by p ≡ 6u² (mod r). Half the cost of checking
/// [r]Q = O, with the same answer.
private func isInG2(_ q: Affine<Fp2>) -> Bool {
    let psi = twistFrobenius(q)
    let m = Jac(x: q.x, y: q.y, z: .one).multiplied(by: Consts.sixUSquared)
    if m.isInfinity { return false }  // ψ(Q) of a finite point is finite
    let z2 = m.z.squared
    return m.x == psi.x * z2 && m.y == psi.y * z2 * m.z
}

private func encodeG1(_ p: Jac<Fp>) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 64)
    if let a = p.affine() {
        writeWord(a.x.canonical, into: &out, at: 0)
        writeWord(a.y.canonical, into: &out, at: 32)
    }
    return out
}

// MARK: - Limbs

/// A 256-bit integer as four little-endian 64-bit limbs (no arithmetic of its own).
private struct Limbs {
    var w0, w1, w2, w3: UInt64
    init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }
    init(_ v: UInt256) { self.init(v.w0, v.w1, v.w2, v.w3) }
    var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }
    subscript(i: Int) -> UInt64 {
        switch i { case 0: return w0; case 1: return w1; case 2: return w2; default: return w3 }
    }
    /// Bits, most significant first, with leading zeros dropped.
    var bitsMSBFirst: [Bool] {
        var bits: [Bool] = []
        var started = false
        for i in (0..<256).reversed() {
            let b = (self[i >> 6] >> UInt64(i & 63)) & 1 == 1
            if b { started = true }
            if started { bits.append(b) }
        }
        return bits
    }
}

// MARK: - Fp (Montgomery form, R = 2²⁵⁶)

// p = 21888242871839275222246405745257275088696311157297823662689037894645226208583
private let P0: UInt64 = 0x3c20_8c16_d87c_fd47
private let P1: UInt64 = 0x9781_6a91_6871_ca8d
private let P2: UInt64 = 0xb850_45b6_8181_585d
private let P3: UInt64 = 0x3064_4e72_e131_a029
/// −p⁻¹ mod 2⁶⁴.
private let PInv: UInt64 = 0x87d2_0782_e486_6389

/// 0 or 1. (A plain `b ? 1 : 0` can become a branch, which mispredicts on carries.)
@inline(__always)
private func bit(_ b: Bool) -> UInt64 { UInt64(unsafeBitCast(b, to: UInt8.self)) }

/// a·b + c + d as (high, low); cannot overflow 128 bits.
@inline(__always)
private func madd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
    let m = a.multipliedFullWidth(by: b)
    let (s1, o1) = m.low.addingReportingOverflow(c)
    let (s2, o2) = s1.addingReportingOverflow(d)
    return (m.high &+ bit(o1) &+ bit(o2), s2)
}

@inline(__always)
private func adc(_ a: UInt64, _ b: UInt64, _ carry: UInt64) -> (UInt64, UInt64) {
    let (s1, o1) = a.addingReportingOverflow(b)
    let (s2, o2) = s1.addingReportingOverflow(carry)
    return (s2, bit(o1) | bit(o2))
}

@inline(__always)
private func sbb(_ a: UInt64, _ b: UInt64, _ borrow: UInt64) -> (UInt64, UInt64) {
    let (d1, o1) = a.subtractingReportingOverflow(b)
    let (d2, o2) = d1.subtractingReportingOverflow(borrow)
    return (d2, bit(o1) | bit(o2))
}

/// The field arithmetic the curve code is generic over.
private protocol Field: Equatable {
    static var zero: Self { get }
    static var one: Self { get }
    var isZero: Bool { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    var squared: Self { get }
    var doubled: Self { get }
    var negated: Self { get }
    var inverse: Self { get }
}

extension Field {
    /// self^e, e given most significant bit first.
    func power(_ bits: [Bool]) -> Self {
        var r = Self.one
        for b in bits {
            r = r.squared
            if b { r = r * self }
        }
        return r
    }
}

/// An element of Fp in Montgomery form (x·2²⁵⁶ mod p), always fully reduced, so equal
/// elements have equal limbs.
private struct Fp: Field {
    var l0, l1, l2, l3: UInt64

    @inline(__always)
    init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    /// From a canonical integer; nil when it is ≥ p.
    init?(canonical v: Limbs) {
        let (_, b0) = sbb(v.w0, P0, 0)
        let (_, b1) = sbb(v.w1, P1, b0)
        let (_, b2) = sbb(v.w2, P2, b1)
        let (_, b3) = sbb(v.w3, P3, b2)
        guard b3 == 1 else { return nil }  // v − p borrowed: v < p
        self = Fp(v.w0, v.w1, v.w2, v.w3) * Fp.r2
    }

    /// A small constant.
    init(_ v: UInt64) { self.init(canonical: Limbs(v, 0, 0, 0))! }

    /// The canonical integer.
    var canonical: Limbs {
        let r = self * Fp(1, 0, 0, 0)
        return Limbs(r.l0, r.l1, r.l2, r.l3)
    }

    /// 2⁵¹² mod p: multiplying a plain integer by it enters Montgomery form.
    static let r2 = Fp(0xf32c_fc5b_538a_fa89, 0xb5e7_1911_d445_01fb, 0x47ab_1eff_0a41_7ff6, 0x06d8_9f71_cab8_351f)
    static let zero = Fp(0, 0, 0, 0)
    /// 2²⁵⁶ mod p.
    static let one = Fp(0xd35d_438d_c58f_0d9d, 0x0a78_eb28_f5c7_0b3d, 0x666e_a36f_7879_462c, 0x0e0a_77c1_9a07_df2f)
    /// The curve constant 3.
    static let b = Fp(3)

    var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// Subtracts p once when the value is ≥ p (input < 2p).
    @inline(__always)
    private static func reduced(_ a0: UInt64, _ a1: UInt64, _ a2: UInt64, _ a3: UInt64) -> Fp {
        let (d0, b0) = sbb(a0, P0, 0)
        let (d1, b1) = sbb(a1, P1, b0)
        let (d2, b2) = sbb(a2, P2, b1)
        let (d3, b3) = sbb(a3, P3, b2)
        // Branch-free select (the branch would be unpredictable): keep a when a − p borrowed.
        let keep = 0 &- b3
        return Fp(d0 ^ ((d0 ^ a0) & keep), d1 ^ ((d1 ^ a1) & keep),
                  d2 ^ ((d2 ^ a2) & keep), d3 ^ ((d3 ^ a3) & keep))
    }

    @inline(__always)
    static func + (a: Fp, b: Fp) -> Fp {
        // p < 2²⁵⁴, so the sum of two reduced values fits in 256 bits.
        let (s0, c0) = adc(a.l0, b.l0, 0)
        let (s1, c1) = adc(a.l1, b.l1, c0)
        let (s2, c2) = adc(a.l2, b.l2, c1)
        let (s3, _) = adc(a.l3, b.l3, c2)
        return reduced(s0, s1, s2, s3)
    }

    @inline(__always)
    static func - (a: Fp, b: Fp) -> Fp {
        let (d0, b0) = sbb(a.l0, b.l0, 0)
        let (d1, b1) = sbb(a.l1, b.l1, b0)
        let (d2, b2) = sbb(a.l2, b.l2, b1)
        let (d3, b3) = sbb(a.l3, b.l3, b2)
        // Add p back when the subtraction borrowed, without a branch.
        let mask = 0 &- b3
        let (e0, c0) = adc(d0, P0 & mask, 0)
        let (e1, c1) = adc(d1, P1 & mask, c0)
        let (e2, c2) = adc(d2, P2 & mask, c1)
        let (e3, _) = adc(d3, P3 & mask, c2)
        return Fp(e0, e1, e2, e3)
    }

    var doubled: Fp { self + self }
    var negated: Fp { isZero ? self : Fp.zero - self }

    /// self / 2 (halving the Montgomery representative halves the value).
    var halved: Fp {
        var a0 = l0, a1 = l1, a2 = l2, a3 = l3
        if a0 & 1 == 1 {
            var c: UInt64
            (a0, c) = adc(a0, P0, 0)
            (a1, c) = adc(a1, P1, c)
            (a2, c) = adc(a2, P2, c)
            (a3, _) = adc(a3, P3, c)  // < 2p < 2²⁵⁵: no carry out
        }
        return Fp((a0 >> 1) | (a1 << 63), (a1 >> 1) | (a2 << 63), (a2 >> 1) | (a3 << 63), a3 >> 1)
    }

    /// Montgomery product (CIOS). Because p's top limb is below 2⁶², the running value stays
    /// below 2p and the fifth word never carries.
    static func * (a: Fp, b: Fp) -> Fp {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0
        @inline(__always)
        func step(_ bi: UInt64) {
            var c: UInt64, u0: UInt64, u1: UInt64, u2: UInt64, u3: UInt64
            (c, u0) = madd(a.l0, bi, t0, 0)
            (c, u1) = madd(a.l1, bi, t1, c)
            (c, u2) = madd(a.l2, bi, t2, c)
            (c, u3) = madd(a.l3, bi, t3, c)
            let u4 = c
            let m = u0 &* PInv
            (c, _) = madd(m, P0, u0, 0)
            (c, t0) = madd(m, P1, u1, c)
            (c, t1) = madd(m, P2, u2, c)
            (c, t2) = madd(m, P3, u3, c)
            t3 = u4 &+ c
        }
        step(b.l0); step(b.l1); step(b.l2); step(b.l3)
        return reduced(t0, t1, t2, t3)
    }

    var squared: Fp { self * self }

    /// By Fermat: self^(p−2). Zero maps to zero.
    var inverse: Fp { power(Consts.pMinus2Bits) }
}

// MARK: - Fp2 = Fp[i]/(i² + 1)

private struct Fp2: Field {
    var c0: Fp, c1: Fp  // c0 + c1·i

    @inline(__always) init(_ c0: Fp, _ c1: Fp) { self.c0 = c0; self.c1 = c1 }

    static let zero = Fp2(.zero, .zero)
    static let one = Fp2(.one, .zero)
    /// ξ = 9 + i, the non-residue the tower and the twist are built on.
    static let xi = Fp2(Fp(9), Fp(1))

    var isZero: Bool { c0.isZero && c1.isZero }

    @inline(__always) static func + (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 + b.c0, a.c1 + b.c1) }
    @inline(__always) static func - (a: Fp2, b: Fp2) -> Fp2 { Fp2(a.c0 - b.c0, a.c1 - b.c1) }
    var doubled: Fp2 { Fp2(c0.doubled, c1.doubled) }
    var negated: Fp2 { Fp2(c0.negated, c1.negated) }
    var conjugate: Fp2 { Fp2(c0, c1.negated) }
    var halved: Fp2 { Fp2(c0.halved, c1.halved) }

    static func * (a: Fp2, b: Fp2) -> Fp2 {
        let v0 = a.c0 * b.c0, v1 = a.c1 * b.c1
        return Fp2(v0 - v1, (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1)
    }

    @inline(__always) func times(_ s: Fp) -> Fp2 { Fp2(c0 * s, c1 * s) }

    var squared: Fp2 {
        let m = c0 * c1
        return Fp2((c0 + c1) * (c0 - c1), m.doubled)
    }

    /// self·ξ = (9c0 − c1) + (c0 + 9c1)·i.
    var timesXi: Fp2 {
        let a8 = c0.doubled.doubled.doubled, b8 = c1.doubled.doubled.doubled
        return Fp2(a8 + c0 - c1, b8 + c1 + c0)
    }

    var inverse: Fp2 {
        let d = (c0.squared + c1.squared).inverse
        return Fp2(c0 * d, (c1 * d).negated)
    }
}

// MARK: - Fp6 = Fp2[v]/(v³ − ξ)

private struct Fp6: Field {
    var c0: Fp2, c1: Fp2, c2: Fp2  // c0 + c1·v + c2·v²

    @inline(__always) init(_ c0: Fp2, _ c1: Fp2, _ c2: Fp2) { self.c0 = c0; self.c1 = c1; self.c2 = c2 }

    static let zero = Fp6(.zero, .zero, .zero)
    static let one = Fp6(.one, .zero, .zero)

    var isZero: Bool { c0.isZero && c1.isZero && c2.isZero }

    @inline(__always) static func + (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    @inline(__always) static func - (a: Fp6, b: Fp6) -> Fp6 { Fp6(a.c0 - b.c0, a.c1 - b.c1, a.c2 - b.c2) }
    var doubled: Fp6 { Fp6(c0.doubled, c1.doubled, c2.doubled) }
    var negated: Fp6 { Fp6(c0.negated, c1.negated, c2.negated) }

    /// self·v.
    var timesV: Fp6 { Fp6(c2.timesXi, c0, c1) }

    static func * (a: Fp6, b: Fp6) -> Fp6 {
        let t0 = a.c0 * b.c0, t1 = a.c1 * b.c1, t2 = a.c2 * b.c2
        let c0 = ((a.c1 + a.c2) * (b.c1 + b.c2) - t1 - t2).timesXi + t0
        let c1 = (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1 + t2.timesXi
        let c2 = (a.c0 + a.c2) * (b.c0 + b.c2) - t0 - t2 + t1
        return Fp6(c0, c1, c2)
    }

    /// self·s for s in Fp2.
    @inline(__always) func times(_ s: Fp2) -> Fp6 { Fp6(c0 * s, c1 * s, c2 * s) }

    /// self·(b0 + b1·v).
    func times(_ b0: Fp2, _ b1: Fp2) -> Fp6 {
        let t0 = c0 * b0, t1 = c1 * b1
        return Fp6((c2 * b1).timesXi + t0, (c0 + c1) * (b0 + b1) - t0 - t1, c2 * b0 + t1)
    }

    var squared: Fp6 {
        // Chung–Hasan SQR2.
        let s0 = c0.squared
        let ab = c0 * c1
        let s1 = ab.doubled
        let s2 = (c0 - c1 + c2).squared
        let bc = c1 * c2
        let s3 = bc.doubled
        let s4 = c2.squared
        return Fp6(s3.timesXi + s0, s4.timesXi + s1, s1 + s2 + s3 - s0 - s4)
    }

    var inverse: Fp6 {
        let t0 = c0.squared - (c1 * c2).timesXi
        let t1 = c2.squared.timesXi - c0 * c1
        let t2 = c1.squared - c0 * c2
        let d = (c0 * t0 + (c2 * t1 + c1 * t2).timesXi).inverse
        return Fp6(t0 * d, t1 * d, t2 * d)
    }
}

// MARK: - Fp12 = Fp6[w]/(w² − v)

private struct Fp12: Field {
    var c0: Fp6, c1: Fp6  // c0 + c1·w

    @inline(__always) init(_ c0: Fp6, _ c1: Fp6) { self.c0 = c0; self.c1 = c1 }

    static let zero = Fp12(.zero, .zero)
    static let one = Fp12(.one, .zero)

    var isZero: Bool { c0.isZero && c1.isZero }
    var isOne: Bool { self == Fp12.one }

    static func + (a: Fp12, b: Fp12) -> Fp12 { Fp12(a.c0 + b.c0, a.c1 + b.c1) }
    static func - (a: Fp12, b: Fp12) -> Fp12 { Fp12(a.c0 - b.c0, a.c1 - b.c1) }
    var doubled: Fp12 { Fp12(c0.doubled, c1.doubled) }
    var negated: Fp12 { Fp12(c0.negated, c1.negated) }
    /// self^(p⁶): w ↦ −w. The inverse for elements of the cyclotomic subgroup.
    var conjugate: Fp12 { Fp12(c0, c1.negated) }

    static func * (a: Fp12, b: Fp12) -> Fp12 {
        let t0 = a.c0 * b.c0, t1 = a.c1 * b.c1
        return Fp12(t0 + t1.timesV, (a.c0 + a.c1) * (b.c0 + b.c1) - t0 - t1)
    }

    var squared: Fp12 {
        let t = c0 * c1
        let c0n = (c0 + c1) * (c0 + c1.timesV) - t - t.timesV
        return Fp12(c0n, t.doubled)
    }

    var inverse: Fp12 {
        let d = (c0.squared - c1.squared.timesV).inverse
        return Fp12(c0 * d, (c1 * d).negated)
    }

    /// self·(a + (b + c·v)·w), the shape of a line evaluated at a G1 point.
    func timesLine(_ a: Fp2, _ b: Fp2, _ c: Fp2) -> Fp12 {
        let t0 = c0.times(a)
        let t1 = c1.times(b, c)
        let s = (c0 + c1).times(a + b, c)
        return Fp12(t0 + t1.timesV, s - t0 - t1)
    }

    /// self^p. Writing self = Σ cₖ·wᵏ (k = 0…5, cₖ in Fp2), self^p = Σ conj(cₖ)·γₖ·wᵏ with
    /// γₖ = ξ^(k(p−1)/6). In the tower, w⁰,w²,w⁴ are c0's coefficients and w¹,w³,w⁵ are c1's.
    var frobenius: Fp12 {
        let g = Consts.frobGamma
        return Fp12(Fp6(c0.c0.conjugate, c0.c1.conjugate * g[2], c0.c2.conjugate * g[4]),
                    Fp6(c1.c0.conjugate * g[1], c1.c1.conjugate * g[3], c1.c2.conjugate * g[5]))
    }

    /// The square of an element of the cyclotomic subgroup (Granger–Scott). View Fp12 as
    /// Fp4[z]/(z³ − s) with z = w, s = w³, Fp4 = Fp2[s]/(s² − ξ): self = A + B·z + C·z² where
    /// A = c(w⁰) + c(w³)s, B = c(w¹) + c(w⁴)s, C = c(w²) + c(w⁵)s. Then
    /// A' = 3A² − 2Ā, B' = 3sC² + 2B̄, C' = 3B² − 2C̄.
    var cyclotomicSquared: Fp12 {
        @inline(__always)
        func sq4(_ x: Fp2, _ y: Fp2) -> (Fp2, Fp2) {
            let x2 = x.squared, y2 = y.squared
            return (y2.timesXi + x2, (x + y).squared - x2 - y2)
        }
        let (a0, a1) = (c0.c0, c1.c1)
        let (b0, b1) = (c1.c0, c0.c2)
        let (cc0, cc1) = (c0.c1, c1.c2)
        let (ta0, ta1) = sq4(a0, a1)
        let (tb0, tb1) = sq4(b0, b1)
        let (tc0, tc1) = sq4(cc0, cc1)
        // A' = (3ta0 − 2a0) + (3ta1 + 2a1)s
        let na0 = (ta0 - a0).doubled + ta0
        let na1 = (ta1 + a1).doubled + ta1
        // B' = (3ξ·tc1 + 2b0) + (3tc0 − 2b1)s
        let x = tc1.timesXi
        let nb0 = (x + b0).doubled + x
        let nb1 = (tc0 - b1).doubled + tc0
        // C' = (3tb0 − 2cc0) + (3tb1 + 2cc1)s
        let nc0 = (tb0 - cc0).doubled + tb0
        let nc1 = (tb1 + cc1).doubled + tb1
        return Fp12(Fp6(na0, nc0, nb1), Fp6(nb0, na1, nc1))
    }

    /// self^u for an element of the cyclotomic subgroup (u in NAF, conjugate as inverse).
    var cyclotomicPowU: Fp12 {
        let inv = conjugate
        var r = self
        for d in Consts.uNAF.dropFirst() {
            r = r.cyclotomicSquared
            if d == 1 { r = r * self } else if d == -1 { r = r * inv }
        }
        return r
    }
}

// MARK: - Curve points

/// An affine point (never the point at infinity).
private struct Affine<F: Field> {
    var x: F, y: F
}

/// A point in Jacobian coordinates (X/Z², Y/Z³) on y² = x³ + b (the arithmetic does not use b).
private struct Jac<F: Field> {
    var x: F, y: F, z: F

    static var infinity: Jac { Jac(x: .one, y: .one, z: .zero) }
    var isInfinity: Bool { z.isZero }

    func affine() -> Affine<F>? {
        if isInfinity { return nil }
        let zi = z.inverse, zi2 = zi.squared
        return Affine(x: x * zi2, y: y * zi2 * zi)
    }

    /// 2·self (dbl-2009-l, a = 0).
    func doubled() -> Jac {
        let a = x.squared, b = y.squared, c = b.squared
        let d = ((x + b).squared - a - c).doubled
        let e = a.doubled + a
        let f = e.squared
        let x3 = f - d.doubled
        let y3 = e * (d - x3) - c.doubled.doubled.doubled
        let z3 = (y * z).doubled
        return Jac(x: x3, y: y3, z: z3)
    }

    func adding(_ q: Jac) -> Jac {
        if isInfinity { return q }
        if q.isInfinity { return self }
        let z1z1 = z.squared, z2z2 = q.z.squared
        let u1 = x * z2z2, u2 = q.x * z1z1
        let s1 = y * q.z * z2z2, s2 = q.y * z * z1z1
        let h = u2 - u1, r = s2 - s1
        if h.isZero { return r.isZero ? doubled() : .infinity }
        let hh = h.squared, hhh = h * hh, v = u1 * hh
        let x3 = r.squared - hhh - v.doubled
        let y3 = r * (v - x3) - s1 * hhh
        return Jac(x: x3, y: y3, z: z * q.z * h)
    }

    /// k·self with a 4-bit fixed window.
    func multiplied(by k: Limbs) -> Jac {
        if isInfinity || k.isZero { return .infinity }
        var table = [Jac](repeating: .infinity, count: 16)
        table[1] = self
        for i in 2..<16 { table[i] = i & 1 == 0 ? table[i >> 1].doubled() : table[i - 1].adding(self) }
        var acc = Jac.infinity
        var started = false
        for li in (0..<4).reversed() {
            let limb = k[li]
            for nib in (0..<16).reversed() {
                if started { acc = acc.doubled().doubled().doubled().doubled() }
                let d = Int((limb >> UInt64(4 * nib)) & 0xF)
                if d != 0 {
                    acc = started ? acc.adding(table[d]) : table[d]
                    started = true
                }
            }
        }
        return acc
    }
}

// MARK: - Constants

private enum Consts {
    /// 6u², the eigenvalue of ψ on G2 (p = r + 6u²).
    static let sixUSquared = Limbs(0xf83e_9682_e87c_fd46, 0x6f4d_8248_eeb8_59fb, 0, 0)
    static let pMinus2Bits = Limbs(P0 - 2, P1, P2, P3).bitsMSBFirst
    /// The twist's constant b' = 3/ξ and 3b'.
    static let twistB = Fp2(Fp(3), .zero) * Fp2.xi.inverse
    static let twistB3 = twistB.doubled + twistB
    /// γₖ = ξ^(k(p−1)/6), k = 0…5.
    static let frobGamma: [Fp2] = {
        // (p − 1)/6 with p ≡ 1 (mod 6).
        let e = (UInt256(w0: P0, w1: P1, w2: P2, w3: P3) - UInt256(1)) / UInt256(6)
        let g1 = Fp2.xi.power(Limbs(e).bitsMSBFirst)
        var g: [Fp2] = [.one]
        for _ in 1...5 { g.append(g.last! * g1) }
        return g
    }()
    /// u = 4965661367192848881, the BN parameter.
    static let u: UInt64 = 0x44e9_92b4_4a69_09f1
    /// NAF digits, most significant first.
    static let uNAF: [Int8] = naf(UInt256(u))
    /// 6u + 2, the optimal ate loop count.
    static let loopNAF: [Int8] = naf(UInt256(u) * UInt256(6) + UInt256(2))

    static func naf(_ k: UInt256) -> [Int8] {
        var k = k
        var digits: [Int8] = []
        while !k.isZero {
            if k.w0 & 1 == 1 {
                let d: Int8 = (k.w0 & 3) == 1 ? 1 : -1
                k = d == 1 ? k - UInt256(1) : k + UInt256(1)
                digits.append(d)
            } else {
                digits.append(0)
            }
            k = k >> 1
        }
        return digits.reversed()
    }
}

// MARK: - Pairing

/// A G2 point in homogeneous projective coordinates (X/Z, Y/Z) on the twist, for the Miller loop.
private struct G2Proj {
    var x: Fp2, y: Fp2, z: Fp2
}

/// The line coefficients (a, b, c) of a + (b + c·v)·w.
private typealias Line = (Fp2, Fp2, Fp2)

/// T ← 2T; returns the tangent at T evaluated at P = (px, py), scaled by an Fp2 factor:
/// −2YZ·py + 3X²·px·w + (3b'Z² − Y²)·w³.
@inline(__always)
private func doublingStep(_ t: inout G2Proj, _ px: Fp, _ py: Fp) -> Line {
    let (x, y, z) = (t.x, t.y, t.z)
    let a = (x * y).halved
    let b = y.squared
    let c = z.squared
    let e = c * Consts.twistB3
    let f = e.doubled + e
    let g = (b + f).halved
    let h = (y + z).squared - (b + c)  // 2YZ
    let xx = x.squared
    t.x = a * (b - f)
    t.y = g.squared - (e.squared.doubled + e.squared)
    t.z = b * h
    return (h.times(py).negated, (xx.doubled + xx).times(px), e - b)
}

/// T ← T + Q (Q affine); returns the line through T and Q evaluated at P, scaled:
/// δ·py − θ·px·w + (θ·xQ − δ·yQ)·w³ with θ = Y − yQ·Z, δ = X − xQ·Z.
@inline(__always)
private func additionStep(_ t: inout G2Proj, _ q: Affine<Fp2>, _ px: Fp, _ py: Fp) -> Line {
    let theta = t.y - q.y * t.z
    let delta = t.x - q.x * t.z
    let c = theta.squared
    let d = delta.squared
    let e = delta * d
    let f = t.z * c
    let g = t.x * d
    let h = e + f - g.doubled
    let line = (delta.times(py), theta.times(px).negated, theta * q.x - delta * q.y)
    t.y = theta * (g - h) - t.y * e
    t.x = delta * h
    t.z = t.z * e
    return line
}

/// The twisted Frobenius ψ⁻¹∘π_p∘ψ on E'(Fp2): (x, y) ↦ (x̄·ξ^((p−1)/3), ȳ·ξ^((p−1)/2)).
private func twistFrobenius(_ q: Affine<Fp2>) -> Affine<Fp2> {
    let g = Consts.frobGamma
    return Affine(x: q.x.conjugate * g[2], y: q.y.conjugate * g[3])
}

/// The product of the Miller functions f_{6u+2,Q}(P)·l_{[6u+2]Q,π(Q)}(P)·l_{…,−π²(Q)}(P)
/// over all pairs, sharing the squarings.
private func millerLoop(_ pairs: [(p: Affine<Fp>, q: Affine<Fp2>)]) -> Fp12 {
    var ts = pairs.map { G2Proj(x: $0.q.x, y: $0.q.y, z: .one) }
    let negQ = pairs.map { Affine(x: $0.q.x, y: $0.q.y.negated) }
    var f = Fp12.one
    let digits = Consts.loopNAF
    for i in 1..<digits.count {
        if i > 1 { f = f.squared }
        for j in 0..<pairs.count {
            let l = doublingStep(&ts[j], pairs[j].p.x, pairs[j].p.y)
            f = f.timesLine(l.0, l.1, l.2)
        }
        let d = digits[i]
        if d != 0 {
            for j in 0..<pairs.count {
                let l = additionStep(&ts[j], d == 1 ? pairs[j].q : negQ[j], pairs[j].p.x, pairs[j].p.y)
                f = f.timesLine(l.0, l.1, l.2)
            }
        }
    }
    for j in 0..<pairs.count {
        let q1 = twistFrobenius(pairs[j].q)
        var q2 = twistFrobenius(q1)
        q2.y = q2.y.negated
        let l1 = additionStep(&ts[j], q1, pairs[j].p.x, pairs[j].p.y)
        f = f.timesLine(l1.0, l1.1, l1.2)
        let l2 = additionStep(&ts[j], q2, pairs[j].p.x, pairs[j].p.y)
        f = f.timesLine(l2.0, l2.1, l2.2)
    }
    return f
}

/// f^((p¹² − 1)/r).
private func finalExponentiation(_ f: Fp12) -> Fp12 {
    // Easy part: f^((p⁶ − 1)(p² + 1)). Afterwards the value is in the cyclotomic subgroup,
    // where the inverse is the conjugate.
    var t = f.conjugate * f.inverse
    t = t.frobenius.frobenius * t

    // Hard part: (p⁴ − p² + 1)/r = λ0 + λ1·p + λ2·p² + λ3·p³ with
    //   λ3 = 1, λ2 = 6u² + 1, λ1 = −36u³ − 18u² − 12u + 1, λ0 = −36u³ − 30u² − 18u − 2.
    // With a = t^u, b = t^(u²), c = t^(u³) the result is
    //   y0·y1²·y2⁶·y3¹²·y4¹⁸·y5³⁰·y6³⁶
    // where y0 = t^p·t^(p²)·t^(p³), y1 = t⁻¹, y2 = b^(p²), y3 = (a^p)⁻¹, y4 = (a·b^p)⁻¹,
    // y5 = b⁻¹, y6 = (c·c^p)⁻¹, evaluated with a short vectorial addition chain.
    let a = t.cyclotomicPowU
    let b = a.cyclotomicPowU
    let c = b.cyclotomicPowU
    let tp = t.frobenius
    let tp2 = tp.frobenius
    let y0 = tp * tp2 * tp2.frobenius
    let y1 = t.conjugate
    let y2 = b.frobenius.frobenius
    let y3 = a.frobenius.conjugate
    let y4 = (a * b.frobenius).conjugate
    let y5 = b.conjugate
    let y6 = (c * c.frobenius).conjugate

    var t0 = y6.cyclotomicSquared * y4 * y5          // y6² y4 y5
    var t1 = y3 * y5 * t0                           // y6² y5² y4 y3
    t0 = t0 * y2                                    // y6² y5 y4 y2
    t1 = (t1.cyclotomicSquared * t0).cyclotomicSquared  // y6¹² y5¹⁰ y4⁶ y3⁴ y2²
    t0 = t1 * y1
    t1 = t1 * y0
    t0 = t0.cyclotomicSquared
    return t0 * t1                                  // y6³⁶ y5³⁰ y4¹⁸ y3¹² y2⁶ y1² y0
}
