import XCTest
import Foundation
@testable import Primitives
import TestSupport

final class RLPTests: XCTestCase {
    /// Big-endian bytes of a non-negative decimal of any size (the vectors go past 2^256).
    static func decimalBytes(_ s: String) -> [UInt8] {
        var digits = s.utf8.map { Int($0) - 48 }
        var out: [UInt8] = []
        while !digits.isEmpty {
            var rem = 0
            var q: [Int] = []
            for d in digits {
                let cur = rem * 10 + d
                if !q.isEmpty || cur / 256 != 0 { q.append(cur / 256) }
                rem = cur % 256
            }
            out.append(UInt8(rem))
            digits = q
        }
        return out.reversed()
    }

    /// The `in` of rlptest.json as an item: strings are bytes, `#…` big integers, numbers integers.
    static func item(fromTestInput v: Any) -> RLP.Item {
        if let s = v as? String {
            if s.hasPrefix("#") { return .bytes(decimalBytes(String(s.dropFirst()))) }
            return .bytes(Array(s.utf8))
        }
        if let a = v as? [Any] { return .list(a.map(item(fromTestInput:))) }
        if let n = v as? NSNumber { return .uint(n.uint64Value) }
        fatalError("unexpected test input \(v)")
    }

    /// ethers' `decoded`: hex strings and nested arrays.
    static func item(fromEthers v: Any) -> RLP.Item {
        if let s = v as? String { return .bytes(Hex.decode(s)!) }
        return .list((v as! [Any]).map(item(fromEthers:)))
    }

    func testEthereumRLPEncodeAndDecode() throws {
        let cases = try XCTUnwrap(Vectors.json("ethereum-tests/RLPTests/rlptest.json") as? [String: [String: Any]])
        XCTAssertEqual(cases.count, 28)
        for (name, c) in cases {
            let item = Self.item(fromTestInput: c["in"]!)
            let out = try XCTUnwrap(Hex.decode(c["out"] as! String))
            XCTAssertEqual(RLP.encode(item), out, name)
            XCTAssertEqual(try RLP.decode(out), item, name)
        }
    }

    func testBigIntegerHelpers() throws {
        // mediumint4 / mediumint5 from rlptest.json through the UInt256 path.
        let v = try XCTUnwrap(UInt256(decimal: "83729609699884896815286331701780722"))
        XCTAssertEqual(RLP.encode(v).hex, "0x8f102030405060708090a0b0c0d0e0f2")
        let w = try XCTUnwrap(UInt256(decimal: "105315505618206987246253880190783558935785933862974822347068935681"))
        let enc = RLP.encode(w)
        XCTAssertEqual(enc.hex, "0x9c0100020003000400050006000700080009000a000b000c000d000e01")
        var r = RLPReader(enc)
        XCTAssertEqual(try r.readUInt256(), w)
        XCTAssertEqual(RLP.encode(UInt256.max).count, 33)
        XCTAssertEqual(try RLP.decode(RLP.encode(UInt256.max)).uint256(), .max)
        for x: UInt64 in [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff_ffff, .max] {
            var rr = RLPReader(RLP.encode(x))
            XCTAssertEqual(try rr.readUInt64(), x)
            XCTAssertEqual(RLP.encode(x), RLP.encode(UInt256(x)))
        }
    }

    func testInvalidRLPIsRejected() throws {
        let cases = try XCTUnwrap(Vectors.json("ethereum-tests/RLPTests/invalidRLPTest.json") as? [String: [String: Any]])
        XCTAssertEqual(cases.count, 26)
        for (name, c) in cases {
            let bytes = try XCTUnwrap(Hex.decode(c["out"] as! String), name)
            XCTAssertThrowsError(try RLP.decode(bytes), name)
        }
    }

    func testRandomRLPExample() throws {
        let cases = try XCTUnwrap(Vectors.json("ethereum-tests/RLPTests/RandomRLPTests/example.json") as? [String: [String: Any]])
        XCTAssertFalse(cases.isEmpty)
        for (name, c) in cases {
            let bytes = try XCTUnwrap(Hex.decode(c["out"] as! String))
            let item = try RLP.decode(bytes)
            XCTAssertEqual(RLP.encode(item), bytes, name)
        }
    }

    func testEthersRLP() throws {
        let cases = try XCTUnwrap(Vectors.json("ethers-testcases/rlp.json") as? [[String: Any]])
        XCTAssertEqual(cases.count, 61)
        for c in cases {
            let name = c["name"] as! String
            let item = Self.item(fromEthers: c["decoded"]!)
            let enc = try XCTUnwrap(Hex.decode(c["encoded"] as! String))
            XCTAssertEqual(RLP.encode(item), enc, name)
            XCTAssertEqual(try RLP.decode(enc), item, name)
        }
    }

