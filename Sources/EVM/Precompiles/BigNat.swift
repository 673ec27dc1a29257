import Primitives

/// A natural number of any size over little-endian 64-bit limbs: what the modexp precompile
/// (0x05) needs and nothing more.
///
/// The general operations (`+`, `-`, `*`) are plain array code, division is `LimbDivision`'s; only the
/// exponentiation kernels — Montgomery multiplication for an odd modulus, truncated
/// multiplication modulo 2^k for the even part — work on raw buffers, allocated once per
/// `modPow`. An even modulus q · 2^k is solved as two exponentiations joined by the Chinese
/// remainder theorem, so no division runs inside the exponent loop.
struct BigNat: Comparable, CustomStringConvertible {
    /// Little-endian limbs with no zero limb on top; zero is the empty array.
    private(set) var limbs: [UInt64]

    init() { limbs = [] }

    init(_ value: UInt64) { limbs = value == 0 ? [] : [value] }

    init(limbs: [UInt64]) {
        self.limbs = limbs
        normalize()
    }

    /// The number a big-endian byte string spells; leading zero bytes are allowed.
    init(bigEndian bytes: [UInt8]) {
        var out = [UInt64](repeating: 0, count: (bytes.count + 7) / 8)
        var end = bytes.count
        var i = 0
        while end > 0 {
            let start = Swift.max(0, end - 8)
            var limb: UInt64 = 0
            for k in start..<end { limb = limb << 8 | UInt64(bytes[k]) }
            out[i] = limb
            i += 1
            end = start
        }
        self.init(limbs: out)
    }

    /// Exactly `count` big-endian bytes, left-padded with zeros; the number must fit.
    func bigEndianBytes(count: Int) -> [UInt8] {
        precondition((bitWidth + 7) / 8 <= count, "BigNat does not fit in \(count) bytes")
        var out = [UInt8](repeating: 0, count: count)
        var pos = count - 1
        for limb in limbs {
            var v = limb
            for _ in 0..<8 where pos >= 0 {
                out[pos] = UInt8(truncatingIfNeeded: v)
                v >>= 8
                pos -= 1
            }
        }
        return out
    }

