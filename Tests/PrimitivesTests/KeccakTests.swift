import XCTest
import Foundation
@testable import Primitives

/// Locates `../shared/vectors` from this source file (the repo sits beside `shared/`).
enum Vectors {
    static var root: URL {
        if let env = ProcessInfo.processInfo.environment["STAKENET_VECTORS"] { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/vectors")
    }
    static func json(_ path: String) throws -> Any {
        let data = try Data(contentsOf: root.appendingPathComponent(path))
        return try JSONSerialization.jsonObject(with: data)
    }
}

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
