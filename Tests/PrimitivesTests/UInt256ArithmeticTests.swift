import XCTest
import Primitives
import TestSupport

/// Knuth's long division (`LimbDivision`) against two oracles that share nothing with it: the
/// defining identity q·d + r = u with r < d, and a bit-at-a-time shift-subtract remainder of the
/// 512-bit values MULMOD reduces. Shifts against multiplication and division by powers of two.
final class UInt256ArithmeticTests: XCTestCase {
    func testShiftsAreMultiplicationAndDivisionByPowersOfTwo() {
        var rng = SplitMix64(state: 0xD1B_0003)
        for _ in 0..<300 {
            let a = Self.word(&rng)
            var pow = UInt256.one
            for n in 0..<256 {
                XCTAssertEqual(a << n, a &* pow, "\(a) << \(n)")
                XCTAssertEqual(a >> n, a.quotientAndRemainder(dividingBy: pow).quotient, "\(a) >> \(n)")
                XCTAssertEqual((a << n) >> n, a & (UInt256.max >> n), "\(a) << \(n) >> \(n)")
                pow = pow &* UInt256(2)
            }
            XCTAssertEqual(a << 256, .zero)
            XCTAssertEqual(a >> 300, .zero)
            XCTAssertEqual(a << -3, a >> 3)
        }
    }

    /// Words whose limbs are often 0, 1, all ones or a top-bit pattern: the cases where the
    /// quotient estimate needs correcting or the add-back step runs.
    static func word(_ rng: inout SplitMix64) -> UInt256 {
        func limb() -> UInt64 {
            switch rng.next() % 6 {
            case 0: return 0
            case 1: return .max
            case 2: return 1 << 63
            case 3: return (1 << 63) | 1
            default: return rng.next()
            }
        }
        let n = Int(rng.next() % 5)   // 0…4 significant limbs
        var w = UInt256.zero
        if n > 0 { w.w0 = limb() }
        if n > 1 { w.w1 = limb() }
        if n > 2 { w.w2 = limb() }
        if n > 3 { w.w3 = limb() }
        return w
    }

    func testQuotientTimesDivisorPlusRemainderIsTheDividend() {
        var rng = SplitMix64(state: 0xD1B_0001)
        for _ in 0..<50_000 {
            let u = Self.word(&rng), d = Self.word(&rng)
            if d.isZero { continue }
            let (q, r) = u.quotientAndRemainder(dividingBy: d)
            XCTAssertLessThan(r, d)
            let (hi, lo) = q.multipliedFullWidth(by: d)
            XCTAssertTrue(hi.isZero, "q·d overflows for \(u) / \(d)")
            let (sum, carry) = lo.addingReportingOverflow(r)
            XCTAssertFalse(carry)
            XCTAssertEqual(sum, u, "\(u) / \(d) gave q \(q) r \(r)")
        }
    }

    /// (high·2^256 + low) mod n one bit at a time: slow, and obviously right.
    static func slowRemainder(high: UInt256, low: UInt256, _ n: UInt256) -> UInt256 {
        var r = UInt256.zero
        for word in [high, low] {
            for i in stride(from: 255, through: 0, by: -1) {
                let top = r.bit(255)
                r = r << 1
                if word.bit(i) { r = r | .one }
                if top || r >= n { r = r &- n }
            }
        }
        return r
    }

    func testFiveHundredTwelveBitRemainderMatchesShiftSubtract() {
        var rng = SplitMix64(state: 0xD1B_0002)
        for _ in 0..<5_000 {
            let high = Self.word(&rng), low = Self.word(&rng), n = Self.word(&rng)
            if n.isZero { continue }
            XCTAssertEqual(UInt256.remainder(high: high, low: low, dividingBy: n), Self.slowRemainder(high: high, low: low, n),
                           "(\(high)·2^256 + \(low)) mod \(n)")
        }
    }

    func testEdgeCases() {
        let max = UInt256.max
        XCTAssertEqual(max.quotientAndRemainder(dividingBy: max).quotient, .one)
        XCTAssertEqual(max.quotientAndRemainder(dividingBy: max &- .one).remainder, .one)
        XCTAssertEqual(UInt256.remainder(high: max &- .one, low: max, dividingBy: max), max &- .one)
        // (2^256 − 1)² mod (2^256 − 1) = 0; mod 2^255 + 1 through the slow oracle
        let (h, l) = max.multipliedFullWidth(by: max)
        XCTAssertEqual(UInt256.remainder(high: h, low: l, dividingBy: max), .zero)
        let m = (UInt256.one << 255) | .one
        XCTAssertEqual(UInt256.remainder(high: h, low: l, dividingBy: m), Self.slowRemainder(high: h, low: l, m))
    }
}
