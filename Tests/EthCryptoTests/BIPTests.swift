import XCTest
import Foundation
import Primitives
@testable import EthCrypto
import TestSupport

final class BIPTests: XCTestCase {
    func testHashPrimitives() {
        // RIPEMD-160 reference values (Dobbertin, Bosselaers, Preneel).
        XCTAssertEqual(Hex.encode(RIPEMD160.hash([]), prefix: false), "9c1185a5c5e9fc54612808977ee8f548b2258d31")
        XCTAssertEqual(Hex.encode(RIPEMD160.hash(Array("abc".utf8)), prefix: false), "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
        XCTAssertEqual(Hex.encode(RIPEMD160.hash(Array("message digest".utf8)), prefix: false),
                       "5d0689ef49d2fae572b881b123a85ffa21595f36")
        XCTAssertEqual(Hex.encode(RIPEMD160.hash(Array(String(repeating: "1234567890", count: 8).utf8)), prefix: false),
                       "9b752e45573d4b39f4dbd3323cab82bf63326bfb")
        XCTAssertEqual(Base58.encode([]), "")
        XCTAssertEqual(Base58.encode([0, 0, 1]), "112")
        XCTAssertEqual(Base58.encode(Array("hello world".utf8)), "StV1DL6CwTryKyV")
    }

    func testWordlist() {
        XCTAssertEqual(BIP39English.words.count, 2048)
        XCTAssertEqual(BIP39English.index.count, 2048)
        XCTAssertEqual(BIP39English.words.first, "abandon")
        XCTAssertEqual(BIP39English.words.last, "zoo")
        XCTAssertEqual(BIP39English.words, BIP39English.words.sorted())
    }

    /// Trezor's python-mnemonic vectors: entropy ↔ phrase, seed with passphrase "TREZOR", master xprv.
    func testPythonMnemonicVectors() throws {
        let all = try XCTUnwrap(Vectors.json("bip/python-mnemonic/vectors.json") as? [String: Any])
        let cases = try XCTUnwrap(all["english"] as? [[String]])
        XCTAssertEqual(cases.count, 24)
        for c in cases {
            let (entropy, phrase, seed, xprv) = (hexBytes(c[0]), c[1], c[2], c[3])
            XCTAssertEqual(try Mnemonic.phrase(entropy: entropy), phrase)
            XCTAssertEqual(try Mnemonic.entropy(phrase), entropy)
            XCTAssertNoThrow(try Mnemonic.validate(phrase))
            let s = Mnemonic.seed(phrase: phrase, passphrase: "TREZOR")
            XCTAssertEqual(Hex.encode(s, prefix: false), seed)
            XCTAssertEqual(try HDKey.master(seed: s).xprv, xprv)
        }
    }

    /// ethers' BIP-39/BIP-32 vectors: UTF-8 phrase and password in hex, seed, and keys along paths.
    func testEthersMnemonics() throws {
        let cases = try XCTUnwrap(Vectors.json("bip/ethers/mnemonics-en.json") as? [[String: Any]])
        XCTAssertEqual(cases.count, 40)
        var nodesChecked = 0
        for c in cases {
            let name = c["name"] as? String ?? ""
            let phrase = String(decoding: hexBytes(c["phrase"] as! String), as: UTF8.self)
            let password = String(decoding: hexBytes(c["password"] as! String), as: UTF8.self)
            XCTAssertEqual(try Mnemonic.entropy(phrase), hexBytes(c["entropy"] as! String), name)
            let seed = Mnemonic.seed(phrase: phrase, passphrase: password)
            XCTAssertEqual(Hex.encode(seed), c["seed"] as? String, name)
            let master = try HDKey.master(seed: seed)
            for n in try XCTUnwrap(c["nodes"] as? [[String: Any]]) {
                let path = n["path"] as! String
                let key = try master.derive(path: path)
                XCTAssertEqual(Hex.encode(key.privateKey), n["privateKey"] as? String, "\(name) \(path)")
                XCTAssertEqual(Hex.encode(key.chainCode), n["chainCode"] as? String, "\(name) \(path)")
                XCTAssertEqual(Hex.encode(key.publicKey), n["publicKey"] as? String, "\(name) \(path)")
                XCTAssertEqual(Int(key.depth), n["depth"] as? Int, "\(name) \(path)")
                XCTAssertEqual(String(format: "0x%08x", key.fingerprint), n["fingerprint"] as? String)
                XCTAssertEqual(String(format: "0x%08x", key.parentFingerprint), n["parentFingerprint"] as? String)
                XCTAssertEqual(key.xprv, n["xpriv"] as? String, "\(name) \(path)")
                nodesChecked += 1
            }
        }
        XCTAssertGreaterThan(nodesChecked, 40)
    }

    /// bitcoinjs-bip32 valid cases (bitcoin network): keys, chain codes, identifiers and xprv along
    /// each path, both by full path and step by step.
    func testBitcoinjsValid() throws {
        let all = try XCTUnwrap(Vectors.json("bip/bitcoinjs-bip32/index.json") as? [String: Any])
        let valid = try XCTUnwrap(all["valid"] as? [[String: Any]])
        var checked = 0
        for v in valid {
            let m = try XCTUnwrap(v["master"] as? [String: Any])
            guard let seedHex = m["seed"] as? String else { continue }   // a case given only as base58
            let master = try HDKey.master(seed: hexBytes(seedHex))
            XCTAssertEqual(Hex.encode(master.privateKey, prefix: false), m["privKey"] as? String)
            XCTAssertEqual(Hex.encode(master.chainCode, prefix: false), m["chainCode"] as? String)
            XCTAssertEqual(Hex.encode(master.identifier, prefix: false), m["identifier"] as? String)
            let bitcoin = (v["network"] as? String ?? "bitcoin") == "bitcoin"
            if bitcoin { XCTAssertEqual(master.xprv, m["base58Priv"] as? String) }
            var stepwise = master
            for c in try XCTUnwrap(v["children"] as? [[String: Any]]) {
                let path = try XCTUnwrap(c["path"] as? String)
                let key = try master.derive(path: path)
                let number = try XCTUnwrap(UInt32(exactly: try XCTUnwrap(c["index"] as? Int)))
                if Int(stepwise.depth) + 1 == c["depth"] as? Int {   // consecutive steps along one path
                    stepwise = try stepwise.derive(index: number & 0x7FFF_FFFF, hardened: number >= HDKey.hardenedOffset)
                    XCTAssertEqual(stepwise, key, path)
                }
                XCTAssertEqual(Hex.encode(key.privateKey, prefix: false), c["privKey"] as? String, path)
                XCTAssertEqual(Hex.encode(key.chainCode, prefix: false), c["chainCode"] as? String, path)
                XCTAssertEqual(Hex.encode(key.publicKey, prefix: false), c["pubKey"] as? String, path)
                XCTAssertEqual(Hex.encode(key.identifier, prefix: false), c["identifier"] as? String, path)
                XCTAssertEqual(Int(key.childNumber), c["index"] as? Int, path)
                XCTAssertEqual(Int(key.depth), c["depth"] as? Int, path)
                if bitcoin { XCTAssertEqual(key.xprv, c["base58Priv"] as? String, path) }
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 11)
    }

    func testBitcoinjsInvalid() throws {
        let all = try XCTUnwrap(Vectors.json("bip/bitcoinjs-bip32/index.json") as? [String: Any])
        let invalid = try XCTUnwrap(all["invalid"] as? [String: Any])
        let master = try HDKey.master(seed: hexBytes("000102030405060708090a0b0c0d0e0f"))
        var paths = 0
        for c in try XCTUnwrap(invalid["derivePath"] as? [[String: Any]]) {
            guard let path = c["derivationPath"] as? String else { continue }   // non-string inputs: not expressible
            XCTAssertThrowsError(try master.derive(path: path), path) { error in
                XCTAssertEqual(error as? HDKeyError, .invalidPath(path))
            }
            paths += 1
        }
        XCTAssertEqual(paths, 5)
        for c in try XCTUnwrap(invalid["fromSeed"] as? [[String: Any]]) {
            let seed = hexBytes(c["seed"] as! String)
            XCTAssertThrowsError(try HDKey.master(seed: seed)) { error in
                XCTAssertEqual(error as? HDKeyError, .invalidSeedLength(seed.count))
            }
        }
        for c in try XCTUnwrap(invalid["deriveHardened"] as? [[String: Any]]) {
            guard let index = c["index"] as? Int, let i = UInt32(exactly: index) else { continue }
            XCTAssertThrowsError(try master.derive(index: i, hardened: true))
        }
    }

    func testPathErrors() throws {
        let master = try HDKey.master(seed: hexBytes("000102030405060708090a0b0c0d0e0f"))
        for bad in ["", "/", "m/", "m//0", "m/0/", "m/-1", "m/+1", "m/2147483648", "m/4294967296'", "m/0''",
                    "m/0x10", "M/0", "m/ 0", "m/0 ", "m/99999999999999999999", "m/1/m", "0/m"] {
            XCTAssertThrowsError(try master.derive(path: bad), bad) { error in
                XCTAssertEqual(error as? HDKeyError, .invalidPath(bad))
            }
        }
        XCTAssertEqual(try master.derive(path: "m"), master)
        XCTAssertEqual(try master.derive(path: "m/0h/1"), try master.derive(path: "m/0'/1"))
        XCTAssertEqual(try master.derive(path: "0'/1"), try master.derive(path: "m/0'/1"))
        XCTAssertEqual(try master.derive(path: "m/2147483647'").childNumber, 0xFFFF_FFFF)
        let child = try master.derive(path: "m/0'")
        XCTAssertEqual(try child.derive(path: "1"), try master.derive(path: "m/0'/1"))
        XCTAssertThrowsError(try child.derive(path: "m/1")) { XCTAssertEqual($0 as? HDKeyError, .notMasterKey) }
        XCTAssertThrowsError(try master.derive(index: 0x8000_0000, hardened: false)) {
            XCTAssertEqual($0 as? HDKeyError, .indexOutOfRange(0x8000_0000))
        }
    }

    func testMnemonicValidation() {
        let good = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
        XCTAssertNoThrow(try Mnemonic.validate(good))
        XCTAssertNoThrow(try Mnemonic.validate("  abandon abandon abandon abandon abandon abandon\n abandon abandon abandon abandon abandon about "))
        XCTAssertThrowsError(try Mnemonic.validate(good.replacingOccurrences(of: "about", with: "above"))) {
            XCTAssertEqual($0 as? MnemonicError, .invalidChecksum)
        }
        XCTAssertThrowsError(try Mnemonic.validate(good.replacingOccurrences(of: "about", with: "abut"))) {
            XCTAssertEqual($0 as? MnemonicError, .unknownWord("abut"))
        }
        XCTAssertThrowsError(try Mnemonic.validate("abandon abandon about")) {
            XCTAssertEqual($0 as? MnemonicError, .invalidWordCount(3))
        }
        XCTAssertThrowsError(try Mnemonic.validate("")) { XCTAssertEqual($0 as? MnemonicError, .invalidWordCount(0)) }
        XCTAssertThrowsError(try Mnemonic.phrase(entropy: [1, 2, 3])) {
            XCTAssertEqual($0 as? MnemonicError, .invalidEntropyLength(3))
        }
        // NFKD: a precomposed "é" in the passphrase equals "e" + combining acute.
        XCTAssertEqual(Mnemonic.seed(phrase: good, passphrase: "caf\u{E9}"),
                       Mnemonic.seed(phrase: good, passphrase: "cafe\u{301}"))
        XCTAssertNotEqual(Mnemonic.seed(phrase: good, passphrase: "cafe"), Mnemonic.seed(phrase: good))
    }

    /// Anvil / Hardhat default accounts from "test … junk" at m/44'/60'/0'/0/i.
    func testAnvilDefaultAccounts() throws {
        let accounts = try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic,
                                                  path: "m/44'/60'/0'/0/", count: 3)
        XCTAssertEqual(accounts.count, 3)
        XCTAssertEqual(accounts[0].address.checksummed, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        XCTAssertEqual(Hex.encode(accounts[0].privateKey),
                       "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
        XCTAssertEqual(accounts[1].address.checksummed, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        XCTAssertEqual(try Secp256k1.address(privateKey: accounts[2].privateKey), accounts[2].address)
        // Path prefix without the trailing slash means the same; default path is Anvil's.
        XCTAssertEqual(try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic, path: "m/44'/60'/0'/0", count: 3),
                       accounts)
        XCTAssertEqual(try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic, count: 2), Array(accounts[0..<2]))
        XCTAssertEqual(try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic, count: 0), [])
        XCTAssertThrowsError(try DevAccount.devAccounts(mnemonic: "test test junk", count: 1))
        XCTAssertThrowsError(try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic, path: "m/44'/x/", count: 1))
        XCTAssertThrowsError(try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic, count: -1)) {
            XCTAssertEqual($0 as? DevAccountError, .invalidCount(-1))
        }
    }
}
