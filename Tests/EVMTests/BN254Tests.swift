import XCTest
import Foundation
import Primitives
import EVM

/// alt_bn128 precompiles (EIP-196/197). Expected values come from py_ecc (bn128), from
/// go-ethereum's precompile test vectors (core/vm/testdata/precompiles/bn256*.json, the `jeff*`
/// and `two_point_match_4` inputs) and from well-known facts (2G, the group order).
final class BN254Tests: XCTestCase {
    // MARK: points

    /// G1 generator (1, 2).
    static let g = "0000000000000000000000000000000000000000000000000000000000000001" +
                   "0000000000000000000000000000000000000000000000000000000000000002"
    static let negG = "0000000000000000000000000000000000000000000000000000000000000001" +
                      "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45"
    static let twoG = "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3" +
                      "15ed738c0e0a7c92e7845f96b2ae9c0a68a6a449e3538fc7ff3ebf7a5a18a2c4"
    static let negTwoG = "030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3" +
                         "1a76dae6d3272396d0cbe61fced2bc532edac647851e3ac53ce1cc9c7e645a83"
    static let g1Inf = String(repeating: "0", count: 128)
    static let g2Inf = String(repeating: "0", count: 256)
    /// G2 generator, each coordinate imaginary part first.
    static let q = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2" +
                   "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed" +
                   "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b" +
                   "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
    static let negQ = "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2" +
                      "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed" +
                      "275dc4a288d1afb3cbb1ac09187524c7db36395df7be3b99e673b13a075a65ec" +
                      "1d9befcd05a5323e6da4d435f3b617cdb3af83285c2df711ef39c01571827f9d"
    static let twoQ = "203e205db4f19b37b60121b83a7333706db86431c6d835849957ed8c3928ad79" +
                      "27dc7234fd11d3e8c36c59277c3e6f149d5cd3cfa9a62aee49f8130962b4b3b9" +
                      "195e8aa5b7827463722b8c153931579d3505566b4edf48d498e185f0509de152" +
                      "04bb53b8977e5f92a0bc372742c4830944a59b4fe6b1c0466e2a6dad122b5d2e"
    /// A point of the twist y² = x³ + 3/(9+i) with x = 2 + i that is not in the order-r subgroup.
    static let qOutsideSubgroup = "0000000000000000000000000000000000000000000000000000000000000001" +
                                  "0000000000000000000000000000000000000000000000000000000000000002" +
                                  "2b76c179599bb92a963dac85546a005a777f7c13f6a7b75d5918b6b5808f5fde" +
                                  "101f7278419308b95099eca02dcee0c5381f4d26d1d62313f057167f064101ce"

    // Random scalars a, c and derived points (py_ecc).
    static let a = "0dbd9d7381e74ef5e8e25d940ed904759531985d5d9dc9f81818e811892f902b"
    static let c = "23445bb31738f7d93d9c172411e20b8f6b0d549b6f03675a1600a35a099950d8"
    static let aG = "1ae45b9e3e40f4863023d2b19114e1321a969a57c4e97defcf48478f1f2a4709" +
                    "30419982b112d34571bda2932cdce689159b176df28eab11bbc2f905acc8048b"
    static let cG = "036da5688ec6d193ec3f28d5e360181d81b8f599114a58fc563c73c3be6c378d" +
                    "29a91090829c684092e2a58f5e04c0fb83dd5f4f8cecc3529398205847e18e34"
    static let aGplusCG = "2e1be9ecb87a4dee937186174156aec76e0dd61e9bde3584347f08badca3d3ad" +
                          "0d018fc3ceab5b9536e5e24fb289cffb8f63aa76cae97b06bed91d4ae4b74752"
    static let acG = "0e04a7de2e816bb67cb37b2187b7dbba55cd078037001b651dcde2288a1564e5" +
                     "1071581d3f3cae300c487ef20710b8e42aa360284284bcc79a5d364e4a07fd79"
    static let negAcG = "0e04a7de2e816bb67cb37b2187b7dbba55cd078037001b651dcde2288a1564e5" +
                        "1ff2f655a1f4f1f9ac07c6c47a709f796cde0a6925ed0dc5a1c355c88e74ffce"
    static let cQ = "1ad77b74f6b24b22094569d4239c30a0d819ca5fb355f30e0e678a4cdbd536a3" +
                    "13dc14a52ae2b901d3dc53a98df3084d552415453e8c83a10e1febf29021cbc3" +
                    "20804035b6b0c61648bbb20b0f015e6c1c66d04407f63ceef2c4bf6bfb7d70b5" +
                    "29709659926ee00665d8a470a2dd70a35551696009a925414197b4fbd7c9f0fd"

