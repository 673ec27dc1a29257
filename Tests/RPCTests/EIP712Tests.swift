import XCTest
import Foundation
import Primitives
import EthCrypto
@testable import RPC
import TestSupport

/// The vectors in ../shared/vectors (or $STAKENET_VECTORS), read in place.
enum ClientVectors {
    static var root: URL { Vectors.root }
    static func json(_ path: String) throws -> JSON {
        let data = try Data(contentsOf: root.appendingPathComponent(path))
        return try JSON.parse([UInt8](data), maxDepth: 256)
    }
    /// A `{name: message}` file of eth-account's messages.
    static func messages(_ file: String) throws -> [(String, JSON)] {
        guard case .object(let pairs) = try json("eip712/eth-account/eip712_messages/\(file).json") else {
            throw NSError(domain: "vectors", code: 1)
        }
        return pairs
    }
    static func fixtures() throws -> [(String, JSON)] {
        let dir = root.appendingPathComponent("eip712/eth-account/fixtures")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { ($0, try json("eip712/eth-account/fixtures/\($0)")) }
    }
}

final class EIP712Tests: XCTestCase {
    func typed(_ v: JSON, file: StaticString = #filePath, line: UInt = #line) throws -> EIP712TypedData {
        do { return try EIP712TypedData(json: v) } catch {
            XCTFail("rejected: \(error)", file: file, line: line); throw error
        }
    }

    func hex(_ b: [UInt8]?) -> String { b.map { Hex.encode($0) } ?? "nil" }

