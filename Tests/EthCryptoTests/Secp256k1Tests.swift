import XCTest
import Foundation
import Primitives
@testable import EthCrypto

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

func hexBytes(_ s: String, file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
    guard let b = Hex.decode(s.hasPrefix("0x") ? s : "0x" + s) else {
        XCTFail("bad hex \(s)", file: file, line: line); return []
    }
    return b
}

final class Secp256k1Tests: XCTestCase {
    func testConstants() {
        XCTAssertEqual(Secp256k1.n, UInt256(hex: "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"))
        XCTAssertEqual(Secp256k1.halfN, Secp256k1.n >> 1)
    }

    func testSignRecoverRoundtrip() throws {
        for i in 1...40 {
            let key = keccak256(Array("key \(i)".utf8))
            let hash = keccak256(Array("message \(i)".utf8))
            let addr = try Secp256k1.address(privateKey: key)
            let sig = try Secp256k1.sign(hash: hash, privateKey: key)
            XCTAssertLessThanOrEqual(sig.s, Secp256k1.halfN, "low-s")
            XCTAssertTrue(sig.recoveryId <= 1)
            XCTAssertEqual(Secp256k1.recover(hash: hash, r: sig.r, s: sig.s, recoveryId: sig.recoveryId), addr)
            XCTAssertEqual(Secp256k1.recover(hash: hash, signature65: sig.bytes65), addr)
            var v01 = sig.bytes65; v01[64] -= 27
            XCTAssertEqual(Secp256k1.recover(hash: hash, signature65: v01), addr)
            // Wrong recovery id gives some other address (or nil), never the signer.
            XCTAssertNotEqual(Secp256k1.recover(hash: hash, r: sig.r, s: sig.s, recoveryId: 1 - sig.recoveryId), addr)
            // High-s twin recovers the same signer with the flipped id (accepted here).
            let highS = Secp256k1.n - sig.s
            XCTAssertEqual(Secp256k1.recover(hash: hash, r: sig.r, s: highS, recoveryId: 1 - sig.recoveryId), addr)
            // Deterministic (RFC 6979).
            XCTAssertEqual(try Secp256k1.sign(hash: hash, privateKey: key), sig)
        }
    }

    func testAnvilAccountZeroKey() throws {
        let key = hexBytes("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        XCTAssertEqual(try Secp256k1.address(privateKey: key).checksummed, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    }

    func testInvalidInputs() throws {
        let hash = keccak256([UInt8]())
        let key = hexBytes("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        let sig = try Secp256k1.sign(hash: hash, privateKey: key)
        XCTAssertNil(Secp256k1.recover(hash: hash, r: .zero, s: sig.s, recoveryId: 0))
        XCTAssertNil(Secp256k1.recover(hash: hash, r: sig.r, s: .zero, recoveryId: 0))
        XCTAssertNil(Secp256k1.recover(hash: hash, r: Secp256k1.n, s: sig.s, recoveryId: 0))
        XCTAssertNil(Secp256k1.recover(hash: hash, r: sig.r, s: Secp256k1.n, recoveryId: 0))
        XCTAssertNil(Secp256k1.recover(hash: hash, r: .max, s: .max, recoveryId: 1))
        XCTAssertNil(Secp256k1.recover(hash: hash, r: sig.r, s: sig.s, recoveryId: 2))
        XCTAssertNil(Secp256k1.recover(hash: Array(hash.dropLast()), r: sig.r, s: sig.s, recoveryId: 0))
        XCTAssertNil(Secp256k1.recover(hash: [], r: sig.r, s: sig.s, recoveryId: 0))
        XCTAssertNil(Secp256k1.recover(hash: hash, signature65: Array(sig.bytes65.dropLast())))
        var bad = sig.bytes65; bad[64] = 29
        XCTAssertNil(Secp256k1.recover(hash: hash, signature65: bad))
        bad[64] = 37
        XCTAssertNil(Secp256k1.recover(hash: hash, signature65: bad))
        // r with no point on the curve: x = 5 has no y (5³+7 = 132 is a non-residue mod p).
        var rejected = 0
        for x in UInt64(1)...20 where Secp256k1.recover(hash: hash, r: UInt256(x), s: sig.s, recoveryId: 0) == nil {
            rejected += 1
        }
        XCTAssertGreaterThan(rejected, 0)

        XCTAssertThrowsError(try Secp256k1.sign(hash: hash, privateKey: [UInt8](repeating: 0, count: 32)))
        XCTAssertThrowsError(try Secp256k1.sign(hash: hash, privateKey: Secp256k1.n.bytes32))
        XCTAssertThrowsError(try Secp256k1.sign(hash: hash, privateKey: Array(key.dropLast())))
        XCTAssertThrowsError(try Secp256k1.sign(hash: Array(hash.dropLast()), privateKey: key))
        XCTAssertFalse(Secp256k1.isValidPrivateKey([]))
        XCTAssertFalse(Secp256k1.isValidPrivateKey(UInt256.max.bytes32))
        XCTAssertTrue(Secp256k1.isValidPrivateKey((Secp256k1.n - 1).bytes32))
        XCTAssertThrowsError(try Secp256k1.address(privateKey: [UInt8](repeating: 0, count: 32)))
    }
}