    static let p = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47"
    static let r = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001"
    static let rMinus1 = "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000000"
    static let zero32 = String(repeating: "0", count: 64)
    static let one32 = String(repeating: "0", count: 63) + "1"

    private func hex(_ s: String) -> [UInt8] { Hex.decode(s)! }
    private func word(_ n: UInt64) -> String { String(UInt256(n).bytes32.hex.dropFirst(2)) }

    private func add(_ s: String) -> String? { BN254.add(hex(s)).map { Hex.encode($0, prefix: false) } }
    private func mul(_ s: String) -> String? { BN254.mul(hex(s)).map { Hex.encode($0, prefix: false) } }
    private func pairing(_ s: String) -> String? { BN254.pairing(hex(s)).map { Hex.encode($0, prefix: false) } }

    // MARK: ECADD

    func testAddDoublesTheGenerator() {
        XCTAssertEqual(add(Self.g + Self.g), Self.twoG)
    }

    func testAddRandomPoints() {
        XCTAssertEqual(add(Self.aG + Self.cG), Self.aGplusCG)
        XCTAssertEqual(add(Self.cG + Self.aG), Self.aGplusCG)
        XCTAssertEqual(add(Self.twoG + Self.negG), Self.g)
    }

    func testAddWithInfinity() {
        XCTAssertEqual(add(Self.g1Inf + Self.g1Inf), Self.g1Inf)
        XCTAssertEqual(add(Self.g1Inf + Self.aG), Self.aG)
        XCTAssertEqual(add(Self.aG + Self.g1Inf), Self.aG)
        XCTAssertEqual(add(Self.g + Self.negG), Self.g1Inf)
        XCTAssertEqual(add(Self.acG + Self.negAcG), Self.g1Inf)
    }

    func testAddPadsAndTruncatesInput() {
        XCTAssertEqual(BN254.add([]), [UInt8](repeating: 0, count: 64))
        // 64 bytes: the second point is read as zeros (infinity).
        XCTAssertEqual(add(Self.aG), Self.aG)
        // 96 bytes: the second point's y is padded with zeros: (1, 0) is not on the curve.
        XCTAssertNil(add(Self.aG + Self.one32))
        // Bytes past 128 are ignored, even when they would not parse.
        XCTAssertEqual(add(Self.g + Self.g + "ffffffff"), Self.twoG)
        XCTAssertEqual(add(Self.g + Self.g + Self.p + Self.p), Self.twoG)
    }

    func testAddRejectsInvalidPoints() {
        // Not on the curve.
        XCTAssertNil(add(word(1) + word(1) + Self.g))
        XCTAssertNil(add(Self.g + word(1) + word(3)))
        XCTAssertNil(add(Self.zero32 + word(1) + Self.g1Inf))
        // A coordinate ≥ p, even when it is congruent to a valid one: (1 + p, 2).
        let xPlusP = "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd48"
        XCTAssertNil(add(xPlusP + word(2) + Self.g))
        XCTAssertNil(add(Self.g + word(1) + "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd49"))
        XCTAssertNil(add(Self.p + Self.zero32 + Self.g1Inf))
        XCTAssertNil(add(String(repeating: "f", count: 128) + Self.g1Inf))
    }

    // MARK: ECMUL

