import XCTest
import Foundation
@testable import Primitives
import TestSupport

final class ABITests: XCTestCase {
    func hex(_ s: String) -> [UInt8] { Hex.decode(s)! }
    func w(_ v: UInt64) -> String { String(repeating: "0", count: 64 - String(v, radix: 16).count) + String(v, radix: 16) }

    // MARK: selectors, topics, revert data

    func testSelectorsAndTopics() throws {
        XCTAssertEqual(ABI.selector("transfer(address,uint256)").hex, "0xa9059cbb")
        XCTAssertEqual(ABI.selector("balanceOf(address)").hex, "0x70a08231")
        XCTAssertEqual(ABI.selector("approve(address,uint256)").hex, "0x095ea7b3")
        XCTAssertEqual(ABI.selectorValue("transferFrom(address,address,uint256)"), 0x23b872dd)
        XCTAssertEqual(ABI.eventTopic("Transfer(address,address,uint256)").hex,
                       "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
        XCTAssertEqual(ABI.eventTopic("Approval(address,address,uint256)").hex,
                       "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925")
        XCTAssertEqual(try ABI.canonicalSignature("f(uint,int[],(address,uint)[2])"), "f(uint256,int256[],(address,uint256)[2])")
        XCTAssertThrowsError(try ABI.parseSignature("noparens"))
        XCTAssertThrowsError(try ABI.parseSignature("f(uint7)"))
    }

    func testErrorAndPanicData() {
        let e = ABI.encodeError("Not enough Ether provided.")
        XCTAssertEqual(e.hex, "0x08c379a0" + w(0x20) + w(26)
                       + "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000")
        XCTAssertEqual(ABI.decodeRevertReason(e), "Not enough Ether provided.")
        XCTAssertEqual(ABI.encodeError("").hex, "0x08c379a0" + w(0x20) + w(0))
        XCTAssertNil(ABI.decodeRevertReason([UInt8]()))
        XCTAssertNil(ABI.decodeRevertReason(Array(e.prefix(40))))
        let p = ABI.encodePanic(0x11)
        XCTAssertEqual(p.hex, "0x4e487b71" + w(0x11))
        XCTAssertEqual(ABI.decodePanicCode(p), UInt256(0x11))
        XCTAssertNil(ABI.decodePanicCode(e))
    }

    // MARK: type names

    func testTypeParsing() {
        XCTAssertEqual(ABIType("uint"), .uint(256))
        XCTAssertEqual(ABIType("int"), .int(256))
        XCTAssertEqual(ABIType("uint8"), .uint(8))
        XCTAssertEqual(ABIType("bytes32"), .fixedBytes(32))
        XCTAssertEqual(ABIType("(address,uint256)[]"), .array(.tuple([.address, .uint256])))
        XCTAssertEqual(ABIType("uint32[][3]"), .fixedArray(.array(.uint(32)), 3))
        for bad in ["uint7", "uint264", "uint08", "bytes33", "bytes0", "foo", "uint256[", "(uint256", "uint256[0]", ""] {
            XCTAssertNil(ABIType(bad), bad)
        }
        XCTAssertTrue(ABIType("(uint256,bytes)")!.isDynamic)
        XCTAssertFalse(ABIType("(uint256,address)[2]")!.isDynamic)
        XCTAssertEqual(ABIType("(uint256,address)[2]")!.headSize, 128)
    }

    // MARK: ethereum/tests vectors

    func testBasicABITestsVectors() throws {
        let tests = try XCTUnwrap(Vectors.json("ethereum-tests/ABITests/basic_abi_tests.json") as? [String: [String: Any]])
        XCTAssertEqual(tests.count, 3)
        for (name, t) in tests {
            let typeNames = try XCTUnwrap(t["types"] as? [String])
            let types = try typeNames.map { try XCTUnwrap(ABIType($0), $0) }
            let args = try XCTUnwrap(t["args"] as? [Any])
            let values = try zip(types, args).map { try jsonValue($0.0, $0.1) }
            let encoded = try ABI.encode(types, values)
            XCTAssertEqual(Hex.encode(encoded, prefix: false), t["result"] as? String, name)
            XCTAssertEqual(try ABI.decode(types, encoded), values, name)
        }
    }

    func jsonValue(_ t: ABIType, _ a: Any) throws -> ABIValue {
        switch t {
        case .uint: return .uint(UInt256(UInt64(try XCTUnwrap(a as? Int))))
        case .address: return .address(try XCTUnwrap(Address(hex: try XCTUnwrap(a as? String))))
        case .fixedBytes, .bytes:
            let b = Array(try XCTUnwrap(a as? String).utf8)
            return t == .bytes ? .bytes(b) : .fixedBytes(b)
        case .array(let et): return .array(try XCTUnwrap(a as? [Any]).map { try jsonValue(et, $0) })
        default: throw XCTSkip("type \(t) not in vectors")
        }
    }

    func testSolidityDocsNestedExample() throws {
        // g(uint256[][],string[]) with ([[1, 2], [3]], ["one", "two", "three"]) from the Solidity docs.
        let values: [ABIValue] = [
            .array([.array([.uint(1), .uint(2)]), .array([.uint(3)])]),
            .array([.string("one"), .string("two"), .string("three")]),
        ]
        let call = try ABI.encodeCall("g(uint256[][],string[])", values)
        func text(_ s: String) -> String { Hex.encode(Array(s.utf8), prefix: false).padding(toLength: 64, withPad: "0", startingAt: 0) }
        let expected = "0x2289b18c" + w(0x40) + w(0x140) + w(2) + w(0x40) + w(0xa0) + w(2) + w(1) + w(2) + w(1) + w(3)
            + w(3) + w(0x60) + w(0xa0) + w(0xe0) + w(3) + text("one") + w(3) + text("two") + w(5) + text("three")
        XCTAssertEqual(call.hex, expected)
        XCTAssertEqual(try ABI.decode([.array(.array(.uint256)), .array(.string)], call, offset: 4), values)
    }

    func testRoundTripMixed() throws {
        let types: [ABIType] = [.int256, .int(8), .bool, .bytes4, .address, .array(.address),
                                .tuple([.uint256, .bytes]), .fixedArray(.string, 2), .fixedArray(.uint(16), 2)]
        let values: [ABIValue] = [
            .signed(-1), .signed(-128), .bool(true), .fixedBytes([1, 2, 3, 4]),
            .address(Address(hex: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8")!),
            .array([.address(.zero), .address(Address(truncating: UInt256.max))]),
            .tuple([.uint(UInt256.max), .bytes(Array(repeating: 0xab, count: 33))]),
            .array([.string(""), .string("héllo")]),
            .array([.uint(65535), .uint(0)]),
        ]
        let enc = try ABI.encode(types, values)
        XCTAssertEqual(enc.count % 32, 0)
        XCTAssertEqual(try ABI.decode(types, enc), values)
        // int(-1) is all ones, int8(-128) sign-extended
        XCTAssertEqual(Array(enc[0..<32]), Array(repeating: 0xff, count: 32))
        XCTAssertEqual(ABIValue.signed(-128), .int(ABI.signExtend(UInt256(0x80), bits: 8)))
    }

    func testEncodeTypeMismatch() {
        XCTAssertThrowsError(try ABI.encode([.uint(8)], [.uint(256)]))
        XCTAssertThrowsError(try ABI.encode([.int(8)], [.int(128)]))
        XCTAssertThrowsError(try ABI.encode([.bytes4], [.fixedBytes([1, 2])]))
        XCTAssertThrowsError(try ABI.encode([.address], [.uint(1)]))
        XCTAssertThrowsError(try ABI.encode([.address, .bool], [.address(.zero)]))
        XCTAssertThrowsError(try ABI.encode([.fixedArray(.uint256, 2)], [.array([.uint(1)])]))
    }

    // MARK: strict decoding

    func assertDecodeError(_ types: [ABIType], _ data: [UInt8], _ err: ABIError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try ABI.decode(types, data), file: file, line: line) { e in
            XCTAssertEqual(e as? ABIError, err, file: file, line: line)
        }
    }

    func testStrictStaticValues() throws {
        assertDecodeError([.uint256], hex(w(1)).dropLast().map { $0 }, .tooShort)
        assertDecodeError([.uint256, .uint256], hex(w(1)), .tooShort)
        let dirtyAddress = hex("000000000000000000000001" + "7099797051812dc3a010c7d01b50e0d17dc79c80")
        assertDecodeError([.address], dirtyAddress, .dirtyValue)
        assertDecodeError([.bool], hex(w(2)), .dirtyValue)
        assertDecodeError([.uint(8)], hex(w(256)), .dirtyValue)
        assertDecodeError([.int(8)], hex(w(0x80)), .dirtyValue)
        assertDecodeError([.bytes4], hex("0102030405" + String(repeating: "0", count: 54)), .dirtyValue)
        // Coder v1 cleans instead.
        let lenient = try ABI.decode([.address, .bool, .uint(8), .int(8)], dirtyAddress + hex(w(2)) + hex(w(0x1ff)) + hex(w(0x80)), strict: false)
        XCTAssertEqual(lenient, [.address(Address(hex: "0x7099797051812dc3a010c7d01b50e0d17dc79c80")!), .bool(true), .uint(255), .signed(-128)])
        // Trailing bytes are ignored.
        XCTAssertEqual(try ABI.decode([.uint256], hex(w(7) + "ffff")), [.uint(7)])
    }

    func testStrictDynamicBounds() {
        // offset beyond the data
        assertDecodeError([.bytes], hex(w(0x40)), .offsetOutOfRange)
        // offset ≥ 2^64
        assertDecodeError([.bytes], hex("0000000000000000000000000000000000000000000000010000000000000000" + w(0)), .offsetOutOfRange)
        // offset leaves less than a word
        assertDecodeError([.bytes], hex(w(0x20) + "00"), .offsetOutOfRange)
        // length past the end
        assertDecodeError([.bytes], hex(w(0x20) + w(33) + w(0)), .lengthOutOfRange)
        assertDecodeError([.string], hex(w(0x20) + w(1)), .lengthOutOfRange)
        assertDecodeError([.array(.uint256)], hex(w(0x20) + w(2) + w(1)), .lengthOutOfRange)
        // absurd lengths: solc panics 0x41 allocating memory
        assertDecodeError([.bytes], hex(w(0x20) + "000000000000000000000000000000000000000000000001" + "0000000000000000"), .allocationTooLarge)
        assertDecodeError([.bytes], hex(w(0x20) + "000000000000000000000000000000000000000000000000" + "ffffffffffffffe0"), .allocationTooLarge)
        assertDecodeError([.array(.uint256)], hex(w(0x20) + "000000000000000000000000000000000000000000000000" + "1000000000000000"), .allocationTooLarge)
        // large but allocatable: plain out-of-range
        assertDecodeError([.bytes], hex(w(0x20) + "000000000000000000000000000000000000000000000000" + "8000000000000000"), .lengthOutOfRange)
        // bytes data need not be padded
        XCTAssertEqual(try? ABI.decode([.bytes], hex(w(0x20) + w(2) + "abcd")), [.bytes([0xab, 0xcd])])
        // an element of a dynamic array with a bad nested offset
        assertDecodeError([.array(.bytes)], hex(w(0x20) + w(1) + w(0x400)), .offsetOutOfRange)
    }

    // MARK: calldata reader

    func testCalldataReader() throws {
        let call = try ABI.encodeCall("unstakeBonds(uint256,uint256,uint256,bytes)",
                                      [.uint(5), .uint(0), .uint(9), .bytes([1, 2, 3])])
        var r = ABICalldata(call)
        try r.requireHead(words: 4)
        XCTAssertEqual(try r.uint(0), 5)
        XCTAssertEqual(try r.uint(2), 9)
        XCTAssertEqual(try r.bytes(3), [1, 2, 3])
        XCTAssertThrowsError(try r.requireHead(words: 9))
        XCTAssertThrowsError(try r.word(100))

        let dirty = ABI.selector("f(address,bool)") + hex("000000000000000000000001" + "7099797051812dc3a010c7d01b50e0d17dc79c80") + hex(w(3))
        let strict = ABICalldata(dirty)
        XCTAssertThrowsError(try strict.address(0)) { XCTAssertEqual($0 as? ABIError, .dirtyValue) }
        XCTAssertThrowsError(try strict.bool(1)) { XCTAssertEqual($0 as? ABIError, .dirtyValue) }
        let v1 = ABICalldata(dirty, strict: false)
        XCTAssertEqual(try v1.address(0), Address(hex: "0x7099797051812dc3a010c7d01b50e0d17dc79c80"))
        XCTAssertEqual(try v1.bool(1), true)

        var huge = ABICalldata(ABI.selector("f(bytes)") + hex(w(0x20) + "000000000000000000000000000000000000000000000000" + "ffffffffffffffff"))
        XCTAssertThrowsError(try huge.bytes(0)) { XCTAssertEqual($0 as? ABIError, .allocationTooLarge) }
        XCTAssertEqual(try ABICalldata(ABI.selector("f(bytes4)") + hex("01020304" + String(repeating: "0", count: 56))).fixedBytes(0, count: 4), [1, 2, 3, 4])
    }
}
