import XCTest
import Primitives
@testable import EVM
import TestSupport

/// BigNat, the arithmetic under the modexp precompile (0x05). The references are Python's
/// `pow(b, e, m)` and `divmod`, run once over inputs drawn from a SplitMix64 stream that this
/// file reproduces bit for bit; the expected results are stored as FNV-1a digests (the
/// generator is at the bottom of this file). A failure names the case index to rerun.
final class BigNatTests: XCTestCase {
    private func hex(_ s: String) -> [UInt8] { Hex.decode(s)! }
    private func plain(_ b: [UInt8]) -> String { Hex.encode(b, prefix: false) }
    private func word(_ n: Int) -> [UInt8] { UInt256(UInt64(n)).bytes32 }

    private func modexpInput(_ base: [UInt8], _ exp: [UInt8], _ mod: [UInt8]) -> [UInt8] {
        word(base.count) + word(exp.count) + word(mod.count) + base + exp + mod
    }

    /// The precompile's output for (base, exp, mod), through the real parsing and padding.
    private func modexp(_ base: [UInt8], _ exp: [UInt8], _ mod: [UInt8]) -> [UInt8] {
        let input = modexpInput(base, exp, mod)
        return ModExp.run(input, ModExp.Header(input))
    }

    // MARK: The seeded case stream (mirrors gen_vectors.py below)

    private typealias SplitMix = SplitMix64