    func testMulSmallScalars() {
        XCTAssertEqual(mul(Self.g + word(2)), Self.twoG)
        XCTAssertEqual(mul(Self.g + word(1)), Self.g)
        XCTAssertEqual(mul(Self.g + word(0)), Self.g1Inf)
        XCTAssertEqual(mul(Self.g + word(5616)),
                       "19ecbd0e69e7a93c099b89ee70f3674afff09111a9161aea90350a32a30f0cee" +
                       "1b98b6630ba98443093473dd2f9cd8dc0b77008490334979fea607c922073dbe")
    }

    func testMulByGroupOrder() {
        XCTAssertEqual(mul(Self.g + Self.r), Self.g1Inf)
        XCTAssertEqual(mul(Self.aG + Self.r), Self.g1Inf)
        XCTAssertEqual(mul(Self.g + Self.rMinus1), Self.negG)
    }

    func testMulLargeScalars() {
        XCTAssertEqual(mul(Self.aG + Self.c), Self.acG)
        XCTAssertEqual(mul(Self.cG + Self.a), Self.acG)
        // 2²⁵⁶ − 1 (not reduced mod r by the caller).
        XCTAssertEqual(mul(Self.g + String(repeating: "f", count: 64)),
                       "2f588cffe99db877a4434b598ab28f81e0522910ea52b45f0adaa772b2d5d352" +
                       "12f42fa8fd34fb1b33d8c6a718b6590198389b26fc9d8808d971f8b009777a97")
    }

    func testMulInfinityAndPadding() {
        XCTAssertEqual(mul(Self.g1Inf + Self.c), Self.g1Inf)
        XCTAssertEqual(BN254.mul([]), [UInt8](repeating: 0, count: 64))
        // 64 bytes: scalar 0.
        XCTAssertEqual(mul(Self.g), Self.g1Inf)
        // 80 bytes: the 16 scalar bytes are the high half, i.e. the scalar is 2¹²⁸.
        XCTAssertEqual(mul(Self.g + "00000000000000000000000000000001"),
                       "13b8fec4a1eb2c7e3ccc07061ad516277c3bbe57bd4a302012b58a517f6437a4" +
                       "224d978b5763831dff16ce9b2c42222684835fedfc70ffec005789bb0c10de36")
        // Bytes past 96 are ignored.
        XCTAssertEqual(mul(Self.g + word(2) + "ff"), Self.twoG)
    }

    func testMulRejectsInvalidPoints() {
        XCTAssertNil(mul(word(1) + word(1) + word(2)))
        XCTAssertNil(mul(word(1) + "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd49" + word(2)))
        XCTAssertNil(mul(word(1) + word(1) + word(0)))  // invalid even with scalar 0
    }

    // MARK: pairing

    func testPairingEmptyInputIsOne() {
        XCTAssertEqual(pairing(""), Self.one32)
    }

    func testPairingInverseCancels() {
        // e(G, Q)·e(G, −Q) = 1 and e(G, Q)·e(−G, Q) = 1.
        XCTAssertEqual(pairing(Self.g + Self.q + Self.g + Self.negQ), Self.one32)
        XCTAssertEqual(pairing(Self.g + Self.q + Self.negG + Self.q), Self.one32)
        // e(G, Q)·e(G, Q) ≠ 1: the pairing is not degenerate.
        XCTAssertEqual(pairing(Self.g + Self.q + Self.g + Self.q), Self.zero32)
        XCTAssertEqual(pairing(Self.g + Self.q), Self.zero32)
    }

    func testPairingBilinearity() {
        // e(G, 2Q)·e(−2G, Q) = 1.
        XCTAssertEqual(pairing(Self.g + Self.twoQ + Self.negTwoG + Self.q), Self.one32)
        // e(aG, cQ)·e(−acG, Q) = 1, and with the wrong sign it is not.
        XCTAssertEqual(pairing(Self.aG + Self.cQ + Self.negAcG + Self.q), Self.one32)
        XCTAssertEqual(pairing(Self.aG + Self.cQ + Self.acG + Self.q), Self.zero32)
        // Four pairs, two cancelling groups.
        XCTAssertEqual(pairing(Self.g + Self.q + Self.aG + Self.cQ + Self.negG + Self.q + Self.negAcG + Self.q),
                       Self.one32)
    }

