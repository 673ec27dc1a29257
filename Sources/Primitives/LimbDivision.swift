/// Long division on little-endian 64-bit limbs: Knuth's algorithm D (TAOCP vol. 2, 4.3.1), one
/// 128-by-64-bit hardware division per quotient limb. `UInt256` (DIV, MOD, MULMOD's 512-bit
/// remainder) and the EVM's arbitrary-precision `BigNat` (MODEXP) both divide here.
public enum LimbDivision {
    /// Divides `u` (`uCount` limbs) by `v` (`n` limbs, `v[n - 1] != 0`, `uCount >= n`). Writes the
    /// `uCount - n + 1` quotient limbs to `quotient` (when given) and the `n` remainder limbs to
    /// `remainder`. Scratch space lives on the stack.
    public static func divide(_ u: UnsafePointer<UInt64>, _ uCount: Int, by v: UnsafePointer<UInt64>, _ n: Int,
                              quotient q: UnsafeMutablePointer<UInt64>?, remainder r: UnsafeMutablePointer<UInt64>) {
        precondition(n >= 1 && uCount >= n && v[n - 1] != 0, "LimbDivision: bad operand sizes")
        if n == 1 {
            // Short division: one 128/64 step per limb.
            let d = v[0]
            var rem: UInt64 = 0
            var i = uCount - 1
            while i >= 0 {
                let (qi, ri) = d.dividingFullWidth((rem, u[i]))
                q?[i] = qi
                rem = ri
                i -= 1
            }
            r[0] = rem
            return
        }
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: uCount + 1 + n) { scratch in
            let un = scratch.baseAddress!, vn = un + uCount + 1
            // D1: normalise so the divisor's top limb has its top bit set.
            let s = UInt64(v[n - 1].leadingZeroBitCount)
            var i = n - 1
            while i > 0 { vn[i] = v[i] << s | (s == 0 ? 0 : v[i - 1] >> (64 - s)); i -= 1 }
            vn[0] = v[0] << s
            un[uCount] = s == 0 ? 0 : u[uCount - 1] >> (64 - s)
            i = uCount - 1
            while i > 0 { un[i] = u[i] << s | (s == 0 ? 0 : u[i - 1] >> (64 - s)); i -= 1 }
            un[0] = u[0] << s
            let vTop = vn[n - 1], vNext = vn[n - 2]
            var j = uCount - n
            while j >= 0 {
                // D3: estimate the quotient limb from the top two limbs (un[j+n] ≤ vTop holds).
                var qhat: UInt64, rhat: UInt64
                var rhatOverflow = false
                if un[j + n] >= vTop {
                    qhat = UInt64.max
                    (rhat, rhatOverflow) = un[j + n - 1].addingReportingOverflow(vTop)
                } else {
                    (qhat, rhat) = vTop.dividingFullWidth((un[j + n], un[j + n - 1]))
                }
                // Refine with the next limb: at most two corrections.
                while !rhatOverflow {
                    let p = qhat.multipliedFullWidth(by: vNext)
                    if p.high < rhat || (p.high == rhat && p.low <= un[j + n - 2]) { break }
                    qhat &-= 1
                    (rhat, rhatOverflow) = rhat.addingReportingOverflow(vTop)
                }
                // D4: un[j...j+n] −= qhat · vn.
                var carry: UInt64 = 0, borrow: UInt64 = 0
                for k in 0..<n {
                    let (ph, pl) = qhat.multipliedFullWidth(by: vn[k])
                    let (plc, oc) = pl.addingReportingOverflow(carry)
                    carry = ph &+ (oc ? 1 : 0)
                    let (d1, b1) = un[k + j].subtractingReportingOverflow(plc)
                    let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                    un[k + j] = d2
                    borrow = (b1 ? 1 : 0) &+ (b2 ? 1 : 0)
                }
                let (t1, b1) = un[j + n].subtractingReportingOverflow(carry)
                let (t2, b2) = t1.subtractingReportingOverflow(borrow)
                un[j + n] = t2
                if b1 || b2 {
                    // D6: the estimate was one too big (rare); add the divisor back.
                    qhat &-= 1
                    var c: UInt64 = 0
                    for k in 0..<n {
                        let (s1, o1) = un[k + j].addingReportingOverflow(vn[k])
                        let (s2, o2) = s1.addingReportingOverflow(c)
                        un[k + j] = s2
                        c = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                    }
                    un[j + n] &+= c
                }
                q?[j] = qhat
                j -= 1
            }
            // D8: unnormalise the remainder.
            for k in 0..<n { r[k] = un[k] >> s | (s == 0 ? 0 : un[k + 1] << (64 - s)) }
        }
    }
}

extension UInt256 {
    /// Number of limbs up to the highest non-zero one (0 for zero).
    @inline(__always) var limbCount: Int { w3 != 0 ? 4 : w2 != 0 ? 3 : w1 != 0 ? 2 : w0 != 0 ? 1 : 0 }

    /// Quotient and remainder of a dividend at least as large as `d`, with `d` above one limb
    /// or `self` above one limb (the general case of `quotientAndRemainder`).
    func knuthDivide(_ d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 16) { buf in
            let p = buf.baseAddress!
            p[0] = w0; p[1] = w1; p[2] = w2; p[3] = w3
            p[4] = d.w0; p[5] = d.w1; p[6] = d.w2; p[7] = d.w3
            for k in 8..<16 { p[k] = 0 }
            let m = limbCount, n = d.limbCount
            LimbDivision.divide(p, m, by: p + 4, n, quotient: p + 8, remainder: p + 12)
            return (UInt256(w0: p[8], w1: p[9], w2: p[10], w3: p[11]), UInt256(w0: p[12], w1: p[13], w2: p[14], w3: p[15]))
        }
    }

    /// (high · 2^256 + low) mod `n` for a non-zero `n`: MULMOD's and ADDMOD's 512-bit remainder.
    public static func remainder(high: UInt256, low: UInt256, dividingBy n: UInt256) -> UInt256 {
        precondition(!n.isZero, "UInt256 division by zero")
        if high.isZero { return low.quotientAndRemainder(dividingBy: n).remainder }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 16) { buf in
            let p = buf.baseAddress!
            p[0] = low.w0; p[1] = low.w1; p[2] = low.w2; p[3] = low.w3
            p[4] = high.w0; p[5] = high.w1; p[6] = high.w2; p[7] = high.w3
            p[8] = n.w0; p[9] = n.w1; p[10] = n.w2; p[11] = n.w3
            p[12] = 0; p[13] = 0; p[14] = 0; p[15] = 0
            LimbDivision.divide(p, 4 + high.limbCount, by: p + 8, n.limbCount, quotient: nil, remainder: p + 12)
            return UInt256(w0: p[12], w1: p[13], w2: p[14], w3: p[15])
        }
    }
}
