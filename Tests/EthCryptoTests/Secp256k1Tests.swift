import XCTest
import Foundation
import Primitives
@testable import EthCrypto
import TestSupport

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
            XCTAssertEqual(Secp256k1.Signature(bytes65: sig.bytes65), sig)
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

    func testEthersAccounts() throws {
        let cases = try XCTUnwrap(Vectors.json("ethers-testcases/accounts.json") as? [[String: Any]])
        XCTAssertEqual(cases.count, 259)
        for c in cases {
            let key = hexBytes(c["privateKey"] as! String)
            let expected = c["address"] as! String
            let addr = try Secp256k1.address(privateKey: key)
            XCTAssertEqual(addr.checksummed, expected, c["name"] as? String ?? "")
            // And a signature by that key recovers to the same address.
            let hash = keccak256(key)
            let sig = try Secp256k1.sign(hash: hash, privateKey: key)
            XCTAssertEqual(Secp256k1.recover(hash: hash, signature65: sig.bytes65), addr)
        }
    }

    /// pyethereum's key/address vectors. Their `sig_of_emptystring` signatures recover to no
    /// address over keccak256(""), sha256(""), a zero hash or NIST SHA3("") (other clients skip
    /// them as wrong too), so only key = keccak256(seed) and key → address are checked here.
    func testKeyAddr() throws {
        let cases = try XCTUnwrap(Vectors.json("ethereum-tests/BasicTests/keyaddrtest.json") as? [[String: Any]])
        XCTAssertEqual(cases.count, 2)
        for c in cases {
            let key = hexBytes(try XCTUnwrap(c["key"] as? String))
            XCTAssertEqual(keccak256(Array(try XCTUnwrap(c["seed"] as? String).utf8)), key)
            let addr = try Secp256k1.address(privateKey: key)
            XCTAssertEqual(addr, Address(hex: "0x" + (try XCTUnwrap(c["addr"] as? String))))
        }
    }

    /// RFC 6979 known answers: pyethereum's signed pre-EIP-155 transactions (BasicTests/txtest.json)
    /// were made with deterministic nonces, so signing keccak256(rlp(6 fields)) with the same key
    /// must give the same r, and the same s up to the low-s twin (s, v) ↔ (n − s, v ^ 1).
    func testDeterministicSignaturesMatchTxTest() throws {
        let cases = try XCTUnwrap(Vectors.json("ethereum-tests/BasicTests/txtest.json") as? [[String: Any]])
        XCTAssertEqual(cases.count, 2)
        for c in cases {
            let key = hexBytes(try XCTUnwrap(c["key"] as? String))
            // "unsigned" is the 9-field list with empty v, r, s: drop them to get the signing payload.
            let unsigned = hexBytes(try XCTUnwrap(c["unsigned"] as? String))
            let body = try XCTUnwrap(rlpListPayload(unsigned))
            XCTAssertEqual(Array(body.suffix(3)), [0x80, 0x80, 0x80])
            let hash = keccak256(rlpList(Array(body.dropLast(3))))
            // "signed" ends with v (1 byte), 0xa0 ‖ r, 0xa0 ‖ s.
            let signed = hexBytes(try XCTUnwrap(c["signed"] as? String))
            let tail = Array(signed.suffix(67))
            XCTAssertEqual(tail[1], 0xa0); XCTAssertEqual(tail[34], 0xa0)
            let v = tail[0]
            let r = try XCTUnwrap(UInt256(bigEndian: tail[2..<34]))
            let s = try XCTUnwrap(UInt256(bigEndian: tail[35..<67]))
            let addr = try Secp256k1.address(privateKey: key)
            // The published signature (possibly high-s) recovers to the signer.
            XCTAssertEqual(Secp256k1.recover(hash: hash, r: r, s: s, recoveryId: v - 27), addr)
            let sig = try Secp256k1.sign(hash: hash, privateKey: key)
            XCTAssertEqual(sig.r, r)
            if s > Secp256k1.halfN {
                XCTAssertEqual(sig.s, Secp256k1.n - s)
                XCTAssertEqual(sig.recoveryId, 1 - (v - 27))
            } else {
                XCTAssertEqual(sig.s, s)
                XCTAssertEqual(sig.recoveryId, v - 27)
            }
        }
    }

    /// The payload of an RLP list (test helper; just enough for the vectors above).
    private func rlpListPayload(_ b: [UInt8]) -> [UInt8]? {
        guard let first = b.first else { return nil }
        if first >= 0xc0 && first <= 0xf7 { return Array(b.dropFirst()) }
        if first > 0xf7 {
            let n = Int(first - 0xf7)
            return Array(b.dropFirst(1 + n))
        }
        return nil
    }

    private func rlpList(_ payload: [UInt8]) -> [UInt8] {
        if payload.count <= 55 { return [0xc0 + UInt8(payload.count)] + payload }
        let len = UInt256(UInt64(payload.count)).minimalBytes
        return [0xf7 + UInt8(len.count)] + len + payload
    }

    func testPersonalMessage() throws {
        // EIP-191 prefix: "\u{19}Ethereum Signed Message:\n" + decimal length.
        let msg = Array("hello".utf8)
        XCTAssertEqual(MessageSigning.personalHash(msg),
                       keccak256(Array("\u{19}Ethereum Signed Message:\n5hello".utf8)))
        XCTAssertEqual(Hex.encode(MessageSigning.personalHash(msg)),
                       "0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750")
        let key = hexBytes("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        let sig = try MessageSigning.personalSign(msg, privateKey: key)
        XCTAssertEqual(MessageSigning.recoverPersonal(msg, signature65: sig.bytes65)?.checksummed,
                       "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        XCTAssertNotEqual(MessageSigning.recoverPersonal(Array("hellO".utf8), signature65: sig.bytes65)?.checksummed,
                          "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    }
}