    func testPairingWithInfinity() {
        XCTAssertEqual(pairing(Self.g1Inf + Self.q), Self.one32)
        XCTAssertEqual(pairing(Self.g + Self.g2Inf), Self.one32)
        XCTAssertEqual(pairing(Self.g1Inf + Self.g2Inf), Self.one32)
        XCTAssertEqual(pairing(Self.g1Inf + Self.q + Self.g + Self.q + Self.negG + Self.q), Self.one32)
        XCTAssertEqual(pairing(Self.g + Self.g2Inf + Self.g + Self.q), Self.zero32)
    }

    /// go-ethereum's bn256Pairing.json vectors.
    func testPairingGethVectors() {
        let jeff1 = "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf704bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c2032c61a830e3c17286de9462bf242fca2883585b93870a73853face6a6bf411198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
        let jeff2 = "2eca0c7238bf16e83e7a1e6c5d49540685ff51380f309842a98561558019fc0203d3260361bb8451de5ff5ecd17f010ff22f5c31cdf184e9020b06fa5997db841213d2149b006137fcfb23036606f848d638d576a120ca981b5b1a5f9300b3ee2276cf730cf493cd95d64677bbb75fc42db72513a4c1e387b476d056f80aa75f21ee6226d31426322afcda621464d0611d226783262e21bb3bc86b537e986237096df1f82dff337dd5972e32a8ad43e28a78a96a823ef1cd4debe12b6552ea5f06967a1237ebfeca9aaae0d6d0bab8e28c198c5a339ef8a2407e31cdac516db922160fa257a5fd5b280642ff47b65eca77e626cb685c84fa6d3b6882a283ddd1198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
        // jeff1 with the second G1 point's y replaced: the product is no longer one.
        let jeff6 = "1c76476f4def4bb94541d57ebba1193381ffa7aa76ada664dd31c16024c43f593034dd2920f673e204fee2811c678745fc819b55d3e9d294e45c9b03a76aef41209dd15ebff5d46c4bd888e51a93cf99a7329636c63514396b4a452003a35bf704bf11ca01483bfa8b34b43561848d28905960114c8ac04049af4b6315a416782bb8324af6cfc93537a2ad1a445cfd0ca2a71acd7ac41fadbf933c2a51be344d120a2a4cf30c1bf9845f20c6fe39e07ea2cce61f0c9bb048165fe5e4de877550111e129f1cf1097710d41c4ac70fcdfa5ba2023c6ff1cbeac322de49d1b6df7c103188585e2364128fe25c70558f1560f4f9350baf3959e603cc91486e110936198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
        let twoPointMatch4 = "105456a333e6d636854f987ea7bb713dfd0ae8371a72aea313ae0c32c0bf10160cf031d41b41557f3e7e3ba0c51bebe5da8e6ecd855ec50fc87efcdeac168bcc0476be093a6d2b4bbf907172049874af11e1b6267606e00804d3ff0037ec57fd3010c68cb50161b7d1d96bb71edfec9880171954e56871abf3d93cc94d745fa114c059d74e5b6c4ec14ae5864ebe23a71781d86c29fb8fb6cce94f70d3de7a2101b33461f39d9e887dbb100f170a2345dde3c07e256d1dfa2b657ba5cd030427000000000000000000000000000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000021a2c3013d2ea92e13c800cde68ef56a294b883f6ac35d25f587c09b1b3c635f7290158a80cd3d66530f74dc94c94adb88f5cdb481acca997b6e60071f08a115f2f997f3dbd66a7afe07fe7862ce239edba9e05c5afff7f8a1259c9733b2dfbb929d1691530ca701b4a106054688728c9972c8512e9789e9567aae23e302ccd75"
        XCTAssertEqual(pairing(jeff1), Self.one32)
        XCTAssertEqual(pairing(jeff2), Self.one32)
        XCTAssertEqual(pairing(jeff6), Self.zero32)
        XCTAssertEqual(pairing(twoPointMatch4), Self.one32)
        XCTAssertEqual(pairing(jeff1 + jeff2 + twoPointMatch4), Self.one32)
        XCTAssertEqual(pairing(jeff1 + jeff6), Self.zero32)
    }