    private mutating func normalize() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }

    var isZero: Bool { limbs.isEmpty }
    var isOdd: Bool { !limbs.isEmpty && limbs[0] & 1 == 1 }

    /// The number of significant bits; 0 for zero.
    var bitWidth: Int {
        guard let top = limbs.last else { return 0 }
        return limbs.count * 64 - top.leadingZeroBitCount
    }

    /// The number of zero bits below the lowest one; 0 for zero.
    var trailingZeroBitCount: Int {
        for (i, l) in limbs.enumerated() where l != 0 { return i * 64 + l.trailingZeroBitCount }
        return 0
    }

    func bit(_ i: Int) -> Bool {
        let w = i >> 6
        return w < limbs.count && (limbs[w] >> UInt64(i & 63)) & 1 == 1
    }

    var description: String {
        if limbs.isEmpty { return "0x0" }
        var s = "0x" + String(limbs.last!, radix: 16)
        for l in limbs.dropLast().reversed() {
            let h = String(l, radix: 16)
            s += String(repeating: "0", count: 16 - h.count) + h
        }
        return s
    }

    // MARK: Comparison

    static func compare(_ a: BigNat, _ b: BigNat) -> Int {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count ? -1 : 1 }
        var i = a.limbs.count - 1
        while i >= 0 {
            if a.limbs[i] != b.limbs[i] { return a.limbs[i] < b.limbs[i] ? -1 : 1 }
            i -= 1
        }
        return 0
    }

    static func == (a: BigNat, b: BigNat) -> Bool { a.limbs == b.limbs }
    static func < (a: BigNat, b: BigNat) -> Bool { compare(a, b) < 0 }

    // MARK: Arithmetic

    static func + (a: BigNat, b: BigNat) -> BigNat {
        let (long, short) = a.limbs.count >= b.limbs.count ? (a.limbs, b.limbs) : (b.limbs, a.limbs)
        var out = long
        out.append(0)
        var carry: UInt64 = 0
        for i in 0..<long.count {
            let (s1, o1) = out[i].addingReportingOverflow(i < short.count ? short[i] : 0)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            out[i] = s2
            carry = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        }
        out[long.count] = carry
        return BigNat(limbs: out)
    }

    /// a − b; traps when b > a.
    static func - (a: BigNat, b: BigNat) -> BigNat {
        precondition(a >= b, "BigNat subtraction below zero")
        var out = a.limbs
        var borrow: UInt64 = 0
        for i in 0..<out.count {
            let (d1, o1) = out[i].subtractingReportingOverflow(i < b.limbs.count ? b.limbs[i] : 0)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            out[i] = d2
            borrow = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        }
        return BigNat(limbs: out)
    }

    /// Schoolbook product.
    static func * (a: BigNat, b: BigNat) -> BigNat {
        if a.isZero || b.isZero { return BigNat() }
        var out = [UInt64](repeating: 0, count: a.limbs.count + b.limbs.count)
        for i in 0..<b.limbs.count {
            let bi = b.limbs[i]
            var carry: UInt64 = 0
            for j in 0..<a.limbs.count {
                (carry, out[i + j]) = mulAdd(a.limbs[j], bi, out[i + j], carry)
            }
            out[i + a.limbs.count] = carry
        }
        return BigNat(limbs: out)
    }

    static func << (a: BigNat, shift: Int) -> BigNat {
        precondition(shift >= 0)
        if a.isZero { return a }
        let words = shift >> 6, bits = UInt64(shift & 63)
        var out = [UInt64](repeating: 0, count: a.limbs.count + words + 1)
        for (i, l) in a.limbs.enumerated() {
            out[i + words] |= l << bits
            if bits != 0 { out[i + words + 1] = l >> (64 - bits) }
        }
        return BigNat(limbs: out)
    }

    static func >> (a: BigNat, shift: Int) -> BigNat {
        precondition(shift >= 0)
        let words = shift >> 6, bits = UInt64(shift & 63)
        if words >= a.limbs.count { return BigNat() }
        var out = [UInt64](repeating: 0, count: a.limbs.count - words)
        for i in 0..<out.count {
            out[i] = a.limbs[i + words] >> bits
            if bits != 0, i + words + 1 < a.limbs.count { out[i] |= a.limbs[i + words + 1] << (64 - bits) }
        }
        return BigNat(limbs: out)
    }

    /// Knuth's algorithm D (TAOCP vol. 2, 4.3.1): quotient and remainder; traps on a zero divisor.
    func quotientAndRemainder(dividingBy divisor: BigNat) -> (quotient: BigNat, remainder: BigNat) {
        precondition(!divisor.isZero, "BigNat division by zero")
        if self < divisor { return (BigNat(), self) }
        let v = divisor.limbs, u = limbs
        var q = [UInt64](repeating: 0, count: u.count - v.count + 1)
        var r = [UInt64](repeating: 0, count: v.count)
        u.withUnsafeBufferPointer { u in
            v.withUnsafeBufferPointer { v in
                q.withUnsafeMutableBufferPointer { q in
                    r.withUnsafeMutableBufferPointer { r in
                        LimbDivision.divide(u.baseAddress!, u.count, by: v.baseAddress!, v.count,
                                            quotient: q.baseAddress!, remainder: r.baseAddress!)
                    }
                }
            }
        }
        return (BigNat(limbs: q), BigNat(limbs: r))
    }

    static func % (a: BigNat, b: BigNat) -> BigNat { a.quotientAndRemainder(dividingBy: b).remainder }
    static func / (a: BigNat, b: BigNat) -> BigNat { a.quotientAndRemainder(dividingBy: b).quotient }

    // MARK: Modular exponentiation

    /// base^exp mod modulus, with x mod 0 taken as 0 (the precompile's rule) and 0^0 = 1.
    static func modPow(_ base: BigNat, _ exp: BigNat, _ modulus: BigNat) -> BigNat {
        if modulus.isZero || modulus == BigNat(1) { return BigNat() }
        if exp.isZero { return BigNat(1) }
        if modulus.isOdd { return montgomeryPow(base, exp, modulus) }
        // modulus = q · 2^k with q odd: solve mod q and mod 2^k, then join the two (CRT).
        let k = modulus.trailingZeroBitCount
        let q = modulus >> k
        let x2 = pow2k(base, exp, k)
        if q == BigNat(1) { return BigNat(limbs: x2) }
        let x1 = montgomeryPow(base, exp, q)
        // result = x1 + q · ((x2 − x1) · q⁻¹ mod 2^k): ≡ x1 (mod q), ≡ x2 (mod 2^k), < q · 2^k.
        let w = (k + 63) / 64
        let mask = lowMask(k)
        let qInv = inverse2k(q, words: w)
        var diff = [UInt64](repeating: 0, count: w)
        var borrow: UInt64 = 0
        for i in 0..<w {
            let (d1, o1) = x2[i].subtractingReportingOverflow(i < x1.limbs.count ? x1.limbs[i] : 0)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            diff[i] = d2
            borrow = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        }
        var h = [UInt64](repeating: 0, count: w)
        diff.withUnsafeBufferPointer { d in
            qInv.withUnsafeBufferPointer { qi in
                h.withUnsafeMutableBufferPointer { hp in
                    mulLow(hp.baseAddress!, d.baseAddress!, qi.baseAddress!, w)
                }
            }
        }
        h[w - 1] &= mask
        return x1 + q * BigNat(limbs: h)
    }

    /// All ones in the top limb of a k-bit number's limbs (k ≥ 1).
    private static func lowMask(_ k: Int) -> UInt64 {
        k % 64 == 0 ? UInt64.max : (1 << UInt64(k % 64)) - 1
    }

    /// OpenSSL's window sizes by exponent length: fewer multiplications against a bigger table.
    private static func windowBits(_ bits: Int) -> Int {
        bits > 671 ? 6 : bits > 239 ? 5 : bits > 79 ? 4 : bits > 23 ? 3 : 1
    }

    /// Left-to-right sliding-window exponentiation over buffers of `n` limbs. `g` is the base in
    /// the working representation; `mul(r, a, b)` and `sqr(r, a)` may alias r with a or b. The
    /// exponent is non-zero. The result lands in `acc`.
    private static func slidingWindow(
        exp: BigNat, n: Int, g: UnsafePointer<UInt64>, acc: UnsafeMutablePointer<UInt64>,
        mul: (UnsafeMutablePointer<UInt64>, UnsafePointer<UInt64>, UnsafePointer<UInt64>) -> Void,
        sqr: (UnsafeMutablePointer<UInt64>, UnsafePointer<UInt64>) -> Void
    ) {
        let bits = exp.bitWidth
        let k = windowBits(bits)
        let entries = 1 << (k - 1)
        // table[i] = g^(2i+1)
        let table = UnsafeMutablePointer<UInt64>.allocate(capacity: entries * n)
        defer { table.deallocate() }
        table.update(from: g, count: n)
        if entries > 1 {
            let g2 = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
            defer { g2.deallocate() }
            sqr(g2, g)
            for i in 1..<entries { mul(table + i * n, table + (i - 1) * n, g2) }
        }
        var started = false
        var i = bits - 1
        while i >= 0 {
            if !exp.bit(i) {
                sqr(acc, acc)
                i -= 1
                continue
            }
            var low = Swift.max(i - k + 1, 0)
            while !exp.bit(low) { low += 1 }
            var window = 0
            for b in stride(from: i, through: low, by: -1) { window = window << 1 | (exp.bit(b) ? 1 : 0) }
            if started {
                for _ in low...i { sqr(acc, acc) }
                mul(acc, acc, table + (window >> 1) * n)
            } else {
                acc.update(from: table + (window >> 1) * n, count: n)
                started = true
            }
            i = low - 1
        }
    }

    /// base^exp mod m for an odd m > 1 and exp > 0, in Montgomery form with R = 2^(64n).
    static func montgomeryPow(_ base: BigNat, _ exp: BigNat, _ m: BigNat) -> BigNat {
        let n = m.limbs.count
        // −m⁻¹ mod 2^64 by Newton: m·m ≡ 1 (mod 8) gives 3 bits, each step doubles them.
        let m0 = m.limbs[0]
        var inv = m0
        for _ in 0..<5 { inv = inv &* (2 &- m0 &* inv) }
        let mInv = 0 &- inv
        let b = base < m ? base : base % m
        let r2 = (BigNat(1) << (128 * n)) % m
        func padded(_ x: BigNat) -> [UInt64] { x.limbs + [UInt64](repeating: 0, count: n - x.limbs.count) }
        let bBuf = padded(b), r2Buf = padded(r2), mBuf = m.limbs
        var one = [UInt64](repeating: 0, count: n)
        one[0] = 1
        var out = [UInt64](repeating: 0, count: n)
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * n + 2)
        let g = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let acc = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        defer { scratch.deallocate(); g.deallocate(); acc.deallocate() }
        mBuf.withUnsafeBufferPointer { mp in
            let mPtr = mp.baseAddress!
            let mul = { (r: UnsafeMutablePointer<UInt64>, x: UnsafePointer<UInt64>, y: UnsafePointer<UInt64>) in
                montMul(r, x, y, mPtr, n, mInv, scratch)
            }
            let sqr = { (r: UnsafeMutablePointer<UInt64>, x: UnsafePointer<UInt64>) in
                montSqr(r, x, mPtr, n, mInv, scratch)
            }
            bBuf.withUnsafeBufferPointer { bp in
                r2Buf.withUnsafeBufferPointer { rp in mul(g, bp.baseAddress!, rp.baseAddress!) }
            }
            slidingWindow(exp: exp, n: n, g: g, acc: acc, mul: mul, sqr: sqr)
            one.withUnsafeBufferPointer { op in
                out.withUnsafeMutableBufferPointer { o in mul(o.baseAddress!, acc, op.baseAddress!) }
            }
        }
        return BigNat(limbs: out)
    }

    /// base^exp mod 2^k (k ≥ 1, exp > 0) as ⌈k/64⌉ limbs: products truncated to the low limbs.
    static func pow2k(_ base: BigNat, _ exp: BigNat, _ k: Int) -> [UInt64] {
        let w = (k + 63) / 64
        let mask = lowMask(k)
        var g = [UInt64](repeating: 0, count: w)
        for i in 0..<Swift.min(w, base.limbs.count) { g[i] = base.limbs[i] }
        g[w - 1] &= mask
        // An even base vanishes once exp ≥ k: every product carries a factor 2^exp.
        if g[0] & 1 == 0, exp >= BigNat(UInt64(k)) {
            return [UInt64](repeating: 0, count: w)
        }
        var out = [UInt64](repeating: 0, count: w)
        let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: w)
        defer { scratch.deallocate() }
        let mul = { (r: UnsafeMutablePointer<UInt64>, x: UnsafePointer<UInt64>, y: UnsafePointer<UInt64>) in
            mulLow(scratch, x, y, w)
            scratch[w - 1] &= mask
            r.update(from: scratch, count: w)
        }
        g.withUnsafeBufferPointer { gp in
            out.withUnsafeMutableBufferPointer { o in
                slidingWindow(exp: exp, n: w, g: gp.baseAddress!, acc: o.baseAddress!,
                              mul: mul, sqr: { r, x in mul(r, x, x) })
            }
        }
        return out
    }

    /// q⁻¹ mod 2^(64w) for an odd q, by Newton's iteration y ← y·(2 − q·y), doubling the
    /// correct low bits each round.
    static func inverse2k(_ q: BigNat, words w: Int) -> [UInt64] {
        var qLow = [UInt64](repeating: 0, count: w)
        for i in 0..<Swift.min(w, q.limbs.count) { qLow[i] = q.limbs[i] }
        var y = [UInt64](repeating: 0, count: w)
        var inv = qLow[0]
        for _ in 0..<5 { inv = inv &* (2 &- qLow[0] &* inv) }
        y[0] = inv
        var t = [UInt64](repeating: 0, count: w), y2 = [UInt64](repeating: 0, count: w)
        var precision = 64
        while precision < 64 * w {
            qLow.withUnsafeBufferPointer { qp in
                y.withUnsafeBufferPointer { yp in
                    t.withUnsafeMutableBufferPointer { tp in mulLow(tp.baseAddress!, qp.baseAddress!, yp.baseAddress!, w) }
                }
            }
            // t ← 2 − t (mod 2^(64w))
            var borrow: UInt64 = 0
            for i in 0..<w {
                let (d1, o1) = (i == 0 ? UInt64(2) : 0).subtractingReportingOverflow(t[i])
                let (d2, o2) = d1.subtractingReportingOverflow(borrow)
                t[i] = d2
                borrow = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            t.withUnsafeBufferPointer { tp in
                y.withUnsafeBufferPointer { yp in
                    y2.withUnsafeMutableBufferPointer { op in mulLow(op.baseAddress!, yp.baseAddress!, tp.baseAddress!, w) }
                }
            }
            swap(&y, &y2)
            precision *= 2
        }
        return y
    }
}

