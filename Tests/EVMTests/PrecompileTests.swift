import XCTest
import EthCrypto
import Primitives
@testable import EVM

final class PrecompileTests: XCTestCase {
    private func addr(_ n: UInt64) -> Address { Address(truncating: UInt256(n)) }
    private func hex(_ s: String) -> [UInt8] { Hex.decode(s)! }
    private func word(_ n: UInt256) -> [UInt8] { n.bytes32 }

    private func assertSuccess(_ r: PrecompileResult, output: [UInt8], gasUsed: UInt64,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(r.success, "failed: \(r.error ?? "")", file: file, line: line)
        XCTAssertEqual(Hex.encode(r.output), Hex.encode(output), file: file, line: line)
        XCTAssertEqual(r.gasUsed, gasUsed, file: file, line: line)
        XCTAssertNil(r.error, file: file, line: line)
    }

    private func assertFailure(_ r: PrecompileResult, gas: UInt64, error: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(r.success, file: file, line: line)
        XCTAssertEqual(r.output, [], file: file, line: line)
        XCTAssertEqual(r.gasUsed, gas, file: file, line: line)
        XCTAssertEqual(r.error, error, file: file, line: line)
    }

    func testTable() {
        XCTAssertFalse(Precompiles.isPrecompile(addr(0)))
        for i in 1...10 { XCTAssertTrue(Precompiles.isPrecompile(addr(UInt64(i)))) }
        XCTAssertFalse(Precompiles.isPrecompile(addr(11)))
        XCTAssertFalse(Precompiles.isPrecompile(Address(truncating: UInt256(w0: 1, w1: 1, w2: 0, w3: 0))))
    }

    // MARK: 0x01 ecrecover

    func testEcrecoverOfOwnSignature() throws {
        let key = [UInt8](repeating: 0x42, count: 32)
        let hash = Keccak256.hash(Array("stakenet".utf8))
        let sig = try Secp256k1.sign(hash: hash, privateKey: key)
        let signer = try Secp256k1.address(privateKey: key)
        let input = hash + word(UInt256(27 + UInt64(sig.recoveryId))) + word(sig.r) + word(sig.s)
        let r = Precompiles.run(addr(1), input: input, gas: 5000)
        assertSuccess(r, output: [UInt8](repeating: 0, count: 12) + signer.bytes, gasUsed: 3000)
        // Trailing bytes past 128 are ignored.
        assertSuccess(Precompiles.run(addr(1), input: input + [1, 2, 3], gas: 3000),
                      output: r.output, gasUsed: 3000)
        assertFailure(Precompiles.run(addr(1), input: input, gas: 2999), gas: 2999, error: "out of gas")

        // Invalid inputs succeed with empty output and cost the full 3000.
        let other = UInt256(27 + UInt64(1 - sig.recoveryId))
        let bad: [[UInt8]] = [
            [],                                                              // all zero
            hash + word(UInt256(29)) + word(sig.r) + word(sig.s),            // v = 29
            hash + word(UInt256(UInt64(sig.recoveryId))) + word(sig.r) + word(sig.s),// v = 0/1 is not accepted
            hash + word(UInt256(w0: 27 + UInt64(sig.recoveryId), w1: 0, w2: 0, w3: 1 << 56)) + word(sig.r) + word(sig.s),
            hash + word(UInt256(27)) + word(.zero) + word(sig.s),            // r = 0
            hash + word(UInt256(27)) + word(sig.r) + word(Secp256k1.n),      // s = n
            hash + word(UInt256(27)) + word(Secp256k1.n) + word(sig.s),      // r = n
        ]
        for b in bad {
            assertSuccess(Precompiles.run(addr(1), input: b, gas: 3000), output: [], gasUsed: 3000)
        }
        // The other parity recovers some other key (or none), never the signer.
        let flipped = Precompiles.run(addr(1), input: hash + word(other) + word(sig.r) + word(sig.s), gas: 3000)
        XCTAssertTrue(flipped.success)
        XCTAssertNotEqual(flipped.output, r.output)
    }