    func testPairingRejectsBadLength() {
        XCTAssertNil(pairing(Self.g + Self.q + "00"))
        XCTAssertNil(pairing(String((Self.g + Self.q).dropLast(2))))
        XCTAssertNil(pairing(Self.g))
        XCTAssertNil(pairing("00"))
    }

    func testPairingRejectsInvalidPoints() {
        // G1 not on the curve, or with a coordinate ≥ p.
        XCTAssertNil(pairing(word(1) + word(1) + Self.q))
        XCTAssertNil(pairing(word(1) + "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd49" + Self.q))
        // G2 not on the twist: y + 1.
        let offTwist = String(Self.q.dropLast(1)) + "b"
        XCTAssertNil(pairing(Self.g + offTwist))
        // G2 with real and imaginary parts in the wrong order is not on the twist.
        let swapped = String(Self.q.dropFirst(64).prefix(64)) + String(Self.q.prefix(64)) +
                      String(Self.q.dropFirst(192)) + String(Self.q.dropFirst(128).prefix(64))
        XCTAssertNil(pairing(Self.g + swapped))
        // G2 on the twist but outside the order-r subgroup.
        XCTAssertNil(pairing(Self.g + Self.qOutsideSubgroup))
        XCTAssertNil(pairing(Self.g1Inf + Self.qOutsideSubgroup))
        // A G2 coordinate ≥ p (each of the four words).
        for i in 0..<4 {
            var words = (0..<4).map { String(Self.q.dropFirst(64 * $0).prefix(64)) }
            words[i] = Self.p
            XCTAssertNil(pairing(Self.g + words.joined()), "word \(i)")
        }
        // An invalid pair makes the whole input invalid, wherever it is and whatever it is paired with.
        XCTAssertNil(pairing(Self.g + Self.q + Self.negG + Self.q + word(1) + word(1) + Self.g2Inf))
        XCTAssertNil(pairing(Self.g + Self.qOutsideSubgroup + Self.g + Self.q))
    }

    // MARK: speed

    /// Prints the cost of each operation (best batch average) for the record; timing is never
    /// asserted (this VM drifts), only that the timed calls gave answers. The precompile's speed
    /// beside its peers is measured by `scripts/bench --only evm`.
    func testTimingsPrinted() {
        func measureBest(_ n: Int, _ body: () -> Void) -> Double {
            var best = Double.infinity
            for _ in 0..<5 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<n { body() }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / Double(n))
            }
            return best / 1000  // µs
        }
        let addIn = hex(Self.aG + Self.cG)
        let mulIn = hex(Self.aG + Self.c)
        let pairIn = hex(Self.aG + Self.cQ + Self.negAcG + Self.q)
        #if DEBUG
        let (nAdd, nMul, nPair) = (20, 2, 1)
        #else
        let (nAdd, nMul, nPair) = (500, 50, 10)
        #endif
        var answers = (add: [UInt8]?.none, mul: [UInt8]?.none, pair: [UInt8]?.none)
        let tAdd = measureBest(nAdd) { answers.add = BN254.add(addIn) }
        let tMul = measureBest(nMul) { answers.mul = BN254.mul(mulIn) }
        let tPair = measureBest(nPair) { answers.pair = BN254.pairing(pairIn) }
        print(String(format: "BN254 timings: add %.1f µs, mul %.1f µs, 2-pair pairing %.1f µs", tAdd, tMul, tPair))
        XCTAssertEqual(answers.add?.count, 64)
        XCTAssertEqual(answers.mul?.count, 64)
        XCTAssertEqual(answers.pair?.last, 1, "e(aG, cQ)·e(−acG, Q) = 1")
    }
}