// MARK: Kernels

/// a·b + c + d as a 128-bit (hi, lo): never overflows.
@inline(__always)
private func mulAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
    let (h, l) = a.multipliedFullWidth(by: b)
    let (l1, o1) = l.addingReportingOverflow(c)
    let (l2, o2) = l1.addingReportingOverflow(d)
    return (h &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0), l2)
}

/// r = a·b mod 2^(64w); r must not alias a or b.
private func mulLow(_ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, _ w: Int) {
    r.update(repeating: 0, count: w)
    var i = 0
    while i < w {
        let bi = b[i]
        var carry: UInt64 = 0
        var pr = r + i, pa = a
        let end = r + w
        while pr < end {
            (carry, pr.pointee) = mulAdd(pa.pointee, bi, pr.pointee, carry)
            pr += 1; pa += 1
        }
        i &+= 1
    }
}

/// c2:c1:c0 += a·b.
@inline(__always)
private func mulAcc(_ a: UInt64, _ b: UInt64, _ c0: inout UInt64, _ c1: inout UInt64, _ c2: inout UInt64) {
    let (h, l) = a.multipliedFullWidth(by: b)
    let (s0, o0) = c0.addingReportingOverflow(l)
    c0 = s0
    let (s1, o1) = c1.addingReportingOverflow(h &+ (o0 ? 1 : 0))   // h ≤ 2^64 − 2: no wrap
    c1 = s1
    c2 &+= o1 ? 1 : 0
}

