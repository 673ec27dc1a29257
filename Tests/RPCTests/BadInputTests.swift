import XCTest
import Foundation
import Primitives
import EthCrypto
@testable import RPC

/// Bad input, in process: the JSON-RPC envelope and typed params answer each malformed request
/// with the right code and a message naming the problem, and the decoders never trap. The same
/// catalogue runs against the release binary in scripts/integration/test_bad_input.py; the
/// stored fuzz inputs (fixtures/fuzz) are replayed here too, so `swift test` keeps every crash
/// the fuzzers ever found fixed even where libFuzzer is not available.
final class BadInputTests: XCTestCase {
    /// A table whose methods read their params like the real ones do.
    func table() -> MethodTable {
        let t = MethodTable(maxBatch: 5)
        t.register("eth_getBalance", maxParams: MethodTable.anyParams) { p in
            try p.requireCount(atMost: 2)
            let a = try p.address(0)
            return .array([.address(a), .string(try p.blockTag(1).description)])
        }
        t.register("eth_getStorageAt", maxParams: MethodTable.anyParams) { p in .quantity(try p.quantity(1)) }
        t.register("eth_getTransactionByHash", maxParams: MethodTable.anyParams) { p in .hash(try p.hash(0)) }
        t.register("eth_sendRawTransaction", maxParams: MethodTable.anyParams) { p in .data(try p.bytes(0)) }
        t.register("eth_getBlockByNumber", maxParams: MethodTable.anyParams) { p in .array([.string(try p.blockTag(0).description), .bool(try p.optionalBool(1) ?? false)]) }
        t.register("eth_call", maxParams: MethodTable.anyParams) { p in
            let o = try p.object(0)
            guard let v = o["value"] else { return .null }
            return .quantity(try ParamDecoder.quantity(v, "param 0.value"))
        }
        return t
    }

    struct Answer {
        let json: JSON
        var code: Int? { json["error"]?["code"]?.intValue }
        var message: String { json["error"]?["message"]?.stringValue ?? "" }
        var result: JSON? { json["result"] }
        var id: JSON? { json["id"] }
    }

    func send(_ body: String, _ t: MethodTable? = nil) async throws -> Answer {
        let out = await (t ?? table()).handle(Array(body.utf8))
        return Answer(json: try JSON.parse(XCTUnwrap(out, "no response to \(body)")))
    }