    func testTypedErrors() {
        func err(_ hex: String) -> RLPError? {
            do { _ = try RLP.decode(Hex.decode(hex)!); return nil } catch { return error }
        }
        XCTAssertEqual(err(""), .emptyInput)
        XCTAssertEqual(err("8100"), .nonCanonicalSingleByte)
        XCTAssertEqual(err("817f"), .nonCanonicalSingleByte)
        XCTAssertNil(err("8180"))
        XCTAssertEqual(err("b801ff"), .nonCanonicalLength)
        XCTAssertEqual(err("f803112233"), .nonCanonicalLength)
        XCTAssertEqual(err("b90040" + String(repeating: "00", count: 64)), .leadingZeroInLength)
        XCTAssertEqual(err("f800"), .leadingZeroInLength)
        XCTAssertEqual(err("83aabb"), .truncated)
        XCTAssertEqual(err("b8"), .truncated)
        XCTAssertEqual(err("c2c28080"), .truncated) // inner list longer than the outer's payload
        XCTAssertEqual(err("bf0f000000000000021111"), .truncated)
        XCTAssertEqual(err("bfffffffffffffffff00"), .lengthOverflow)
        XCTAssertEqual(err("8080"), .trailingBytes(1))
        XCTAssertEqual(err("c0c0c0"), .trailingBytes(2))
        XCTAssertNil(err("c7c0c1c0c3c0c1c0"))
    }

    func testStrictIntegers() {
        XCTAssertThrowsError(try RLP.decodeUInt256([0x00])) { XCTAssertEqual($0 as? RLPError, .leadingZeroInInteger) }
        XCTAssertThrowsError(try RLP.decodeUInt256([0x00, 0x01])) { XCTAssertEqual($0 as? RLPError, .leadingZeroInInteger) }
        XCTAssertThrowsError(try RLP.decodeUInt256([UInt8](repeating: 1, count: 33))) {
            XCTAssertEqual($0 as? RLPError, .integerTooLarge(maxBytes: 32))
        }
        XCTAssertThrowsError(try RLP.decodeUInt64([UInt8](repeating: 1, count: 9))) {
            XCTAssertEqual($0 as? RLPError, .integerTooLarge(maxBytes: 8))
        }
        // Precedence (as geth): big integers report the leading zero, uint64 the length.
        XCTAssertThrowsError(try RLP.decodeUInt256([0] + [UInt8](repeating: 1, count: 33))) {
            XCTAssertEqual($0 as? RLPError, .leadingZeroInInteger)
        }
        XCTAssertThrowsError(try RLP.decodeUInt64([0] + [UInt8](repeating: 1, count: 8))) {
            XCTAssertEqual($0 as? RLPError, .integerTooLarge(maxBytes: 8))
        }
        XCTAssertEqual(try RLP.decodeUInt256([]), .zero)
        XCTAssertEqual(try RLP.decodeUInt64([0x01, 0x00]), 256)
    }

    func testWriterMatchesItems() throws {
        // Lists crossing the 56-byte boundary, nested, written in place.
        for n in [0, 1, 17, 18, 19, 54, 55, 56, 57, 300, 70_000] {
            let payload = [UInt8](repeating: 0xaa, count: n)
            let item = RLP.Item.list([.bytes(payload), .list([.uint(UInt64(n)), .bytes([])]), .bytes([0x05])])
            var w = RLPWriter(capacity: 0)
            w.list { w in
                w.write(bytes: payload)
                w.list { w in w.write(UInt64(n)); w.write(bytes: [UInt8]()) }
                w.write(bytes: [0x05])
            }
            XCTAssertEqual(w.bytes, RLP.encode(item), "n=\(n)")
            XCTAssertEqual(try RLP.decode(w.bytes), item)
        }
        let a = Address(hex: "0x095e7baea6a6c7c4c2dfeb977efac326af552d87")!
        let h = Hash.keccak([1, 2, 3])
        var w = RLPWriter()
        w.list { w in w.write(a); w.write(h); w.write(Address?.none); w.write(true); w.write(false) }
        XCTAssertEqual(w.bytes, RLP.encode(.list([.bytes(a.bytes), .bytes(h.bytes), .bytes([]), .bytes([1]), .bytes([])])))
    }

    func testReaderFieldByField() throws {
        var w = RLPWriter()
        w.list { w in w.write(UInt64(1000)); w.write(bytes: Array("dog".utf8)); w.list { _ in } }
        var r = RLPReader(w.bytes)
        var l = try r.readList()
        try r.finish()
        XCTAssertEqual(try l.readUInt64(), 1000)
        XCTAssertEqual(Array(try l.readBytes()), Array("dog".utf8))
        XCTAssertTrue(try l.peekIsList())
        XCTAssertThrowsError(try l.readBytes()) { XCTAssertEqual($0 as? RLPError, .expectedBytes) }
        XCTAssertTrue(try l.readList().isAtEnd)
        XCTAssertTrue(l.isAtEnd)
        XCTAssertThrowsError(try l.readBytes()) { XCTAssertEqual($0 as? RLPError, .truncated) }
    }

    func testDeepNestingIsRejectedNotCrashing() {
        // Lists nested deeper than RLP.maxDepth: the generic decoder stops with an error.
        var w = RLPWriter(capacity: 16_000)
        func nest(_ k: Int, _ w: inout RLPWriter) { if k == 0 { w.write(UInt64(7)) } else { w.list { nest(k - 1, &$0) } } }
        nest(RLP.maxDepth + 10, &w)
        XCTAssertThrowsError(try RLP.decode(w.bytes)) { XCTAssertEqual($0 as? RLPError, .tooDeep) }
        var ok = RLPWriter()
        nest(RLP.maxDepth, &ok)
        XCTAssertNoThrow(try RLP.decode(ok.bytes))
    }
}