    /// Random bytes, all 0xff, a zero top half, or a single set bit.
    private func number(_ r: inout SplitMix, _ maxLen: Int) -> [UInt8] {
        let n = Int(r.next() % UInt64(maxLen + 1))
        let style = r.next() % 8
        var b = (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) }
        if style == 0 {
            b = [UInt8](repeating: 0xff, count: n)
        } else if style == 1 {
            for i in 0..<(n / 2) { b[i] = 0 }
        } else if style == 2 && n > 0 {
            b = [UInt8](repeating: 0, count: n)
            let bit = UInt8(r.next() % 8)      // Python evaluates the right-hand side first
            b[Int(r.next() % UInt64(n))] = 1 << bit
        }
        return b
    }

    private func size(_ r: inout SplitMix) -> Int {
        let c = r.next() % 16
        return c < 8 ? 16 : c < 12 ? 64 : c < 15 ? 160 : 300
    }

    /// Forced odd, forced even, a run of trailing zero bytes (q·2^k with large k), or as drawn.
    private func modulus(_ r: inout SplitMix, _ maxLen: Int) -> [UInt8] {
        var m = number(&r, maxLen)
        let kind = r.next() % 4
        if kind == 0 && !m.isEmpty {
            m[m.count - 1] |= 1
        } else if kind == 1 && !m.isEmpty {
            m[m.count - 1] &= 0xfe
        } else if kind == 2 {
            let t = Int(r.next() % UInt64(m.count + 1))
            for i in (m.count - t)..<m.count { m[i] = 0 }
            if m.count > t { m[m.count - t - 1] |= 1 }
        }
        return m
    }

    private func nextCase(_ r: inout SplitMix) -> (base: [UInt8], exp: [UInt8], mod: [UInt8]) {
        let base = number(&r, size(&r))
        let exp = number(&r, [1, 8, 33, 64][Int(r.next() % 4)])
        let mod = modulus(&r, size(&r))
        return (base, exp, mod)
    }

    private func fnv(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for x in bytes { h = (h ^ UInt64(x)) &* 0x100_0000_01B3 }
        return h
    }

    // MARK: Against Python

    /// 400 cases: 204 even moduli, 168 odd, 28 zero; lengths 0–300 bytes, exponents 0–64 bytes.
    func testModPowMatchesPython() {
        var r = SplitMix(state: 0x5EED)
        for i in 0..<Self.powDigests.count {
            let c = nextCase(&r)
            let out = modexp(c.base, c.exp, c.mod)
            XCTAssertEqual(out.count, c.mod.count, "case \(i)")
            XCTAssertEqual(fnv(out), Self.powDigests[i],
                           "case \(i): base \(Hex.encode(c.base)) exp \(Hex.encode(c.exp)) mod \(Hex.encode(c.mod))")
        }
    }

    /// Knuth division on the same stream: base = q·mod + r, checked against Python's divmod.
    func testDivisionMatchesPython() {
        var r = SplitMix(state: 0x5EED)
        for i in 0..<Self.divDigests.count {
            let c = nextCase(&r)
            let m = BigNat(bigEndian: c.mod)
            guard !m.isZero else { continue }
            let b = BigNat(bigEndian: c.base)
            let (q, rem) = b.quotientAndRemainder(dividingBy: m)
            XCTAssertTrue(rem < m, "case \(i)")
            XCTAssertEqual(q * m + rem, b, "case \(i)")
            let qBytes = q.bigEndianBytes(count: Swift.max(1, (q.bitWidth + 7) / 8))
            XCTAssertEqual(fnv(qBytes + Array("|".utf8) + rem.bigEndianBytes(count: c.mod.count)), Self.divDigests[i], "case \(i)")
        }
    }

    // MARK: Fixed vectors

    /// geth's nagydani-1 vectors (64-byte modulus), re-derived with Python's pow.
    func testNagydani1() {
        let base = hex("e09ad9675465c53a109fac66a445c91b292d2bb2c5268addb30cd82f80fcb0033ff97c80a5fc6f39193ae969c6ede6710a6b7ac27078a06d90ef1c72e5c85fb5")
        let mod = hex("fc9e1f6beb81516545975218075ec2af118cd8798df6e08a147c60fd6095ac2bb02c2908cf4dd7c81f11c289e4bce98f3553768f392a80ce22bf5c4f4a248c6b")
        XCTAssertEqual(plain(modexp(base, [2], mod)), "60008f1614cc01dcfb6bfb09c625cf90b47d4468db81b5f8b7a39d42f332eab9b2da8f2d95311648a8f243f4bb13cfb3d8f7f2a3c014122ebb3ed41b02783adc")
        XCTAssertEqual(plain(modexp(base, [3], mod)), "4834a46ba565db27903b1c720c9d593e84e4cbd6ad2e64b31885d944f68cd801f92225a8961c952ddf2797fa4701b330c85c4b363798100b921a1a22a46a7fec")
        XCTAssertEqual(plain(modexp(base, [1, 0, 1], mod)), "c36d804180c35d4426b57b50c5bfcca5c01856d104564cd513b461d3c8b8409128a5573e416d0ebe38f5f736766d9dc27143e4da981dfa4d67f7dc474cbee6d2")
    }

    /// A full 2048-bit base, exponent and modulus: the size the speed target is set for. The
    /// even modulus is 2^8 times an odd 2040-bit number (the CRT path).
    func test2048BitOddAndEven() {
        let base = hex("5086ad4d162a1f9a8300365e8b146ee1d388fd50a0d1212763e30fc5e8139460808dca091309e9daa730bfe13c726f7bc14a64bc5c006d75af79f392448a07ee6f516e0224b2c636d047c85fdc5af872cb454165bca56ac3bb11bc87f7a28141f9132fde0df60b74a4f1bcde0cf63dd87f7f87fb893bca23f26651ad03cf6109f09bb6c503ae3a477a5e58100ebb21e71a8c846d7b689f79ee72137e8912cf89406d62918e0730150454133d3c66b46ce9c1d6c8aba6b5e68b64c8d3acf35d6ba19e2adc1707b46fb1f4569122ae1e6e812f621d2253931804d2f1ba101102c8e9c0d57d16b6fbf11b8d1460f89975b061ab22c9edf1bac12921355d9fbb371b")
        let exp = hex("b41385b81e95100adbac0cc19afe3ab790004946616abcc41cad677de0880dab48e1549688568098ec7128631f922bad4e9817eebbc610d380aa312e2831973ef15869c5ad4bff356b91376f5c0479fa83204bd61eaf8c61d10e4672bcc7eedd624c7e572c08438053f1147c53527d3c579b15b601e6a875fd16c54a5115bb5e47787c93e725379e596257c0286c742e0dfb0dcceaba66bf95d3083f15692100916db5d3619755091b459ff8e7cf50c40396614ab242727fa7a0e7ee88e0c53c7acb960b79624f96d5448d2839d89257342dc05634cefead758aa66b281d9701c3a1c38bdf64c47ac15fc75a31bf106a4953c6d0cfc1e1f148566428d875c97a")
        XCTAssertEqual(plain(modexp(base, exp, hex("b5185d113e483bf251be0aa860d9d7e550b432769c81b3f59554c672b9d6f8949084a7ea8070b3af019c26353c68f0117759753c271c2ba61d1584a1fec833cc1fcd84d6f8bdfebd9ea17fb170fd6323d4d6069b7073dc2e48202fe1b8504382eff17925ad56a2e06d0977179a1529c437ed536ed62bebbd3cf8b56febf86dc8ff89b19fd94c3e98d02e375de133a82e3575a55db256ede3a636069216ad10c6214f06e90a156d43dda9278f9dec29391cd1a0e9e0938401cd85e3f700c2ecd4f046cd22ea39f334d345d00c543a1fc83e4fcefebe9cae145b74943bd7aa4170a236a09faf759682844a3b45bc53d56961c6ca3484e717bc7fdfe7e949f075f7"))), "1a3bb5202947584776c41531ccae986520cc89f9a5da6359e39899410eb52f1f710fd2f919c963cf8e60856f27385efadb6e769f252b6cb75c7cf4a56fb87a68f20f9add524891540f74e497cf6ab40740a8dd50ea64e870cd9fdad5bb92faa4311eac5c0a76a861b70e2a27fc6441234c2f505fb1d9f9b3edcc5562610f8b26afb9419ac188ebe55e566522dd237b7e94581e848c76521c90faece94617a27fa903f42fe01b7b7dea81f2467457838f54d4081db8e9f81ebe0cc9cb2a25d99a2240e3e1ba111459d1e34c79daed4655986ccf06ccf105330f9319820463503c9806870c76810a018212e40749e04806d11c40ea413cf52746234b389e44bab1")
        XCTAssertEqual(plain(modexp(base, exp, hex("fc69f15b341460308fd9b84fb15268a73ceb980a87a7d3be4f4c0ec253a9b10aae060b4777404840e2513e49866ba7f4d4a5a479d4d9556c91450e79d581f36d420a9b1c2906bbd9105132c294249b8490f3a330c37d815b17113d7c4ac3e62ed2f271c4feb1e52438b7752a527f981ed1e5c29216bf32bf291d8c32e83625d75295cb0609cc78ff6beab0920b11687c2f0612e22c944702f1599c1c581d3e512436d0c6695f3cf9d88f82f4ffffbe3bc76b2938fc50c19d137ae921c074b247da29420489d2625b0e17c523ed3c2146bd13571d8857820d9206ed71c30093ade0ab10f01fe13890bd9cbe774d5a34e479dde75fcbed8fe7a16c482835090500"))), "37e40401c2aae7467a46a11cfcad3f00c671279350cb0331cf0b6e8f3e51854634d2c769d6a0c0d55f0acd599beba681f83ea849dc0d55f4e4ba2e9c017eaf8469fb7403fb3cf6ababc9174c526644ca67f0f2e6a77595db3f073017efcaea64a1e598db57932bf7a6061540e8fdab1a71c30087a207f5b5883b8eeddcb18793ec62092f8e9bd6563cdc1a8a008d79d7b335c95d80bd34e836c9cf0db2ac5c25a7de99ec469f05a65044bd8c987f390fb8fcd9effca7fa7669d205474ed1cc0189e8b3e270b525ee6e36674459eef16ca3fe243dd1ae8443db37dd6c88f30d7e315203cfb1ea175d08c4cd8145f04b1b68cf614816f0aefccdb85e27604b4bf9")
    }

    // MARK: Edge cases

    func testEdgeCases() {
        // Modulus 0 and 1: zeros of the modulus's length.
        XCTAssertEqual(modexp([5], [3], [0, 0, 0]), [0, 0, 0])
        XCTAssertEqual(modexp([5], [3], []), [])
        XCTAssertEqual(modexp([5], [3], [0, 0, 1]), [0, 0, 0])
        XCTAssertEqual(modexp([5], [], [0, 1]), [0, 0])            // 5^0 mod 1 = 0
        // Exponent 0 (empty, or all zero bytes): 1, including 0^0.
        XCTAssertEqual(modexp([5], [0, 0, 0], [0, 7]), [0, 1])
        XCTAssertEqual(modexp([], [], [0, 0, 9]), [0, 0, 1])
        XCTAssertEqual(modexp([], [], [0, 0, 8]), [0, 0, 1])
        // Zero base with a positive exponent.
        XCTAssertEqual(modexp([0, 0], [7], [0xff, 0xfb]), [0, 0])
        XCTAssertEqual(modexp([], [1], [1, 0]), [0, 0])
        // Base ≥ modulus, base longer than the modulus, leading zeros everywhere.
        XCTAssertEqual(modexp([0, 0, 0, 0x10], [0, 2], [0, 7]), [0, 4])     // 16² mod 7
        XCTAssertEqual(modexp([UInt8](repeating: 0xff, count: 40), [1], [0x0a]), [5])  // (2^320 − 1) mod 10
        XCTAssertEqual(modexp([7], [1], [7]), [0])
        // Output left-padded to the declared modulus length.
        XCTAssertEqual(modexp([2], [10], [UInt8](repeating: 0, count: 30) + [0x10, 0x01]),
                       [UInt8](repeating: 0, count: 30) + [0x04, 0x00])
        // Powers of two: 3^5 mod 256, odd base mod 2^130, even base vanishing mod 2^64.
        XCTAssertEqual(modexp([3], [5], [1, 0]), [0, 243])
        XCTAssertEqual(modexp([2], [63], [1] + [UInt8](repeating: 0, count: 8)),
                       [0, 0x80, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(modexp([2], [64], [1] + [UInt8](repeating: 0, count: 8)), [UInt8](repeating: 0, count: 9))
        XCTAssertEqual(modexp([6], [0x40], [1] + [UInt8](repeating: 0, count: 8)), [UInt8](repeating: 0, count: 9))
        // (2^130 − 1)^2 ≡ 1 (mod 2^130).
        let twoTo130 = [4] + [UInt8](repeating: 0, count: 16)
        let minusOne = [3] + [UInt8](repeating: 0xff, count: 16)
        XCTAssertEqual(modexp(minusOne, [2], twoTo130), [UInt8](repeating: 0, count: 16) + [1])
        // Moduli one past and one short of a limb boundary.
        XCTAssertEqual(modexp([2], [64], [1] + [UInt8](repeating: 0, count: 7) + [1]),   // 2^64 mod (2^64+1) = 2^64
                       [1] + [UInt8](repeating: 0, count: 8))
        XCTAssertEqual(modexp([2], [64], [UInt8](repeating: 0xff, count: 8)), [0, 0, 0, 0, 0, 0, 0, 1])
    }

    /// Fermat on Mersenne primes up to 2^2203 − 1: a^(p−1) ≡ 1, p odd with a top limb that is
    /// all ones (the Montgomery carry cases).
    func testMersenneFermat() {
        for bits in [61, 89, 127, 521, 607, 1279, 2203] {
            var p = [UInt8](repeating: 0xff, count: (bits + 7) / 8)
            if bits % 8 != 0 { p[0] = UInt8((1 << (bits % 8)) - 1) }
            var pMinus1 = p
            pMinus1[p.count - 1] = 0xfe
            let out = modexp([UInt8](repeating: 0x5a, count: p.count - 1), pMinus1, p)
            XCTAssertEqual(out, [UInt8](repeating: 0, count: p.count - 1) + [1], "M\(bits)")
            // And 2p, an even modulus: a^(p−1) mod 2p is 1 for odd a (≡ 1 mod p, odd).
            let twoP = BigNat(bigEndian: p) + BigNat(bigEndian: p)
            let len = (twoP.bitWidth + 7) / 8
            let outEven = modexp([3], pMinus1, twoP.bigEndianBytes(count: len))
            XCTAssertEqual(outEven, [UInt8](repeating: 0, count: len - 1) + [1], "2·M\(bits)")
        }
    }

    /// Division where the quotient-digit estimate needs its corrections and the add-back step:
    /// every 3-limb dividend and 2-limb divisor over limbs near the 2^63 and 2^64 edges.
    func testDivisionLimbEdges() {
        let limbs: [UInt64] = [0, 1, 0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0x8000_0000_0000_0001, .max - 1, .max]
        for u0 in limbs { for u1 in limbs { for u2 in limbs { for u3 in [0, 1, UInt64.max] {
            let u = BigNat(limbs: [u0, u1, u2, u3])
            for v0 in limbs { for v1 in limbs where v1 != 0 {
                let v = BigNat(limbs: [v0, v1])
                let (q, r) = u.quotientAndRemainder(dividingBy: v)
                XCTAssertTrue(r < v)
                XCTAssertEqual(q * v + r, u)
            } }
        } } } }
        // Knuth's own add-back example scaled to 64-bit limbs.
        let u = BigNat(limbs: [0, 0xffff_ffff_ffff_fffe, 0x8000_0000_0000_0000])
        let v = BigNat(limbs: [0xffff_ffff_ffff_ffff, 0x8000_0000_0000_0000])
        let (q, r) = u.quotientAndRemainder(dividingBy: v)
        XCTAssertEqual(q * v + r, u)
        XCTAssertTrue(r < v)
    }

    func testBytesRoundTrip() {
        XCTAssertTrue(BigNat(bigEndian: []).isZero)
        XCTAssertTrue(BigNat(bigEndian: [0, 0, 0]).isZero)
        let bytes: [UInt8] = (1...19).map { UInt8($0) }
        let n = BigNat(bigEndian: bytes)
        XCTAssertEqual(n.limbs, [0x0c0d_0e0f_1011_1213, 0x0405_0607_0809_0a0b, 0x010203])
        XCTAssertEqual(n.bigEndianBytes(count: 19), bytes)
        XCTAssertEqual(n.bigEndianBytes(count: 21), [0, 0] + bytes)
        XCTAssertEqual(n.bitWidth, 145)
        XCTAssertEqual((n << 70) >> 70, n)
        XCTAssertEqual(BigNat(limbs: [0, 0, 8]).trailingZeroBitCount, 131)
    }

    // MARK: Expected digests

    static let powDigests: [UInt64] = [
        0xb7b9d51060c63476, 0xf3417ec3b1ae46b8, 0x03abb7fec6eeb4a4, 0x943cf28841434e75,
        0xac0e5bfe9ec632ea, 0xcbf29ce484222325, 0xb20b50fcec9d03ed, 0x0227ed4e5846f42c,
        0xe4bc4fd9252be94f, 0x23ee20fa4edccb0a, 0xbb955bd6c9f0cea8, 0x81e69f195c99f6ec,
        0xdca2c7741a2a127c, 0xb7a9aa438bbdead7, 0xce0312541b556f31, 0x2c59eae8c55429a2,
        0x236b71e798ba1785, 0xe564b51f22092f61, 0xaf63bd4c8601b7df, 0xec97b65740c2383e,
        0x15917c61c1d0656d, 0xaf63a94c860195e3, 0xaf63bd4c8601b7df, 0xe4e99fe2773bac33,
        0xcbf29ce484222325, 0xc872b8b1bcf2ba30, 0x506794fd3d5605a9, 0xcbf29ce484222325,
        0x682d9f46ccbe0407, 0x08328707b4eb6e3a, 0x082f9307b4e94cc7, 0xff4237f2bbb02dbb,
        0x042a3010292ea86a, 0x59941f6a302d7770, 0x02ea83e048633b42, 0x4d25757f9dce1242,
        0x08328707b4eb6e3a, 0x84d5d9c2e1234bfc, 0x356ce9d112211a74, 0xed3efa247d3ca2c3,
        0xbaac831a0e0598e1, 0x02c98cfad4e5c3e2, 0x336f7bb6b6d257d9, 0x75d8be3540d88765,
        0xb52ea81c8e5ca4ba, 0x5a7216b90d5d7a10, 0xef6d1a17e7975561, 0xb6d088e926f0fd7d,
        0xee8d1e1c7e81a8e6, 0xaf63bc4c8601b62c, 0xb4572678c2d60496, 0xd8c5a20cd7875a79,
        0x17f76b59df542252, 0x9abcae680e4ee58d, 0xe6659abc61735736, 0xcbf29ce484222325,
        0x81b168c331cabdf2, 0xb3b8db4cdf9d77b6, 0x7c96169f62dae77c, 0x08ebea944b8fd24f,
        0xaf648f4c86031cb5, 0x1d94b5c38bb57e77, 0x6049b9117fc0c922, 0x65cdf96725e2a0e3,
        0x8e23a26922043396, 0x4f39ba063a86512f, 0xcbf29ce484222325, 0x3707ebe7b4dd270c,
        0x5467b0da1d106495, 0x59955590bc468230, 0xc499fa1f0475271f, 0xcbf29ce484222325,
        0x43e65bd6dccc4e7c, 0x6c08f516e382ea2d, 0xa6be07f039e51c9b, 0x76b2456d616d707c,
        0x8c9612d8f2cee06f, 0xe1e6bbd8359d56f4, 0x0a151d07b685725e, 0x9fb53490c5a5fe61,
        0x6bbd7ecf126e5a07, 0xc48608b87e1dfc25, 0x3a5c8c391a17fe7f, 0x08328707b4eb6e3a,
        0xfb2150f8458c3870, 0xaf63b94c8601b113, 0x467faffcf946013e, 0xe4bc4fd9252be94f,
        0xa09c011353637433, 0xaf892dcb11cf6aca, 0x11d56581184198e2, 0xaf64054c86023237,
        0x4d25297f9dcd911e, 0xc499f91f0475256c, 0xaf63bd4c8601b7df, 0xe6b1fb17e29fccd7,
        0x08327507b4eb4fa4, 0x88201eb960ff62b2, 0x933dff2d8ea3065b, 0xe510ce3fc94efa57,
        0x69d307cc20f6ef8d, 0xcbf29ce484222325, 0xb493bacbed95b05f, 0x04289ac1a63a2410,
        0xd13606cf6f986fdc, 0x8df351d4f9fa392a, 0x08328707b4eb6e3a, 0xcbf29ce484222325,
        0x1e3f17e7fd1d9152, 0x62b27a37c716967b, 0xcbf29ce484222325, 0xd7e4fcfa299d713d,
        0x7ade5455c99e7842, 0x2eb09ce4c4320587, 0x52ddf3c0c5adeed1, 0x4dfa4bffd1f795ec,
        0x42497ed1181e36e0, 0xaf1f0d92568b9ea7, 0x8df352d4f9fa3add, 0xd13f9de042036d80,
        0x529a2cdc8ff533ac, 0xaf63c54c8601c577, 0x0bde0175027d2e46, 0xb917fd185a81ace8,
        0x820917c758fbf3e7, 0xadb7cda17a8935fa, 0x117ab10096247d8a, 0x3a1638d7058a2d8b,
        0x6fce5132dbf5116b, 0xe20a1acc61ca190c, 0xe6019d3a248e21c9, 0xaf63bc4c8601b62c,
        0x1cca337ea006399b, 0x2eb09be4c43203d4, 0xdb0d6928dc5c6ea1, 0x446c98b93b1ac578,
        0xcbf29ce484222325, 0xb63dc46c903a0171, 0x08328707b4eb6e3a, 0xf690bffe49df8bbe,
        0x1805b320a6746b6c, 0xe350ea5b0327d7e2, 0x09c034173eb8cf0e, 0xd7e4fcfa299d713d,
        0x0319adccb4b4dbdb, 0xd7e4fbfa299d6f8a, 0x778b1914b68768f4, 0x0e27d924dbf0d3ff,
        0x4d25757f9dce1242, 0x5f20e862758b9dcc, 0xd9a23d186c57b8c7, 0x0a29e76fe88547ac,
        0x422a2a0687a08d8d, 0x3484914e054cf0ad, 0xfda557f34e60dcb3, 0x778b1914b68768f4,
        0xa7558ef19765a90a, 0x07de1c07b4a42b6a, 0xa0e608e9d6da7657, 0xdbe11812f02ce95d,
        0x8fbfd16be35a36af, 0xcbf6565738ec7d10, 0x33bc16d126c0e035, 0xa8c7f732281a3812,
        0x8f4a431dab2940b3, 0x3fc3049990c59cf0, 0xe8a7b659de7250e4, 0x2b99d33ffc063cfe,
        0x984dec9b6e7d1509, 0xd59966ba9f2bd2a5, 0x9f872e98f49f24b9, 0xcbf29ce484222325,
        0xed92f1970fd01bd7, 0x44a2f41d417e6e38, 0x74d1da18c4089e51, 0xb8d9495d2058587c,
        0xf036faef26c6c9a6, 0xc885cbdc03990ae4, 0xb9b804cc2f2aa25b, 0xdf295d6714706a1b,
        0xd94d12186c0f2fb7, 0xdbe11712f02ce7aa, 0x859c8a5189ad8a14, 0xea492a29a2b28ec1,
        0x81ceb8d608c22127, 0xcc65442e1c508754, 0x3e7578da4004f60e, 0xcbf29ce484222325,
        0x40d69d0cf0f65a92, 0x3331649b4ae3da88, 0x8f8bb2e8634a71ff, 0x5167509966d6bc9a,
        0x13b6dda257305613, 0x4d25767f9dce13f5, 0x17f8dd1ca2b90acd, 0xa8c7f732281a3812,
        0x6519f3234400dfbc, 0x8df351d4f9fa392a, 0xfcec3be7873f61fe, 0xe62009fcfac2248d,
        0xe2309156aac54aa3, 0xcbf29ce484222325, 0x83a3731c71a4b882, 0x076f4ef9b3616286,
        0x52ed5bb6f0d7200a, 0xe32c422d83d8d0ce, 0x4fcdc26ee6ebd8b4, 0x9ef96ee7e67515c4,
        0x31a8d905eb889627, 0xa5e652184f1b5f98, 0x5ded6e7ba8cc2884, 0x22ddcecb238f1cf7,
        0xd42822f3ed3904cf, 0xfca76e4f259d41dc, 0xd94d11186c0f2e04, 0x89010171212796f4,
        0x2eb09be4c43203d4, 0xed590eb3e3f1c563, 0x22a08f634810698a, 0xa0f17c19c3dda3c2,
        0x0d7b936c23ac320a, 0x4d25767f9dce13f5, 0x00c73dc12f8489e8, 0x898dba7235b0d5ec,
        0xd138b84555e221b8, 0xe4f561fd0d7708b4, 0x504155a15abad714, 0xaa9e6f5e6e443c4f,
        0x901b85b3e75b2dcb, 0x9afca0dfa7c0bf1b, 0x0050d2ee27766b64, 0x6034966c7ec7b5bd,
        0x7c96169f62dae77c, 0x74af094228815430, 0x9ed3a94b1964040d, 0x6a83c937bf434e0a,
        0x9130ee487b5c0b73, 0x0a8e421acbb825b6, 0xfc3dec09066c0c5a, 0x755bea6c73a454be,
        0x06b1f718865c5e03, 0xe4bc4ed9252be79c, 0xe604813a2490280c, 0x8c21625ab15a82e9,
        0x0ed0086365224abd, 0x9d8f8f7484a4ec1b, 0xf57445da6e786c8a, 0x6e0dced21680d46f,
        0x149a0cc6d142af34, 0x0831c907b4ea2b60, 0xcb33c9b26c028e95, 0xf9e72f852f943211,
        0xd11d7e18678e62cd, 0x5b8c39d45478a9fd, 0x5403504e6ae0cdce, 0x140a83581197be2b,
        0x49f4a7bc0a618a93, 0x5b8f11a79ec79c26, 0xc885cbdc03990ae4, 0xaf63bc4c8601b62c,
        0x8f47198cc0248dcb, 0xde8c86fa2cd02094, 0x77e8b4b1c7b70e3a, 0xa73002b77572f55d,
        0xaf63bc4c8601b62c, 0x98d73747db2b3009, 0x9fd48845e53a701a, 0x08328707b4eb6e3a,
        0xc885cbdc03990ae4, 0xd7e4fbfa299d6f8a, 0x5467afda1d1062e2, 0x5a830bf766048494,
        0xb9b23e3a46fd0672, 0x7b3f9bdd2f14bc67, 0x26bc9b86e54179b4, 0xc98b2c62b77813e0,
        0x4adcb6cccc4a06e6, 0xab0ab1426c15e02c, 0xfbd0aff0fb1d4d67, 0xaf63a74c8601927d,
        0x88201fb960ff6465, 0xa8fd6bc2d313c025, 0xbfeb7d154a2dfa0d, 0x8332be5481f10b1e,
        0xefc00539a24f3298, 0xdfa6c8e5487b732b, 0x138cc5763d39758f, 0x96023f184682f8af,
        0xdd01bd92174d61f6, 0x547e96e8c7257dfe, 0xcbf29ce484222325, 0x5db5b57c66ef65b1,
        0xc885ccdc03990c97, 0x4d2d0b7f9dd52fd2, 0x8df352d4f9fa3add, 0x5fca0e2e64b1f215,
        0xff7bf3b71be957cc, 0x59eda95be13c1ddb, 0x17d9c05239d08022, 0xa81b960c56b219eb,
        0x232862be573ebf39, 0x6b54e971af95ed62, 0xd94d12186c0f2fb7, 0xe47e2054331bad1a,
        0x33f9cb927049465e, 0xcbf29ce484222325, 0xaf63bd4c8601b7df, 0xf84e12f274df4638,
        0xe09856eab7d25179, 0x9f53f067fa5619ba, 0x8ea07ffbb93ae520, 0xe604813a2490280c,
        0x0d45f318897f2606, 0x9e6973d64033dffe, 0x71efb9ccd88549b8, 0xd2c92d8a864897e1,
        0x824adcfc3ce8f6ea, 0x778b1a14b6876aa7, 0x8f5c855338728fb6, 0x88201fb960ff6465,
        0x513cba207ba15297, 0xaf63bc4c8601b62c, 0x4989bce12f7e3f24, 0x88201eb960ff62b2,
        0xaf63b94c8601b113, 0x3707ebe7b4dd270c, 0x97079b11168cc323, 0x7c96169f62dae77c,
        0x8b66f96e5d84f25c, 0xaf63bd4c8601b7df, 0xd3d54c2ef5214955, 0x08fba207b596cca8,
        0xd27f3c6deb4a4424, 0x0c8210784d8af5a5, 0x07d9eb07b49fef50, 0xc5a55142892cf7bf,
        0xfc54df91d3f24432, 0x5d5558524eb6a164, 0x2eb09ce4c4320587, 0x3b7b04257a838d29,
        0x3369749b455fb824, 0x4b2a06b2c1f51aa8, 0x60b53107d31282b3, 0x626b98609d43e6b5,
        0xa08dbd4165b75a11, 0x88201eb960ff62b2, 0xd27f3c6deb4a4424, 0xf3d9225105367999,
        0xd94d11186c0f2e04, 0x2edb74881de93aed, 0xd7e4fbfa299d6f8a, 0xadca8c8b3634ab80,
        0x0e60b4e668c85c91, 0xbf566f8a4e354a4d, 0xaf63a84c86019430, 0xcbf29ce484222325,
        0x062c01f6ddde91c1, 0xd4d4feda0aee855a, 0x86bd72bb02bb91e3, 0x8b33ae7026c63ca9,
        0x81d23ed7003c2152, 0x0a1f19f072441d26, 0x30f7c72228dea737, 0x17595dd2bed7fe4c,
        0x3f5c31d99ad9b999, 0x7ba16607565dcd87, 0x657ddc715a7fd48e, 0x710a38c48016fe17,
        0xad04074795fc1515, 0x57e09edf1fb4b34a, 0xb6291f8d19336cb6, 0x88201fb960ff6465,
        0x5467b0da1d106495, 0xc8f7960993fc5023, 0xf40c4d0e6c92ca7d, 0xaf63bc4c8601b62c,
        0x68099ceef4e08363, 0xbf11bdbe4dae64d1, 0x69d306cc20f6edda, 0xd4657e55662f7fcc,
        0x6cafd3e63b142e4e, 0x860eefc0754d1e31, 0x35ad4666c35cdb54, 0x9cdbfc9e9eb83253,
        0x5307663346847a3c, 0xc5a6a4875afb82b9, 0xf1dd42c538f79bbe, 0x8df352d4f9fa3add,
        0x3c17d7901b79823e, 0xc8154b18625649f6, 0x00566aa6832633f9, 0x817bbaabd7a60270,
        0x976980588c13a0c7, 0x69d306cc20f6edda, 0xbcf38c0efdab4b45, 0x7f69791c9e310fc7,
        0xfc76ef0ddc583496, 0x3a79743a1314551e, 0x86f8ead00f89729e, 0x01132eab3c8761b4
    ]

    static let divDigests: [UInt64] = [
        0xf303a3e1bb8ac9b9, 0xb60df5983dbf866d, 0x7d93e9e5985477d5, 0x7690ef071269c689,
        0xe89b7199475b2b2e, 0x0000000000000000, 0xac318276aa3b8f3c, 0xf7b82efaee502b7b,
        0xc44b9e24f1dcf54b, 0x21baca0bd7af8939, 0x540b7357e5ce9586, 0x3b4d24bf8315d0cb,
        0x5563e2f1fd8ca825, 0x176bb51226d195a1, 0x464a00a0660a0169, 0x34fe5db4b712a20d,
        0x71052d75d13e8663, 0x0918a54db80bf3b8, 0xd8812e186b61f8e7, 0x3c60fbbab208349e,
        0x0b9a2bfa807fa0ec, 0xe690168092c1384a, 0x0000000000000000, 0xfcea1d407229e7f6,
        0x0000000000000000, 0x86274d2954ad6e19, 0x9cf425f70ba92a82, 0x0000000000000000,
        0x9f36d271dcf17faa, 0x9a31f78c55094f79, 0x4065e2bf7cdd47d0, 0x08a44631d9e97a9f,
        0x40efadb4b94f2a0e, 0x80951b02a91ef8ba, 0x514bf0ecb223e9ef, 0xe88a4e628d47087e,
        0x582cab3dd9dc41c1, 0xf933aa81c980452f, 0x2689d6d02e4b8ad9, 0xd7758c783e530680,
        0x0a11d5fd47fbada6, 0x6722241f7f7f3ace, 0xbe2acc35994a5e82, 0x46d62d7652ecf5f9,
        0xde332a6c38bbcdb8, 0xfcfcc07844a367af, 0x2371a7c656217af1, 0x61a05c077a12bd64,
        0x1ddd8e9d77a0464b, 0x417bc9196abf9f75, 0xfea645e345a5aeff, 0xd0a2df8cac4ab5b2,
        0x1a86fe50657af4e0, 0x6ffecd0e98734ced, 0x62e702e8bd976ddf, 0x0000000000000000,
        0xc5c66921a4ea845c, 0x5debce038f19a440, 0xd9e8c94ee2918af6, 0x0af980b660f506bf,
        0x90850d9ed3cc2fc6, 0x63d80f90875744dd, 0xab0ebfef681407e5, 0x6b619d8e78aeaaa9,
        0x49a59f9f8a3b5486, 0x2679cca7f71cf1b7, 0x0000000000000000, 0x6ba9df5f3ff01b39,
        0x4b35cfd84a9edd90, 0x1ad4307cef3086fc, 0x3cf60b4c98a448a7, 0x0000000000000000,
        0x1990002722ae407e, 0x36a17644aac7afaf, 0xd4ed6f2f1afc73b1, 0x5403c25aa673b6f9,
        0xe8c18177eae57494, 0x9f7f620074a54713, 0x0b1bc628da6b3fcc, 0x64e7b1898d873d90,
        0x9366234fc716c0a7, 0x704c720cbf959c92, 0x08cdfd0692afe2fa, 0x02e43f1491ae0ec3,
        0xc4196ee630b182ae, 0xea773e1875bc83bb, 0x3721c13ec573f172, 0xc44b9e24f1dcf54b,
        0x4ca8a4dd94915914, 0x81d5e70615728352, 0x51aa8bfe58724568, 0x9d52169d8a156b3c,
        0x128c48088b810fce, 0xd643043673b19750, 0x56c41cee3ac66623, 0xe7a19c6f256565c8,
        0x34cb99604025f1b0, 0x5ec2327515ec5d2a, 0x7f701f1e5634af83, 0x8b0304a5fd551c02,
        0x0000000000000000, 0x0000000000000000, 0xd76a2df6f740c8f3, 0x6e7caf2a18b7a9aa,
        0xe83b916bd24d19e4, 0xaea73219a9afc7c3, 0x456ca17e776e622e, 0x0000000000000000,
        0xc4d9e7137847639a, 0x302b62ec44732a37, 0x0000000000000000, 0x697303c6fa74ce71,
        0x7b54b40dcb963a01, 0xca6d321b5905e863, 0xfbbbc97bbbb5a1a3, 0x84e25c5ca1a88cf0,
        0x5b0476d32ed04b00, 0xa54a6ad60cbec1a3, 0x346578337070cbc7, 0x4a323d82e51c51a8,
        0x4885cae371df2d23, 0x9fc2a35076469847, 0x531f01749a8122a4, 0xac556260664f5ace,
        0x080d88b7728654e4, 0x5219532fafc3dd53, 0xaebd37368b56e79e, 0xfd57449eaf99f2a4,
        0xd92c5081cab1bf16, 0xb1cbdc926e6ea8be, 0x0f5f30b5d24e3a75, 0x89385023fc2dd0bb,
        0x79b9478c132d006e, 0xca411f1b58e08d2f, 0xa51d0bc9154b0de7, 0xd761d2eb09e3ef99,
        0x0000000000000000, 0xa50a00b4c2e9285a, 0xb9deef6aace884a8, 0x0a4949ab98d226bb,
        0x8a050842c44b1cc5, 0xc81ea6cf2936a91f, 0x456b28cb2435b8c2, 0x0000000000000000,
        0x1e57b454ec11ee91, 0x66ce933ba475046e, 0x65ece8c57021d535, 0x04114b1d05272aef,
        0x64a1b8bad3668146, 0x7b7b5876c57fe67d, 0x0c4c4c4fe022ec3b, 0x06c3b1a2faf48e0c,
        0x8f94fe40f7bd58b1, 0x09f3355dd5c63901, 0x403e22a974a8470b, 0x698437375ab28d91,
        0x7906ae0ac428cba3, 0x456cce7e776eaea5, 0xcebe80c4a628a823, 0x07d6f7b77257cf11,
        0x6973a8c6fa75e6d0, 0xdc34a2d35d197893, 0x9e038c7391051396, 0x92f545d0c92e1d66,
        0xc44bea24f1dd766f, 0x990d24689d612a74, 0xfd74c278450a447a, 0x6e03b920d454a197,
        0x72ab288dce3bc5ba, 0x25ee9764a92b5b60, 0x0ad636b3a00fd156, 0x0000000000000000,
        0xed7dc295d335a373, 0xf0c80804f51cf82f, 0xc1528695241de9fe, 0x20595aaf64f7acfb,
        0x51fa434363feac38, 0x9901045f3526e12c, 0x9b641aa017a114fa, 0xda17aba6f9132e45,
        0x0000000000000000, 0x4d775d64e71906b3, 0xafbdfb31d92d736b, 0xfa8eeb62902388fb,
        0x32eeac354ba015b2, 0x9bcb1e5cf560ad6d, 0x21f803677fdfe335, 0x0000000000000000,
        0x11c3a2673c13d668, 0x9821141d4efcd389, 0x90d199cb4f15f4cd, 0xe277187f317cf4ee,
        0x69b87d809d19bb53, 0x0000000000000000, 0x920ab4f53bafb801, 0xa623921123d4632d,
        0x682f1261af82bb02, 0x234384fe62872d19, 0x961c47addc9c7905, 0x89228654d245374a,
        0x7cce3a728da496d6, 0x0000000000000000, 0xc44c7124f1de5bd4, 0xa56271ba0d524b4a,
        0xdee86504cb019c1b, 0x4bf443ac830f8c78, 0x0d5fa35d9b8e9598, 0xd69642febc3409f8,
        0xc2837efce00c2c4a, 0x4b167c527bae8140, 0x829b038dc12c7383, 0x6e0e8a2b2a30205c,
        0x0456ea2134a51c53, 0x9cc631eb193ddbb0, 0x3a876319f3fc6517, 0x7d9850fa2fad7abb,
        0xf39c32468a51afec, 0x1b9f37b117d9d2ae, 0x137acaeeb81e7ff4, 0xb4468840c929c963,
        0xd7e77b63fea19fd9, 0xdee7bf04cb008209, 0xdc1e2d181e7d3651, 0x03485c0191373987,
        0x6ed393d91cfba1e8, 0x04445f1c39a4e7c2, 0x9c5af6b55255b063, 0x335016919ce93320,
        0x8cb285cb35910803, 0x903de201c166b2f9, 0xa854e6ef9333ed6f, 0x1714c1a87f0ff3df,
        0x8096710a5380663c, 0xc49661c478b9cbce, 0x8d5fb924e9a5b848, 0x468dbe5f0d8a19c8,
        0xce44ff23de27c3a1, 0x4920f9f77335d71b, 0xcdb09a321e32b3f2, 0x62e9f4e85ecc43b6,
        0x68a0c8d459655d01, 0x9fb1892169bad146, 0x99be2ada3b218f47, 0x5cd8147477ed763c,
        0xffde597d091dcce2, 0x2457b8e27ce80b33, 0x17f95b6d55acb934, 0x227f9c18379ef4eb,
        0xf41d3ed69fbe1bc2, 0xf21546bb8b5a04df, 0x257a6f197309b26f, 0xd85c6c6fe56c84f0,
        0x9aec64ef38fd24b7, 0x3e2a783e502905f0, 0x01f2fe3b08f11d83, 0x7259d4e7e9274b58,
        0xc9191901a48b14ce, 0xc17d8f902b783673, 0x45e9399cfba33d76, 0x43bd7c17500c75b4,
        0x72b45432b2afd966, 0x82001b3700ec320c, 0x192af2141be3c2bd, 0xfd75aeb8a4b47e08,
        0x0678768f3e87f8c5, 0xb530f5fa13d72b55, 0xf478540a26530c44, 0xe7632d620dac84b8,
        0xd315b66c59c411f4, 0x10f7818144669168, 0x024b5248a2fffd87, 0xa67bb73c81b0bdd4,
        0x7e57eb8fd0fbce7e, 0xc519d555015c92c3, 0xa3a2eb101b207f40, 0xbaa70301e129b66c,
        0x275071b89fa061c3, 0xdbaadfdd4b98946c, 0x854bc02a3ac69c84, 0x88c6cf2c5da7e156,
        0x0000000000000000, 0xe4de439eb51f5776, 0x79db16dba704aa75, 0x696ad0398f3b3d79,
        0x50a39d30660539e7, 0xf262492228f5b5dc, 0x3df60d83d32c198e, 0xc3ca3cd2f39bf1af,
        0xe8f508b257296e8b, 0xdbcf33afe1020f80, 0x0000000000000000, 0xfc9a1c2ead4a7d8d,
        0x0000000000000000, 0x0844d7ad162056db, 0x96667d22323a4691, 0x156b15551a006cb9,
        0xd574624ce1dbe24b, 0xb0706689cd7f9c60, 0xf378d32dd4638fe9, 0x90cac9bae60e1aa6,
        0xe80c0faf209bb856, 0xa1db151ec60893bb, 0x0000000000000000, 0x8ac92f8e90e500c5,
        0x9f8f630da4a7b3c5, 0x0000000000000000, 0x0000000000000000, 0x16be668c766ac5ac,
        0xaa4bc3641eb9ecce, 0xf9225c3b31a3acb6, 0x4b5d13e222cb1090, 0xc28f7b80a1c7e1d7,
        0x85983b043666782f, 0x035b8007d9a05ec1, 0xd28295f9b042c2fd, 0xcc4582511be54087,
        0x73a3a63cf812240a, 0xa33ddc1b947aca03, 0x40768682034e4ee9, 0x0000000000000000,
        0xab8aa3528128a472, 0x1f8291f9f897b4fc, 0x1812c4f10c107bd7, 0x6aae2f9325adba20,
        0x32b153298ecf77e0, 0xbc2ec242360d2754, 0x685fed87581e4dd4, 0xb94997eb014b96fd,
        0x06a60831527c9b0b, 0x0000000000000000, 0x607a209da8d3703b, 0x9970b6f1935c9982,
        0xba93c00be026ed2b, 0xe6f0eafe14344679, 0xf446770ab78e6eee, 0xa23c33ae46f1d3a9,
        0xa278f865a516eecf, 0x035936783088d7c1, 0xca6d321b5905e863, 0x5c4de17d32d1faa3,
        0x19ade8cf92676601, 0xdabd3975e86f9d59, 0x77230650c297a655, 0x8f8b52810d7c7151,
        0x48257bd3d65e03f2, 0x09684d567c75f1cb, 0x11ffe3ee5c8d6a1e, 0x8d0f7ada8f62b6b6,
        0x00a7aa23ecb05dc2, 0xfa57b6de81dc24ac, 0x6b4f47c6fc09db91, 0x697377c6fa75938d,
        0xe934ed1e23c7cfc2, 0xbd4f7c12d8dc7241, 0x6fe59842dd49797b, 0x0000000000000000,
        0x34d579fb9880ba22, 0xda0df7e77b15bfa1, 0x12eb34cbb014a163, 0xe3150ea2524ddbc5,
        0xcde2fe88463cfb5b, 0xe188095e00d7cd78, 0x8b3b912a3cd84cb1, 0x298bad636e9a5bbf,
        0xb44fc123c6ecbb74, 0x11c883312208a389, 0x15ec082dc326c117, 0xa22e1896c89884aa,
        0x79a35b915e286dc2, 0xadf699138a8435a9, 0x2e5b0c6048269b22, 0xfd7487784509e039,
        0x0000000000000000, 0x2188202fbe487557, 0x51210b330bd865b6, 0xb0c44bce5beb7e62,
        0x7ccab15f85c5a266, 0x19a8c71846cff536, 0x1b3ea346af45d1f0, 0x9ccfccab3d032ad1,
        0x49b6cd79cea37548, 0x6ad7b23341779db9, 0x01dfa8093cdc901f, 0x9c47b3f70b1765f7,
        0xcabf561b594c2fb7, 0xcaeb07f0e7cdff38, 0x79dac6a82759bab1, 0x96667d22323a4691,
        0xdca26904c9126d4a, 0x67f48b45d843c725, 0xd91c16ec66419655, 0xb0acca43e7e68004,
        0xe63e506b123598b2, 0xa078b8b6b6446a20, 0xd3225e2b128ae8c5, 0xf720ed300f2d4c5d,
        0x1c18a88f533be726, 0xa939434467c3e12a, 0x93748e2df7b49288, 0xc53f95b7204afe91
    ]
}

// gen_vectors.py — run with Python 3 to regenerate the two digest tables above:
// M = (1 << 64) - 1
// class SplitMix:
//     def __init__(self, seed): self.s = seed & M
//     def next(self):
//         self.s = (self.s + 0x9E3779B97F4A7C15) & M
//         z = self.s
//         z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
//         z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
//         return z ^ (z >> 31)
//
// def number(r, max_len):
//     n = r.next() % (max_len + 1)
//     style = r.next() % 8
//     b = bytearray(r.next() & 0xFF for _ in range(n))
//     if style == 0:
//         b = bytearray(b"\xff" * n)
//     elif style == 1:
//         for i in range(n // 2): b[i] = 0
//     elif style == 2 and n > 0:
//         b = bytearray(n); b[r.next() % n] = 1 << (r.next() % 8)
//     return bytes(b)
//
// def size(r):
//     c = r.next() % 16
//     return 16 if c < 8 else 64 if c < 12 else 160 if c < 15 else 300
//
// def modulus(r, max_len):
//     m = bytearray(number(r, max_len))
//     kind = r.next() % 4
//     if kind == 0 and m: m[-1] |= 1
//     elif kind == 1 and m: m[-1] &= 0xFE
//     elif kind == 2:
//         t = r.next() % (len(m) + 1)
//         for i in range(len(m) - t, len(m)): m[i] = 0
//         if len(m) > t: m[len(m) - t - 1] |= 1
//     return bytes(m)
//
// def fnv(data):
//     h = 0xCBF29CE484222325
//     for x in data: h = ((h ^ x) * 0x100000001B3) & M
//     return h
//
// def case(r):
//     base = number(r, size(r))
//     exp = number(r, [1, 8, 33, 64][r.next() % 4])
//     mod = modulus(r, size(r))
//     return base, exp, mod
//
// r = SplitMix(0x5EED)
// pows, divs = [], []
// for i in range(400):
//     b, e, m = case(r)
//     bi, ei, mi = (int.from_bytes(x, "big") for x in (b, e, m))
//     out = (pow(bi, ei, mi) if mi else 0).to_bytes(len(m), "big")
//     pows.append(fnv(out))
//     if mi:
//         q, rem = divmod(bi, mi)
//         divs.append(fnv(q.to_bytes(max(1, (q.bit_length() + 7) // 8), "big") + b"|" + rem.to_bytes(len(m), "big")))
//     else:
//         divs.append(0)
// def fmt(xs):
//     return ",\n".join("        " + ", ".join("0x%016x" % x for x in xs[i:i+4]) for i in range(0, len(xs), 4))
// print("POW"); print(fmt(pows)); print("DIV"); print(fmt(divs))
