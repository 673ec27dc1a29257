import XCTest
import Foundation
@testable import Primitives
import TestSupport

final class KeccakTests: XCTestCase {
    func testEmptyAndAbc() {
        XCTAssertEqual(keccak256([UInt8]()).hex, "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        XCTAssertEqual(keccak256(Array("abc".utf8)).hex, "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    func testEthersHashes() throws {
        let cases = try XCTUnwrap(Vectors.json("ethers-testcases/hashes.json") as? [[String: Any]])
        XCTAssertGreaterThan(cases.count, 200)
        for c in cases {
            let data = try XCTUnwrap(Hex.decode(c["data"] as! String))
            XCTAssertEqual(keccak256(data).hex, c["keccak256"] as? String)
        }
    }
}

final class KeccakBlockBoundaryTests: XCTestCase {
    /// XKCP's intermediate-values file: the state after Keccak-f[1600] on the zero state.
    func testPermutationOfZeroState() throws {
        let text = try String(contentsOf: Vectors.root.appendingPathComponent("keccak/xkcp/KeccakF-1600-IntermediateValues.txt"), encoding: .utf8)
        // The second example's input is the state after permuting the all-zero state.
        guard let ex = text.range(of: "+++ Example taking the previous output as input +++"),
              let r = text.range(of: "Input of permutation:", range: ex.upperBound..<text.endIndex) else {
            return XCTFail("vector file format changed")
        }
        let hexBytes = text[r.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(200)
        let expected = try hexBytes.map { try XCTUnwrap(UInt8($0, radix: 16)) }
        var state = [UInt64](repeating: 0, count: 25)
        Keccak256.permute(&state)
        let got = state.flatMap { lane in (0..<8).map { UInt8(truncatingIfNeeded: lane >> UInt64(8 * $0)) } }
        XCTAssertEqual(got, expected)
    }

    func testLengthsAroundTheRate() {
        // Same digest whether the bytes come contiguous or as a lazy collection.
        for n in [0, 1, 135, 136, 137, 271, 272, 273, 1000] {
            let data = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            XCTAssertEqual(keccak256(data), keccak256(data.lazy.map { $0 }), "length \(n)")
        }
    }
}