    func request(_ method: String, _ params: String, id: String = "1") -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#
    }

    func assertError(_ body: String, _ code: Int, _ fragments: [String], id: JSON? = nil,
                     file: StaticString = #filePath, line: UInt = #line) async throws {
        let a = try await send(body)
        XCTAssertEqual(a.code, code, "\(body) → \(a.json)", file: file, line: line)
        XCTAssertNil(a.result, file: file, line: line)
        for f in fragments {
            XCTAssertTrue(a.message.contains(f), "message \"\(a.message)\" should mention \"\(f)\" (\(body))", file: file, line: line)
        }
        if let id { XCTAssertEqual(a.id, id, "id of \(body)", file: file, line: line) }
    }

    // MARK: envelope

    func testEnvelopeErrors() async throws {
        try await assertError(#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance""#, -32700, ["parse error", "unterminated"], id: .null)
        try await assertError("", -32700, ["empty input"], id: .null)
        try await assertError("hello", -32700, ["parse error"], id: .null)
        try await assertError(String(repeating: "[", count: 80) + String(repeating: "]", count: 80), -32700, ["nesting"], id: .null)
        try await assertError(#"{"jsonrpc":"1.0","id":7,"method":"eth_getBalance","params":[]}"#, -32600, ["\"2.0\""], id: 7)
        try await assertError(#"{"id":7,"method":"eth_getBalance","params":[]}"#, -32600, ["jsonrpc"], id: 7)
        try await assertError(#"{"jsonrpc":2.0,"id":7,"method":"eth_getBalance","params":[]}"#, -32600, ["jsonrpc"], id: 7)
        try await assertError(#"{"jsonrpc":"2.0","id":7,"params":[]}"#, -32600, ["missing method"], id: 7)
        try await assertError(#"{"jsonrpc":"2.0","id":7,"method":5}"#, -32600, ["method must be a string"], id: 7)
        try await assertError(#"{"jsonrpc":"2.0","id":7,"method":"eth_getBalance","params":"0x1"}"#, -32600, ["params"], id: 7)
        try await assertError(request("eth_nope", "[]"), -32601, ["eth_nope"], id: 1)
        try await assertError("[]", -32600, ["empty batch"], id: .null)
        let big = "[" + Array(repeating: request("eth_getBalance", "[]"), count: 6).joined(separator: ",") + "]"
        try await assertError(big, -32600, ["batch too large", "6", "5"], id: .null)
    }

    func testIDsOfEveryJSONType() async throws {
        for (id, echoed) in [(#""abc""#, JSON.string("abc")), ("42", JSON(42)), ("null", JSON.null),
                             ("1180591620717411303424", JSON.number("1180591620717411303424"))] {
            let a = try await send(request("eth_getTransactionByHash", #"["0x\#(String(repeating: "ab", count: 32))"]"#, id: id))
            XCTAssertEqual(a.id, echoed, id)
            XCTAssertNotNil(a.result, id)
        }
        for (id, kind) in [("{}", "object"), ("[1]", "array"), ("true", "boolean")] {
            try await assertError(request("eth_getTransactionByHash", "[]", id: id), -32600, ["id must be", kind], id: .null)
        }
    }

    func testBatchAnswersEachItemOnItsOwn() async throws {
        let body = "[" + [request("eth_getStorageAt", #"["0x0","0x1"]"#, id: "1"), "5",
                          request("eth_getStorageAt", #"["0x0","0xzz"]"#, id: "2"),
                          #"{"jsonrpc":"2.0","method":"eth_getStorageAt","params":[]}"#].joined(separator: ",") + "]"
        let out = await table().handle(Array(body.utf8))
        let items = try XCTUnwrap(JSON.parse(XCTUnwrap(out)).arrayValue)
        XCTAssertEqual(items.count, 3, "the notification gets no answer")
        XCTAssertEqual(items[0]["result"], .string("0x1"))
        XCTAssertEqual(items[1]["error"]?["code"], JSON(-32600))
        XCTAssertEqual(items[2]["error"]?["code"], JSON(-32602))
        XCTAssertEqual(items[2]["id"], JSON(2))
    }

    // MARK: params

    func testParamsCatalogue() async throws {
        let addr = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
        try await assertError(request("eth_getBalance", "[]"), -32602, ["param 0", "missing"])
        try await assertError(request("eth_getBalance", #"{"address":"\#(addr)"}"#), -32602, ["positional"])
        try await assertError(request("eth_getBalance", #"["\#(addr)","latest",1]"#), -32602, ["too many params", "at most 2"])
        try await assertError(request("eth_getBalance", "[5]"), -32602, ["param 0", "expected address"])
        try await assertError(request("eth_getBalance", #"["\#(addr.dropLast())"]"#), -32602, ["param 0", "odd length"])
        try await assertError(request("eth_getBalance", #"["\#(addr.dropLast(2))"]"#), -32602, ["20-byte address", "19 bytes"])
        try await assertError(request("eth_getBalance", #"["\#(addr)00"]"#), -32602, ["20-byte address", "21 bytes"])
        try await assertError(request("eth_getBalance", #"["0xzz\#(addr.dropFirst(4))"]"#), -32602, ["param 0", "expected hex data"])
        try await assertError(request("eth_getBalance", #"["\#(addr)","lastest"]"#), -32602, ["param 1", "block tag", "lastest"])
        try await assertError(request("eth_getTransactionByHash", #"["0x\#(String(repeating: "ab", count: 31))"]"#), -32602,
                              ["32-byte hash", "31 bytes"])
        try await assertError(request("eth_getStorageAt", #"["\#(addr)","0x1\#(String(repeating: "0", count: 64))"]"#), -32602,
                              ["param 1", "exceeds 256 bits"])
        try await assertError(request("eth_getStorageAt", #"["\#(addr)",115792089237316195423570985008687907853269984665640564039457584007913129639936]"#),
                              -32602, ["param 1", "exceeds 256 bits"])
        try await assertError(request("eth_getStorageAt", #"["\#(addr)","0x"]"#), -32602, ["param 1", "empty"])
        try await assertError(request("eth_getStorageAt", #"["\#(addr)","ff"]"#), -32602, ["param 1", "expected hex quantity"])
        try await assertError(request("eth_getStorageAt", #"["\#(addr)",1.5]"#), -32602, ["param 1", "non-negative integer"])
        try await assertError(request("eth_call", #"[{"value":-1}]"#), -32602, ["param 0.value", "non-negative integer", "-1"])
        try await assertError(request("eth_call", #"[{"value":"-0x1"}]"#), -32602, ["param 0.value", "-0x1"])
        try await assertError(request("eth_sendRawTransaction", #"["0xabc"]"#), -32602, ["param 0", "odd length"])
        try await assertError(request("eth_sendRawTransaction", "[1]"), -32602, ["param 0", "expected hex data"])
        try await assertError(request("eth_getBlockByNumber", #"["latest","yes"]"#), -32602, ["param 1", "expected boolean"])
        try await assertError(request("eth_getBlockByNumber", "[-1]"), -32602, ["param 0", "-1"])
        try await assertError(request("eth_getBlockByNumber", #"["0x10000000000000000"]"#), -32602, ["param 0", "exceeds 64 bits"])
        try await assertError(request("eth_getBlockByNumber", #"[{"blockNumber":"0x1","blockHash":"0x\#(String(repeating: "12", count: 32))"}]"#),
                              -32602, ["both"])
    }

    /// Regression: a block number of 2^256 or more used to be reported as "expected block tag …".
    func testBlockNumberBeyond256BitsSaysItIsTooLarge() async throws {
        let huge = "0x1" + String(repeating: "0", count: 64)
        try await assertError(request("eth_getBlockByNumber", #"["\#(huge)"]"#), -32602, ["param 0", "block number exceeds 64 bits"])
        try await assertError(request("eth_getBlockByNumber", #"[{"blockNumber":"\#(huge)"}]"#), -32602,
                              ["param 0.blockNumber", "block number exceeds 64 bits"])
        try await assertError(request("eth_getBlockByNumber", "[1\(String(repeating: "0", count: 80))]"), -32602, ["block number exceeds 64 bits"])
        // Not a number at all: still the generic message.
        try await assertError(request("eth_getBlockByNumber", #"["0x1g"]"#), -32602, ["expected block tag"])
        try await assertError(request("eth_getBlockByNumber", #"["0x"]"#), -32602, ["expected block tag"])
    }

    /// What Anvil accepts, stakenet accepts too (the rule: "where nothing else decides, do what Anvil
    /// does"): leading zeros, decimal strings, no 0x prefix on data and addresses, any letter
    /// case in an address (no EIP-55 enforcement, as geth and Anvil).
    func testAnvilLeniencyIsExact() async throws {
        let addr = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"
        let badChecksum = "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"   // first letter's case flipped
        XCTAssertNil(Address(checksummed: badChecksum), "the test address must really carry a bad checksum")
        for variant in [addr, String(addr.dropFirst(2)), badChecksum, addr.uppercased().replacingOccurrences(of: "0X", with: "0x")] {
            let a = try await send(request("eth_getBalance", #"["\#(variant)","0x01"]"#))
            XCTAssertEqual(a.result, .array([.string(addr), .string("0x1")]), variant)
        }
        for (text, n) in [(#""0x0000""#, "0x0"), (#""10""#, "0xa"), ("16", "0x10"), (#""0X1F""#, "0x1f")] {
            let a = try await send(request("eth_getBlockByNumber", "[\(text)]"))
            XCTAssertEqual(a.result?[0], .string(n), text)
        }
        let raw = try await send(request("eth_sendRawTransaction", #"["deadBEEF"]"#))
        XCTAssertEqual(raw.result, .string("0xdeadbeef"))
    }

    // MARK: raw transactions

    func testRawTransactionsThatMustBeRefused() throws {
        let key = Array(repeating: UInt8(0), count: 31) + [1]
        let to = Address(truncating: UInt256(0xbeef))
        let tx = try Transaction.dynamicFee(chainId: 31337, nonce: 0, maxPriorityFeePerGas: UInt256(1), maxFeePerGas: UInt256(10),
                                            gasLimit: 21_000, to: to, value: .one, data: [], accessList: [])
            .signed(privateKey: key)
        let raw = tx.encoded()
        XCTAssertNoThrow(try Transaction.decode(raw: raw).recoverSender())

        // High s (the same signature's twin): valid on the curve, refused by EIP-2.
        let high = tx.withSignature(r: tx.r, s: Transaction.secp256k1N - tx.s, yParity: tx.yParity ^ 1)
        XCTAssertThrowsError(try Transaction.decode(raw: high.encoded()).recoverSender()) {
            XCTAssertEqual($0 as? TransactionError, .invalidSignatureValues)
            XCTAssertEqual(($0 as? TransactionError)?.description, "invalid transaction v, r, s values")
        }
        for (r, s) in [(UInt256.zero, tx.s), (tx.r, .zero), (Transaction.secp256k1N, tx.s), (UInt256.max, tx.s)] {
            XCTAssertThrowsError(try Transaction.decode(raw: tx.withSignature(r: r, s: s, yParity: tx.yParity).encoded()).recoverSender())
        }
        // Wrong chain id is refused by the EVM's validation, with geth's words, also where the
        // transaction is not pooled (trace_rawTransaction, eth_callBundle, anvil_reorg).
        let other = try Transaction.dynamicFee(chainId: 1, nonce: 0, maxPriorityFeePerGas: UInt256(1), maxFeePerGas: UInt256(10),
                                               gasLimit: 21_000, to: to, value: .one, data: [], accessList: [])
            .signed(privateKey: key)
        XCTAssertNoThrow(try EthMethods.decodeRaw(other.encoded()))
        XCTAssertThrowsError(try EthMethods.decodeUnpooled(other.encoded(), chainId: 31337)) {
            XCTAssertEqual(($0 as? RPCError)?.message, "invalid chain id for signer: have 1 want 31337")
            XCTAssertEqual(($0 as? RPCError)?.code, -32000)
        }
        XCTAssertNoThrow(try EthMethods.decodeUnpooled(raw, chainId: 31337))
        // The high-s twin is refused before its sender is recovered, as geth words it.
        XCTAssertThrowsError(try EthMethods.decodeRaw(high.encoded())) {
            XCTAssertEqual(($0 as? RPCError)?.message, "invalid transaction v, r, s values")
            XCTAssertEqual(($0 as? RPCError)?.code, -32000)
        }
        // Malformed encodings: typed errors, never a trap.
        for bad: [UInt8] in [[], [0x02], [0x02, 0xc0], [0xc0], [0x80], raw + [0], Array(raw.dropLast()), [0x05, 0xc0], [0x03, 0xc0],
                             [0xf8, 0x01, 0x00], [0xb8, 0x38] + Array(repeating: 0, count: 56)] {
            XCTAssertThrowsError(try Transaction.decode(raw: bad), bad.hex)
        }
    }

    // MARK: stored fuzz inputs

    static var fuzzFixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/fuzz")
    }

    func inputs(_ target: String) throws -> [(String, [UInt8])] {
        let dir = Self.fuzzFixtures.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        return try names.map { ($0, Array(try Data(contentsOf: dir.appendingPathComponent($0)))) }
    }

    func testStoredFuzzInputsDecodeWithoutTrapping() async throws {
        let rlp = try inputs("rlp")
        XCTAssertFalse(rlp.isEmpty, "fixtures/fuzz/rlp is empty")
        for (name, bytes) in rlp {
            if let item = try? RLP.decode(bytes) { XCTAssertEqual(RLP.encode(item), bytes, name) }
        }
        let txs = try inputs("tx")
        XCTAssertFalse(txs.isEmpty, "fixtures/fuzz/tx is empty")
        var decoded = 0
        for (name, bytes) in txs {
            guard let tx = try? Transaction.decode(raw: bytes) else { continue }
            decoded += 1
            XCTAssertEqual(tx.encoded(), bytes, name)
            _ = try? EthMethods.decodeUnpooled(bytes, chainId: 31337)
        }
        XCTAssertGreaterThan(decoded, 0, "the transaction seeds should include valid transactions")
        let t = MethodTable(maxBatch: 50)
        t.register("q", maxParams: MethodTable.anyParams) { p in .quantity(try p.quantity(0)) }
        t.register("echo", maxParams: MethodTable.anyParams) { p in p.raw }
        for (name, bytes) in try inputs("jsonrpc") {
            guard let out = await t.handle(bytes) else { continue }
            XCTAssertNoThrow(try JSON.parse(out), name)
        }
    }
}