    /// The EIP's own "Ether Mail" example: encodeType, typeHash, hashStruct, domain separator,
    /// digest and the signature by keccak256("cow") from the EIP's Example.js.
    func testEtherMailExample() throws {
        let msg = try XCTUnwrap(ClientVectors.messages("valid_for_all").first { $0.0 == "valid_eip712_example" }?.1)
        let t = try typed(msg)
        XCTAssertEqual(t.primaryType, "Mail")
        XCTAssertEqual(t.encodeType("Mail"), "Mail(Person from,Person to,string contents)Person(string name,address wallet)")
        XCTAssertEqual(hex(t.typeHash("Mail")), "0xa0cedeb2dc280ba39b857546d74f5549c3a1d7bdc2dd96bf881f76108e23dac2")
        XCTAssertEqual(hex(try t.hashStruct("Mail", t.message)), "0xc52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e")
        XCTAssertEqual(hex(try t.domainSeparator()), "0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f")
        let digest = try t.digest()
        XCTAssertEqual(hex(digest), "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2")
        let cow = Keccak256.hash(Array("cow".utf8))
        let sig = try Secp256k1.sign(hash: digest, privateKey: cow)
        XCTAssertEqual(sig.bytes65[64], 0x1c)
        XCTAssertEqual(sig.r, UInt256(hex: "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"))
        XCTAssertEqual(sig.s, UInt256(hex: "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"))
        XCTAssertEqual(Secp256k1.recover(hash: digest, signature65: sig.bytes65), Address(hex: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"))
    }

    /// Every message eth-account accepts is accepted, with the digest eth-account 0.13.7
    /// computes for it (values taken from `encode_typed_data(full_message=…)`).
    func testValidMessagesMatchEthAccountDigests() throws {
        let expected: [String: String] = [
            "valid_space_in_custom_type_fieldname": "0x71a6b0afa1e5dcddf680d85068e2674a73d60e07a9d047c8f210871804dbba80",
            "valid_multi_no_fixed_len_array": "0x9d4ed1abf83bd225db7e2023022a780ab06ef130800e9cc8f4550f73e027a5ca",
            "valid_eip712_example": "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2",
            "valid_issue_201_with_array": "0x3251bee8474b58a5df1adab9be78e2b18462d7a5ddf423389dcf98042188bef3",
            "valid_eip712_example_with_array": "0x1780e7e042fa9ec126ccb68cd707d61580d00601b3eff8a5ec05116b46007fdb",
            "valid_eip712_example_addresses_not_checksummed": "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2",
            "valid_issue_201_no_array": "0x09eb75cfd1cd5661523c7a3e681f07d57b108a6aff997658939c4dff0006e74a",
            "valid_multi_array": "0xda275374c3a0790d389b6490d6fdf499f39c72105423f09d7b9be62d2fc08671",
            "valid_primary_type_is_empty_string": "0xda5079987d5ea68beca14009948a4034b066bc86426dc802f4a5762f435b91ff",
            "valid_space_in_custom_type_metamask_returns_empty_string_if_non_alphanum_in_custom_type": "0x2400908e325752e9254840a4c509b5e8110a5a6c0f96d83d714b87ac6a20735a",
            "valid_missing_eip712_type_metamask_ignores_domain_data_if_domain_types_not_present": "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2",
            "valid_missing_primary_type_key_metamask_requires_primary_type_key": "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2",
            "valid_missing_primary_type_key_and_eip712domain_type_metamask_needs_primarytype": "0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2",
            "valid_int_value_for_string_type_ethers_handles_mismatched_type_and_value_differently": "0xa33fb511c69c282a4d9bf1d8a38e06c5b33b427e1bcf478cf0e28264ec5e305c",
            "valid_null_value_for_custom_type_ethers_requires_non_null": "0x56467729e7f0d32c0111820eb989210f3b1a435e3b1029f5e4dfad8ee77df6b0",
            "valid_nested_structs_ethers_does_not_accept_recursive_custom_type_arrays": "0x0c9b68928afbff5af30e99ae29fcdf1cc36974f7ba4a6e4336cc98daa4f0c2af",
            "valid_eip712_example_ethers_does_not_accept_recursive_custom_types": "0xdd2f8d6d34b76907e5f62c9be7226eb27afea844816197751b3da2c9660aba7f",
        ]
        var seen = 0
        for file in ["valid_for_all", "valid_py_and_ethers", "valid_py_and_metamask"] {
            for (name, msg) in try ClientVectors.messages(file) {
                seen += 1
                let t: EIP712TypedData
                do { t = try EIP712TypedData(json: msg) } catch { XCTFail("\(name) rejected: \(error)"); continue }
                let d: [UInt8]
                do { d = try t.digest() } catch { XCTFail("\(name): digest failed: \(error)"); continue }
                XCTAssertEqual(hex(d), expected[name], name)
                // The same message sent as a JSON string (as MetaMask sends it).
                XCTAssertEqual(hex(try EIP712TypedData(json: .string(msg.jsonString)).digest()), hex(d), name)
            }
        }
        XCTAssertEqual(seen, expected.count)
    }

    func testInvalidMessagesAreRejected() throws {
        var seen = 0
        for file in ["invalid", "one_arg_invalid"] {
            for (name, msg) in try ClientVectors.messages(file) {
                seen += 1
                do {
                    let t = try EIP712TypedData(json: msg)
                    let d = try t.digest()
                    XCTFail("\(name) accepted, digest \(hex(d))")
                } catch {
                    // both throw EIP712TypedData.TypedDataError (typed throws)
                    XCTAssertFalse(error.message.isEmpty, name)
                }
            }
        }
        XCTAssertEqual(seen, 12)
    }

    /// The older fixture files: the name prefix gives the outcome, except one that current
    /// eth-account (and MetaMask) accept: an integer for a `string` field (hashed as its
    /// big-endian bytes), the same case as `valid_int_value_for_string_type_…` above.
    func testFixtures() throws {
        let fixtures = try ClientVectors.fixtures()
        XCTAssertEqual(fixtures.count, 11)
        let nowAccepted: Set<String> = ["invalid_message_value_type_mismatch_type.json"]
        for (name, msg) in fixtures {
            let ok: Bool
            do { _ = try EIP712TypedData(json: msg).digest(); ok = true } catch { ok = false }
            XCTAssertEqual(ok, name.hasPrefix("valid_") || nowAccepted.contains(name), name)
        }
    }

    // MARK: value rules

    func doc(_ fields: String, _ message: String, extraTypes: String = "") throws -> JSON {
        try JSON.parse("""
        {"types":{"EIP712Domain":[{"name":"name","type":"string"}],\(extraTypes)"T":[\(fields)]},
         "primaryType":"T","domain":{"name":"x"},"message":\(message)}
        """)
    }

    func encoded(_ type: String, _ value: String) throws -> [UInt8] {
        let t = try EIP712TypedData(json: try doc("{\"name\":\"v\",\"type\":\"\(type)\"}", "{\"v\":\(value)}"))
        return Array(try t.encodeData("T", t.message)[32...])
    }

    func rejects(_ type: String, _ value: String, line: UInt = #line) {
        XCTAssertThrowsError(try encoded(type, value), "\(type) = \(value)", line: line)
    }

    func testIntegers() throws {
        XCTAssertEqual(try encoded("uint256", "\"0x10\""), UInt256(16).bytes32)
        XCTAssertEqual(try encoded("uint256", "\"16\""), UInt256(16).bytes32, "decimal strings are decimal (MetaMask, ethers, geth)")
        XCTAssertEqual(try encoded("uint8", "255"), UInt256(255).bytes32)
        rejects("uint8", "256")
        rejects("uint8", "-1")
        rejects("uint256", "1.5")
        rejects("uint256", "\"ten\"")
        rejects("uint256", "true")
        rejects("uint256", "null")
        XCTAssertEqual(try encoded("int8", "-128"), UInt256.max.bytes32.enumerated().map { $0.offset == 31 ? 0x80 : $0.element })
        XCTAssertEqual(try encoded("int256", "\"-1\""), UInt256.max.bytes32)
        XCTAssertEqual(try encoded("int16", "\"-0x1\""), UInt256.max.bytes32)
        rejects("int8", "-129")
        rejects("int8", "128")
        XCTAssertEqual(try encoded("uint256", "\"0x" + String(repeating: "f", count: 64) + "\""), UInt256.max.bytes32)
        rejects("uint256", "\"0x1" + String(repeating: "0", count: 64) + "\"")
        rejects("uint7", "1")
        rejects("uint264", "1")
        rejects("int0", "1")
    }

    func testBytesStringsAddressesBools() throws {
        XCTAssertEqual(try encoded("bytes4", "\"0x01020304\""), [1, 2, 3, 4] + [UInt8](repeating: 0, count: 28))
        XCTAssertEqual(try encoded("bytes32", "\"0x01\""), [1] + [UInt8](repeating: 0, count: 31), "shorter values are right-padded")
        rejects("bytes2", "\"0x010203\"")
        rejects("bytes33", "\"0x01\"")
        XCTAssertEqual(try encoded("bytes", "\"0xdeadbeef\""), Keccak256.hash([0xde, 0xad, 0xbe, 0xef]))
        XCTAssertEqual(try encoded("bytes", "null"), [UInt8](repeating: 0, count: 32))
        rejects("bytes", "\"0xzz\"")
        XCTAssertEqual(try encoded("string", "\"héllo\""), Keccak256.hash(Array("héllo".utf8)))
        XCTAssertEqual(try encoded("string", "null"), [UInt8](repeating: 0, count: 32))
        XCTAssertEqual(try encoded("string", "12345"), Keccak256.hash([0x30, 0x39]))
        rejects("string", "{}")
        XCTAssertEqual(try encoded("address", "\"0x00000000000000000000000000000000000000aa\""), UInt256(0xaa).bytes32)
        rejects("address", "\"0x00aa\"")
        rejects("address", "null")
        rejects("address", "170")
        XCTAssertEqual(try encoded("bool", "true"), UInt256(1).bytes32)
        XCTAssertEqual(try encoded("bool", "false"), UInt256(0).bytes32)
        rejects("bool", "\"yes\"")
        rejects("bool", "null")
    }

    func testArraysAndStructs() throws {
        let words = [UInt256(1).bytes32, UInt256(2).bytes32].flatMap { $0 }
        XCTAssertEqual(try encoded("uint8[]", "[1,2]"), Keccak256.hash(words))
        XCTAssertEqual(try encoded("uint8[2]", "[1,2]"), Keccak256.hash(words))
        XCTAssertEqual(try encoded("uint8[]", "[]"), Keccak256.hash([UInt8]()))
        rejects("uint8[3]", "[1,2]")
        rejects("uint8[]", "1")
        rejects("uint8[]", "null")
        rejects("uint8[][]", "[1,2]")
        // string[2][] is an array (any length) of arrays of 2 strings
        let inner = Keccak256.hash(Keccak256.hash(Array("a".utf8)) + Keccak256.hash(Array("b".utf8)))
        XCTAssertEqual(try encoded("string[2][]", "[[\"a\",\"b\"]]"), Keccak256.hash(inner))
        rejects("string[2][]", "[[\"a\"]]")
        XCTAssertNoThrow(try encoded("uint8" + String(repeating: "[]", count: 32), "[]"))
        rejects("uint8" + String(repeating: "[]", count: 33), "[]")
        rejects("uint8" + String(repeating: "[]", count: 200_000), "[]")      // bounded, no deep recursion
        rejects("uint8[0]", "[]")
        rejects("uint8[x]", "[]")
        rejects("uint8]", "[]")

        // Struct fields: a null or missing struct hashes as zero; a struct is hashStruct'd.
        let t = try EIP712TypedData(json: try doc(
            "{\"name\":\"p\",\"type\":\"P\"},{\"name\":\"q\",\"type\":\"P\"}", "{\"p\":{\"n\":7}}",
            extraTypes: "\"P\":[{\"name\":\"n\",\"type\":\"uint8\"}],"))
        XCTAssertEqual(t.encodeType("T"), "T(P p,P q)P(uint8 n)")
        let enc = try t.encodeData("T", t.message)
        XCTAssertEqual(Array(enc[32..<64]), try t.hashStruct("P", .object([("n", 7)])))
        XCTAssertEqual(Array(enc[64..<96]), [UInt8](repeating: 0, count: 32))
        XCTAssertEqual(try t.hashStruct("P", .object([("n", 7)])), Keccak256.hash(Keccak256.hash(Array("P(uint8 n)".utf8)) + UInt256(7).bytes32))
    }

    func testStructureErrors() throws {
        // types missing, primaryType undefined, a field of an undefined type, domain mismatch
        XCTAssertThrowsError(try EIP712TypedData(json: try JSON.parse("{\"primaryType\":\"T\",\"message\":{}}")))
        XCTAssertThrowsError(try EIP712TypedData(json: .string("{not json")))
        XCTAssertThrowsError(try EIP712TypedData(json: 5))
        XCTAssertThrowsError(try EIP712TypedData(json: try JSON.parse(
            "{\"types\":{\"T\":[{\"name\":\"a\",\"type\":\"Missing\"}]},\"primaryType\":\"T\",\"domain\":{},\"message\":{}}")))
        XCTAssertThrowsError(try EIP712TypedData(json: try JSON.parse(
            "{\"types\":{\"T\":[{\"name\":\"a\",\"type\":\"uint8\"},{\"name\":\"a\",\"type\":\"uint8\"}]},\"primaryType\":\"T\",\"domain\":{},\"message\":{\"a\":1}}")),
            "duplicate field")
        XCTAssertThrowsError(try EIP712TypedData(json: try JSON.parse(
            "{\"types\":{\"T\":[]},\"primaryType\":\"T\",\"domain\":{\"foo\":1},\"message\":{}}")), "unknown domain key")
        XCTAssertThrowsError(try EIP712TypedData(json: try JSON.parse(
            "{\"types\":{\"A\":[],\"B\":[]},\"domain\":{},\"message\":{}}")), "ambiguous primary type")
        // A domain-only signature (primaryType EIP712Domain) is the digest of the separator alone.
        let d = try EIP712TypedData(json: try JSON.parse(
            "{\"types\":{\"EIP712Domain\":[{\"name\":\"chainId\",\"type\":\"uint256\"}]},\"primaryType\":\"EIP712Domain\",\"domain\":{\"chainId\":1}}"))
        XCTAssertEqual(try d.digest(), Keccak256.hash([0x19, 0x01] + (try d.domainSeparator())))
        XCTAssertEqual(try d.domainSeparator(), Keccak256.hash(Keccak256.hash(Array("EIP712Domain(uint256 chainId)".utf8)) + UInt256(1).bytes32))
        // Without EIP712Domain in types, the domain's fields are taken in the canonical order.
        let e = try EIP712TypedData(json: try JSON.parse(
            "{\"types\":{\"T\":[]},\"primaryType\":\"T\",\"domain\":{\"chainId\":1,\"name\":\"n\"},\"message\":{}}"))
        XCTAssertEqual(e.encodeType("EIP712Domain"), "EIP712Domain(string name,uint256 chainId)")
    }
}