/// Writes t[0...n] (t[n] ∈ {0, 1}, value < 2m) reduced below m into r.
@inline(__always)
private func finalSubtract(_ r: UnsafeMutablePointer<UInt64>, _ t: UnsafeMutablePointer<UInt64>,
                           _ m: UnsafePointer<UInt64>, _ n: Int) {
    var geq = t[n] != 0
    if !geq {
        geq = true
        var i = n &- 1
        while i >= 0 {
            if t[i] != m[i] { geq = t[i] > m[i]; break }
            i &-= 1
        }
    }
    if geq {
        var borrow: UInt64 = 0
        var i = 0
        while i < n {
            let (d1, o1) = t[i].subtractingReportingOverflow(m[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            r[i] = d2
            borrow = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            i &+= 1
        }
    } else {
        r.update(from: t, count: n)
    }
}

/// Montgomery product r = a·b·2^(−64n) mod m for a, b < m (m odd, n limbs), column by column
/// (product scanning, "FIPS"): column k sums a[j]·b[k−j] and q[j]·m[k−j] in a three-limb
/// accumulator; below column n the next quotient limb q[k] is chosen to clear it. The two
/// product chains keep separate top limbs (c2, c3) so each compiles to mul/add/adc/adc.
/// `s` is scratch of 2n + 1 limbs; r may alias a or b.
private func montMul(_ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>,
                     _ m: UnsafePointer<UInt64>, _ n: Int, _ mInv: UInt64, _ s: UnsafeMutablePointer<UInt64>) {
    let t = s, q = s + (n &+ 1)
    var c0: UInt64 = 0, c1: UInt64 = 0, c2: UInt64 = 0, c3: UInt64 = 0
    var k = 0
    while k < n {
        var pa = a, pq = UnsafePointer(q), pb = b + k, pm = m + k
        var j = 0
        while j < k {
            mulAcc(pa.pointee, pb.pointee, &c0, &c1, &c2)
            mulAcc(pq.pointee, pm.pointee, &c0, &c1, &c3)
            pa += 1; pq += 1; pb -= 1; pm -= 1
            j &+= 1
        }
        mulAcc(pa.pointee, b[0], &c0, &c1, &c2)
        let qk = c0 &* mInv
        q[k] = qk
        mulAcc(qk, m[0], &c0, &c1, &c2)   // clears c0
        c0 = c1; c1 = c2 &+ c3; c2 = 0; c3 = 0
        k &+= 1
    }
    while k < 2 &* n &- 1 {
        var j = k &- n &+ 1
        var pa = a + j, pq = UnsafePointer(q) + j, pb = b + (n &- 1), pm = m + (n &- 1)
        while j < n {
            mulAcc(pa.pointee, pb.pointee, &c0, &c1, &c2)
            mulAcc(pq.pointee, pm.pointee, &c0, &c1, &c3)
            pa += 1; pq += 1; pb -= 1; pm -= 1
            j &+= 1
        }
        t[k &- n] = c0
        c0 = c1; c1 = c2 &+ c3; c2 = 0; c3 = 0
        k &+= 1
    }
    t[n &- 1] = c0
    t[n] = c1
    finalSubtract(r, t, m, n)
}

/// Montgomery square r = a²·2^(−64n) mod m, row by row (operand scanning, "SOS"): the cross
/// products a[i]·a[j] (i < j) once, doubled, plus the squares; then n reduction rows each
/// clearing one low limb. About 1.5n² limb products against the product's 2n². `t` is scratch
/// of 2n + 1 limbs; r may alias a.
private func montSqr(_ r: UnsafeMutablePointer<UInt64>, _ a: UnsafePointer<UInt64>,
                     _ m: UnsafePointer<UInt64>, _ n: Int, _ mInv: UInt64, _ t: UnsafeMutablePointer<UInt64>) {
    t[0] = 0
    t[2 &* n &- 1] = 0
    if n > 1 {
        // Row 0 stores; row i adds a[i]·a[i+1...] at t[2i+1...] and stores its carry at t[i+n].
        let a0 = a[0]
        var c: UInt64 = 0
        var j = 1
        while j < n {
            (c, t[j]) = mulAdd(a[j], a0, c, 0)
            j &+= 1
        }
        t[n] = c
        var i = 1
        while i < n &- 1 {
            let ai = a[i]
            c = 0
            var pt = t + (2 &* i &+ 1), pa = a + (i &+ 1)
            let end = a + n
            while pa < end {
                (c, pt.pointee) = mulAdd(pa.pointee, ai, pt.pointee, c)
                pa += 1; pt += 1
            }
            pt.pointee = c
            i &+= 1
        }
    } else {
        t[1] = 0
    }
    // Double the cross products and add the squares on the diagonal.
    var top: UInt64 = 0, carry: UInt64 = 0
    var i = 0
    while i < n {
        let lo = t[2 &* i], hi = t[2 &* i &+ 1]
        let dlo = lo << 1 | top
        let dhi = hi << 1 | lo >> 63
        top = hi >> 63
        let (sh, sl) = a[i].multipliedFullWidth(by: a[i])
        let (r0, o0) = dlo.addingReportingOverflow(sl)
        let (r0c, o0c) = r0.addingReportingOverflow(carry)
        let (r1, o1) = dhi.addingReportingOverflow(sh)
        let (r1c, o1c) = r1.addingReportingOverflow((o0 ? 1 : 0) &+ (o0c ? 1 : 0))
        t[2 &* i] = r0c
        t[2 &* i &+ 1] = r1c
        carry = (o1 ? 1 : 0) &+ (o1c ? 1 : 0)
        i &+= 1
    }
    // Reduce: row i adds q·m·2^(64i) with q chosen to clear t[i]; `over` carries into t[i+n].
    var over: UInt64 = 0
    i = 0
    while i < n {
        let q = t[i] &* mInv
        var c: UInt64 = 0
        var pt = t + i, pm = m
        let end = m + n
        while pm < end {
            (c, pt.pointee) = mulAdd(q, pm.pointee, pt.pointee, c)
            pm += 1; pt += 1
        }
        let (s1, o1) = pt.pointee.addingReportingOverflow(c)
        let (s2, o2) = s1.addingReportingOverflow(over)
        pt.pointee = s2
        over = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        i &+= 1
    }
    t[2 &* n] = over
    finalSubtract(r, t + n, m, n)
}