    // MARK: 0x02–0x04

    func testSha256() {
        assertSuccess(Precompiles.run(addr(2), input: [], gas: 60),
                      output: hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), gasUsed: 60)
        assertSuccess(Precompiles.run(addr(2), input: Array("abc".utf8), gas: 100),
                      output: hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), gasUsed: 72)
        // 33 bytes = 2 words.
        XCTAssertEqual(Precompiles.run(addr(2), input: [UInt8](repeating: 1, count: 33), gas: 84).gasUsed, 84)
        assertFailure(Precompiles.run(addr(2), input: [UInt8](repeating: 1, count: 33), gas: 83), gas: 83, error: "out of gas")
    }

    func testRipemd160() {
        let pad = [UInt8](repeating: 0, count: 12)
        assertSuccess(Precompiles.run(addr(3), input: [], gas: 600),
                      output: pad + hex("9c1185a5c5e9fc54612808977ee8f548b2258d31"), gasUsed: 600)
        assertSuccess(Precompiles.run(addr(3), input: Array("abc".utf8), gas: 1000),
                      output: pad + hex("8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"), gasUsed: 720)
        assertFailure(Precompiles.run(addr(3), input: Array("abc".utf8), gas: 719), gas: 719, error: "out of gas")
    }

    func testIdentity() {
        let data = (0..<65).map { UInt8($0) }
        assertSuccess(Precompiles.run(addr(4), input: data, gas: 100), output: data, gasUsed: 15 + 3 * 3)
        assertSuccess(Precompiles.run(addr(4), input: [], gas: 15), output: [], gasUsed: 15)
        assertFailure(Precompiles.run(addr(4), input: [1], gas: 17), gas: 17, error: "out of gas")
    }

    // MARK: 0x05 modexp

    private func modexpInput(_ base: [UInt8], _ exp: [UInt8], _ mod: [UInt8]) -> [UInt8] {
        word(UInt256(UInt64(base.count))) + word(UInt256(UInt64(exp.count))) + word(UInt256(UInt64(mod.count)))
            + base + exp + mod
    }

    func testModExpEIP198Examples() {
        let p = hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
        let pMinus1 = hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e")
        // 3^(p−1) mod p = 1 (Fermat). Gas: ⌈32/8⌉² · 255 / 3 = 1360.
        assertSuccess(Precompiles.run(addr(5), input: modexpInput([3], pMinus1, p), gas: 10_000),
                      output: word(.one), gasUsed: 1360)
        // 0^(p−1) mod p with an empty base = 0.
        assertSuccess(Precompiles.run(addr(5), input: modexpInput([], pMinus1, p), gas: 10_000),
                      output: word(.zero), gasUsed: 1360)
        assertFailure(Precompiles.run(addr(5), input: modexpInput([3], pMinus1, p), gas: 1359), gas: 1359, error: "out of gas")
    }

    func testModExpSmallAndEdgeCases() {
        // 3^5 mod 7 = 5; the 200 minimum.
        assertSuccess(Precompiles.run(addr(5), input: modexpInput([3], [5], [7]), gas: 200), output: [5], gasUsed: 200)
        // Output is modLen bytes, left-padded.
        assertSuccess(Precompiles.run(addr(5), input: modexpInput([3], [5], [0, 0, 7]), gas: 200), output: [0, 0, 5], gasUsed: 200)
        // x^0 mod m = 1; 0^0 = 1; anything mod 1 = 0; modulus 0 gives zeros.
        assertSuccess(Precompiles.run(addr(5), input: modexpInput([9], [], [10]), gas: 200), output: [1], gasUsed: 200)
        assertSuccess(Precompiles.run(addr(5), input: modexpInput([], [], [10]), gas: 200), output: [1], gasUsed: 200)
        assertSuccess(Precompiles.run(addr(5), input: modexpInput([9], [3], [1]), gas: 200), output: [0], gasUsed: 200)
        assertSuccess(Precompiles.run(addr(5), input: modexpInput([9], [3], [0, 0]), gas: 200), output: [0, 0], gasUsed: 200)
        // Empty input: all lengths zero, empty output.
        assertSuccess(Precompiles.run(addr(5), input: [], gas: 200), output: [], gasUsed: 200)
        // Short input: the missing modulus byte reads as zero → modulus 0.
        let full = modexpInput([3], [5], [7])
        assertSuccess(Precompiles.run(addr(5), input: Array(full.dropLast()), gas: 200), output: [0], gasUsed: 200)
        // Short input inside the header: lengths read zero-padded on the right.
        // baseLen = 1, then 31 bytes of expLen: expLen = 0x0100 (zero-padded last byte).
        let partial = word(.one) + [UInt8](repeating: 0, count: 30) + [1]
        XCTAssertEqual(partial.count, 63)
        // modLen = 0 and baseLen = 1 → complexity 1, iterations 8 · (256 − 32) = 1792 → 597.
        XCTAssertEqual(Precompiles.run(addr(5), input: partial, gas: 1000).gasUsed, 597)
        XCTAssertEqual(Precompiles.run(addr(5), input: partial, gas: 1000).output, [])
    }

    func testModExpHugeLengths() {
        let maxWord = word(.max)
        // baseLen = modLen = 0: complexity 0, so a 2²⁵⁶ − 1 byte exponent costs the 200 minimum
        // and is never read.
        assertSuccess(Precompiles.run(addr(5), input: word(.zero) + maxWord + word(.zero), gas: 200), output: [], gasUsed: 200)
        // Any other huge length is out of gas, whatever the gas.
        for input in [maxWord + word(.zero) + word(.one),
                      word(.one) + word(.zero) + maxWord,
                      word(.one) + maxWord + word(.one),
                      word(.one) + word(UInt256(1) << 70) + word(.one),
                      word(UInt256(1) << 64) + word(.zero) + word(.zero),
                      word(UInt256(1) << 40) + word(UInt256(1) << 40) + word(UInt256(1) << 40)] {
            assertFailure(Precompiles.run(addr(5), input: input, gas: .max), gas: .max, error: "out of gas")
            assertFailure(Precompiles.run(addr(5), input: input, gas: 30_000_000), gas: 30_000_000, error: "out of gas")
        }
        // Exact just below 2⁶⁴: baseLen 1, modLen 1, expLen = 32 + (3·2⁶⁴ − 3)/8... pick
        // expLen − 32 = 2⁶¹: iterations 2⁶⁴ → cost ⌊2⁶⁴ / 3⌋ = 6148914691236517205, which fits.
        let input = word(.one) + word(UInt256(1) << 61 &+ UInt256(32)) + word(.one)
        let header = ModExp.Header(input)
        XCTAssertEqual(header.gasCost, 6_148_914_691_236_517_205)
        XCTAssertEqual(Precompiles.run(addr(5), input: input, gas: 6_148_914_691_236_517_204).error, "out of gas")
        // One more doubling overflows UInt64.
        XCTAssertNil(ModExp.Header(word(.one) + word(UInt256(1) << 63 &+ UInt256(32)) + word(.one)).gasCost)
    }

    /// EIP-2565 gas for the geth `modexp_nagydani_*` sizes (the gas depends only on the
    /// lengths and the exponent's head).
    func testModExpEIP2565GasFigures() {
        func gas(_ len: Int, _ exp: [UInt8]) -> UInt64? {
            let filler = [UInt8](repeating: 0xff, count: len)
            return ModExp.Header(modexpInput(filler, exp, filler)).gasCost
        }
        XCTAssertEqual(gas(64, [2]), 200)           // nagydani_1_square
        XCTAssertEqual(gas(64, [3]), 200)           // nagydani_1_qube
        XCTAssertEqual(gas(64, [1, 0, 1]), 341)     // nagydani_1_pow0x10001
        XCTAssertEqual(gas(128, [2]), 200)
        XCTAssertEqual(gas(128, [1, 0, 1]), 1365)
        XCTAssertEqual(gas(256, [2]), 341)
        XCTAssertEqual(gas(256, [1, 0, 1]), 5461)
        XCTAssertEqual(gas(512, [2]), 1365)
        XCTAssertEqual(gas(512, [1, 0, 1]), 21845)
        XCTAssertEqual(gas(1024, [3]), 5461)        // nagydani_5_qube
        XCTAssertEqual(gas(1024, [1, 0, 1]), 87381)
        // A 33-byte exponent with a zero head: 8 · 1 + 0 iterations.
        XCTAssertEqual(gas(256, [UInt8](repeating: 0, count: 32) + [5]), 1024 * 8 / 3)
    }

    /// Fermat on Mersenne primes: a^(p−1) ≡ 1 (mod p) for 66-, 160- and 276-byte moduli,
    /// through the gas check and dispatch. (BigNatTests covers the arithmetic itself.)
    func testModExpLargeFermat() {
        for bits in [521, 1279, 2203] {
            let p = (BigNat(1) << bits) - BigNat(1)
            let len = (bits + 7) / 8
            let pBytes = p.bigEndianBytes(count: len)
            let exp = (p - BigNat(1)).bigEndianBytes(count: len)
            let base = [UInt8](repeating: 0x5a, count: len - 1)
            let r = Precompiles.run(addr(5), input: modexpInput(base, exp, pBytes), gas: 10_000_000)
            XCTAssertTrue(r.success)
            XCTAssertEqual(r.output, [UInt8](repeating: 0, count: len - 1) + [1], "M\(bits)")
        }
    }

    // MARK: 0x06–0x08 bn254 (dispatch and gas; the arithmetic is BN254's)

    func testBN254Dispatch() {
        let g = word(.one) + word(UInt256(2))
        let twoG = hex("030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd315ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4")
        assertSuccess(Precompiles.run(addr(6), input: g + g, gas: 500), output: twoG, gasUsed: 150)
        assertSuccess(Precompiles.run(addr(6), input: [], gas: 150), output: [UInt8](repeating: 0, count: 64), gasUsed: 150)
        assertFailure(Precompiles.run(addr(6), input: g + g, gas: 149), gas: 149, error: "out of gas")
        let notOnCurve = word(.one) + word(UInt256(3))
        assertFailure(Precompiles.run(addr(6), input: notOnCurve, gas: 1000), gas: 1000, error: "invalid point")

        assertSuccess(Precompiles.run(addr(7), input: g + word(UInt256(2)), gas: 6000), output: twoG, gasUsed: 6000)
        assertFailure(Precompiles.run(addr(7), input: g, gas: 5999), gas: 5999, error: "out of gas")
        assertFailure(Precompiles.run(addr(7), input: notOnCurve + word(.one), gas: 7000), gas: 7000, error: "invalid point")

        // Empty pairing input: the empty product is one.
        assertSuccess(Precompiles.run(addr(8), input: [], gas: 45000), output: word(.one), gasUsed: 45000)
        assertFailure(Precompiles.run(addr(8), input: [], gas: 44999), gas: 44999, error: "out of gas")
        // 200 bytes: k = 1 → 79000 is charged first, then the size is rejected.
        assertFailure(Precompiles.run(addr(8), input: [UInt8](repeating: 0, count: 200), gas: 78999), gas: 78999, error: "out of gas")
        assertFailure(Precompiles.run(addr(8), input: [UInt8](repeating: 0, count: 200), gas: 100_000),
                      gas: 100_000, error: "bad elliptic curve pairing size")
        // One pair with G1 not on the curve.
        assertFailure(Precompiles.run(addr(8), input: notOnCurve + [UInt8](repeating: 0, count: 128), gas: 79000),
                      gas: 79000, error: "invalid point")
    }

    // MARK: 0x09 blake2f (EIP-152 test vectors)

    private let blakeBody = "48c9bdf267e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d182e6ad7f520e511f6c3e2b8c68059b6bbd41fbabd9831f79217e1319cde05b61626300000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000300000000000000000000000000000000"

    private func blakeInput(rounds: String, final: String) -> [UInt8] {
        hex(rounds + blakeBody.dropLast(2) + final)
    }

    func testBlake2FVectors() {
        // Vectors 0–2: wrong lengths (0, 212, 214 bytes).
        assertFailure(Precompiles.run(addr(9), input: [], gas: 1000), gas: 1000, error: "invalid input length")
        let v1 = hex("00000c" + blakeBody.dropLast(2) + "01")
        XCTAssertEqual(v1.count, 212)
        assertFailure(Precompiles.run(addr(9), input: v1, gas: 1000), gas: 1000, error: "invalid input length")
        let v2 = hex("000000000c" + blakeBody.dropLast(2) + "01")
        XCTAssertEqual(v2.count, 214)
        assertFailure(Precompiles.run(addr(9), input: v2, gas: 1000), gas: 1000, error: "invalid input length")
        // Vector 3: final flag 2.
        assertFailure(Precompiles.run(addr(9), input: blakeInput(rounds: "0000000c", final: "02"), gas: 1000),
                      gas: 1000, error: "invalid final flag")
        // Vector 4: zero rounds costs nothing.
        assertSuccess(Precompiles.run(addr(9), input: blakeInput(rounds: "00000000", final: "01"), gas: 0),
                      output: hex("08c9bcf367e6096a3ba7ca8485ae67bb2bf894fe72f36e3cf1361d5f3af54fa5d282e6ad7f520e511f6c3e2b8c68059b9442be0454267ce079217e1319cde05b"),
                      gasUsed: 0)
        // Vector 5: 12 rounds, final (BLAKE2b-512 of "abc").
        assertSuccess(Precompiles.run(addr(9), input: blakeInput(rounds: "0000000c", final: "01"), gas: 12),
                      output: hex("ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"),
                      gasUsed: 12)
        // Vector 6: not final.
        assertSuccess(Precompiles.run(addr(9), input: blakeInput(rounds: "0000000c", final: "00"), gas: 100),
                      output: hex("75ab69d3190a562c51aef8d88f1c2775876944407270c42c9844252c26d2875298743e7f6d5ea2f2d3e8d226039cd31b4e426ac4f2d3d666a610c2116fde4735"),
                      gasUsed: 12)
        // Vector 7: one round.
        assertSuccess(Precompiles.run(addr(9), input: blakeInput(rounds: "00000001", final: "01"), gas: 1),
                      output: hex("b63a380cb2897d521994a85234ee2c181b5f844d2c624c002677e9703449d2fba551b3a8333bcdf5f2f7e08993d53923de3d64fcc68c034e717b9293fed7a421"),
                      gasUsed: 1)
        // Vector 8 (2³² − 1 rounds) is only checked for its gas: out of gas below 4294967295.
        assertFailure(Precompiles.run(addr(9), input: blakeInput(rounds: "ffffffff", final: "01"), gas: 4_294_967_294),
                      gas: 4_294_967_294, error: "out of gas")
        assertFailure(Precompiles.run(addr(9), input: blakeInput(rounds: "0000000c", final: "01"), gas: 11),
                      gas: 11, error: "out of gas")
    }

    // MARK: 0x0a point evaluation

    func testPointEvaluationRefused() {
        let r = Precompiles.run(addr(10), input: [UInt8](repeating: 0, count: 192), gas: 60_000)
        assertFailure(r, gas: 60_000,
                      error: "KZG point evaluation is not supported: stakenet accepts no blob transactions")
        assertFailure(Precompiles.run(addr(10), input: [], gas: 49_999), gas: 49_999, error: "out of gas")
    }

    func testNotAPrecompile() {
        XCTAssertFalse(Precompiles.run(addr(11), input: [], gas: 100).success)
    }
}
