import XCTest
import Primitives
@testable import RPC

final class ParamsTests: XCTestCase {
    func p(_ json: String) throws -> Params { Params(try JSON.parse(json), method: "test") }

    func message<T>(_ f: @autoclosure () throws -> T) -> String? {
        do { _ = try f(); return nil } catch let e as RPCError {
            XCTAssertEqual(e.code, -32602)
            return e.message
        } catch { return "unexpected \(error)" }
    }

    func testQuantity() throws {
        let ps = try p(#"["0x0","0x00ff","0xFF",255,"100","0X1a",0]"#)
        XCTAssertEqual(ps.count, 7)
        XCTAssertEqual(try ps.quantity(0), 0)
        XCTAssertEqual(try ps.quantity(1), 255)
        XCTAssertEqual(try ps.quantity(2), 255)
        XCTAssertEqual(try ps.quantity(3), 255)
        XCTAssertEqual(try ps.quantity(4), 100)
        XCTAssertEqual(try ps.quantity(5), 26)
        XCTAssertEqual(try ps.quantity(6), 0)

        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        let big = try p("[\(max), \"0x\(String(repeating: "f", count: 64))\", \"0x000\(String(repeating: "f", count: 64))\"]")
        XCTAssertEqual(try big.quantity(0), .max)
        XCTAssertEqual(try big.quantity(1), .max)
        XCTAssertEqual(try big.quantity(2), .max)

        let bad = try p(#"["0x", "0xzz", "0x1g", -1, 1.5, 1e3, "", "abc", true, null, {}, "0x1\#(String(repeating: "0", count: 64))", 115792089237316195423570985008687907853269984665640564039457584007913129639936, " 1"]"#)
        XCTAssertEqual(message(try bad.quantity(0)), #"invalid params: param 0: empty hex quantity "0x""#)
        XCTAssertEqual(message(try bad.quantity(1)), #"invalid params: param 1: expected hex quantity, got "0xzz""#)
        XCTAssertEqual(message(try bad.quantity(2)), #"invalid params: param 2: expected hex quantity, got "0x1g""#)
        XCTAssertEqual(message(try bad.quantity(3)), "invalid params: param 3: expected a non-negative integer, got -1")
        XCTAssertEqual(message(try bad.quantity(4)), "invalid params: param 4: expected a non-negative integer, got 1.5")
        XCTAssertEqual(message(try bad.quantity(5)), "invalid params: param 5: expected a non-negative integer, got 1e3")
        XCTAssertEqual(message(try bad.quantity(6)), #"invalid params: param 6: expected hex quantity, got """#)
        XCTAssertEqual(message(try bad.quantity(7)), #"invalid params: param 7: expected hex quantity, got "abc""#)
        XCTAssertEqual(message(try bad.quantity(8)), "invalid params: param 8: expected hex quantity, got true")
        XCTAssertEqual(message(try bad.quantity(9)), "invalid params: param 9: missing value")
        XCTAssertEqual(message(try bad.quantity(10)), "invalid params: param 10: expected hex quantity, got {}")
        XCTAssertEqual(message(try bad.quantity(11)), "invalid params: param 11: quantity exceeds 256 bits")
        XCTAssertEqual(message(try bad.quantity(12)), "invalid params: param 12: quantity exceeds 256 bits")
        XCTAssertNotNil(message(try bad.quantity(13)))
        XCTAssertEqual(message(try bad.quantity(14)), "invalid params: param 14: missing value")
        XCTAssertNil(try bad.optionalQuantity(9))
        XCTAssertNil(try bad.optionalQuantity(99))
        XCTAssertNotNil(message(try bad.optionalQuantity(1)))
    }

    func testUInt64() throws {
        let ps = try p(#"["0xffffffffffffffff","0x10000000000000000",18446744073709551615]"#)
        XCTAssertEqual(try ps.uint64(0), .max)
        XCTAssertEqual(message(try ps.uint64(1)), "invalid params: param 1: quantity exceeds 64 bits")
        XCTAssertEqual(try ps.uint64(2), .max)
        XCTAssertEqual(try ps.optionalUInt64(5), nil)
    }

    func testAddressHashBytes() throws {
        let a = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
        let h = "0x" + String(repeating: "ab", count: 32)
        let ps = try p(#"["\#(a)","\#(h)","0x","0x0102","0x123","0x12zz","0x1234",5,"f39fd6e51aad88f6f4ce6ab8827279cfffb92266"]"#)
        XCTAssertEqual(try ps.address(0), Address(hex: a))
        XCTAssertEqual(try ps.address(8), Address(hex: a))
        XCTAssertEqual(try ps.hash(1).hex, h)
        XCTAssertEqual(try ps.bytes(2), [])
        XCTAssertEqual(try ps.bytes(3), [1, 2])
        XCTAssertEqual(message(try ps.bytes(4)), "invalid params: param 4: hex data has odd length")
        XCTAssertEqual(message(try ps.bytes(5)), #"invalid params: param 5: expected hex data, got "0x12zz""#)
        XCTAssertEqual(message(try ps.address(6)), "invalid params: param 6: expected a 20-byte address, got 2 bytes")
        XCTAssertEqual(message(try ps.address(1)), "invalid params: param 1: expected a 20-byte address, got 32 bytes")
        XCTAssertEqual(message(try ps.hash(0)), "invalid params: param 0: expected a 32-byte hash, got 20 bytes")
        XCTAssertEqual(message(try ps.address(7)), "invalid params: param 7: expected address, got 5")
        XCTAssertEqual(message(try ps.address(9)), "invalid params: param 9: missing value")
        XCTAssertNil(try ps.optionalAddress(9))
        XCTAssertEqual(try ps.optionalBytes(3), [1, 2])
    }

    func testBoolStringObjectArray() throws {
        let ps = try p(#"[true,"s",{"to":"0x01"},[1],"true",null]"#)
        XCTAssertEqual(try ps.bool(0), true)
        XCTAssertEqual(try ps.string(1), "s")
        XCTAssertEqual(try ps.object(2)["to"], "0x01")
        XCTAssertEqual(try ps.array(3), [1])
        XCTAssertEqual(message(try ps.bool(4)), #"invalid params: param 4: expected boolean, got "true""#)
        XCTAssertEqual(message(try ps.string(0)), "invalid params: param 0: expected string, got true")
        XCTAssertEqual(message(try ps.object(3)), "invalid params: param 3: expected object, got [1]")
        XCTAssertEqual(message(try ps.array(2)), #"invalid params: param 2: expected array, got {"to":"0x01"}"#)
        XCTAssertNil(try ps.optionalBool(5))
        XCTAssertNil(try ps.optionalObject(5))
        XCTAssertNil(try ps.optionalString(6))
        XCTAssertTrue(ps.isAbsent(5))
        XCTAssertTrue(ps.isAbsent(6))
        XCTAssertFalse(ps.isAbsent(0))
    }

    func testCountChecksAndNamedParams() throws {
        let ps = try p("[1,2,3]")
        XCTAssertNoThrow(try ps.requireCount(atMost: 3))
        XCTAssertEqual(message(try ps.requireCount(atMost: 2)), "invalid params: too many params: want at most 2, got 3")
        let named = try p(#"{"a":1}"#)
        XCTAssertEqual(named.count, 0)
        XCTAssertNotNil(message(try named.quantity(0)))
        XCTAssertEqual(Params().count, 0)
    }

    func testLongValuesAreCutInMessages() throws {
        let ps = try p("[\"0x" + String(repeating: "z", count: 500) + "\"]")
        let m = try XCTUnwrap(message(try ps.quantity(0)))
        XCTAssertLessThan(m.count, 140)
        XCTAssertTrue(m.hasSuffix("..."))
    }

    func testBlockTags() throws {
        let h = "0x" + String(repeating: "cd", count: 32)
        let ps = try p(#"""
        ["latest","pending","earliest","safe","finalized","0x10",16,
         {"blockNumber":"0x5"},{"blockHash":"\#(h)","requireCanonical":true},{"blockHash":"\#(h)"},
         "\#(h)",{"blockNumber":"latest"},
         "lates",{"blockNumber":"0x1","blockHash":"\#(h)"},{},"0x10000000000000000",{"blockHash":"0x12"},true,
         {"blockHash":"\#(h)","requireCanonical":"yes"}]
        """#)
        XCTAssertEqual(try ps.blockTag(0), .latest)
        XCTAssertEqual(try ps.blockTag(1), .pending)
        XCTAssertEqual(try ps.blockTag(2), .earliest)
        XCTAssertEqual(try ps.blockTag(3), .safe)
        XCTAssertEqual(try ps.blockTag(4), .finalized)
        XCTAssertEqual(try ps.blockTag(5), .number(16))
        XCTAssertEqual(try ps.blockTag(6), .number(16))
        XCTAssertEqual(try ps.blockTag(7), .number(5))
        let hash = try XCTUnwrap(Hash(hex: h))
        XCTAssertEqual(try ps.blockTag(8), .hash(hash, requireCanonical: true))
        XCTAssertEqual(try ps.blockTag(9), .hash(hash, requireCanonical: false))
        XCTAssertEqual(try ps.blockTag(10), .hash(hash, requireCanonical: false))
        XCTAssertEqual(try ps.blockTag(11), .latest)
        XCTAssertEqual(message(try ps.blockTag(12)),
                       #"invalid params: param 12: expected block tag (latest, pending, earliest, safe, finalized), number or hash, got "lates""#)
        XCTAssertEqual(message(try ps.blockTag(13)), "invalid params: param 13: cannot specify both blockHash and blockNumber")
        XCTAssertEqual(message(try ps.blockTag(14)), "invalid params: param 14: block object needs blockNumber or blockHash")
        XCTAssertEqual(message(try ps.blockTag(15)), "invalid params: param 15: block number exceeds 64 bits")
        XCTAssertEqual(message(try ps.blockTag(16)), "invalid params: param 16.blockHash: expected a 32-byte hash, got 1 bytes")
        XCTAssertNotNil(message(try ps.blockTag(17)))
        XCTAssertEqual(message(try ps.blockTag(18)), #"invalid params: param 18.requireCanonical: expected boolean, got "yes""#)
        // absent / null → default
        XCTAssertEqual(try ps.blockTag(99), .latest)
        XCTAssertEqual(try ps.blockTag(99, default: .pending), .pending)
        XCTAssertNil(try ps.optionalBlockTag(99))
        XCTAssertEqual(BlockTag.number(255).description, "0xff")
    }

    func testNestedFieldNames() {
        XCTAssertEqual(message(try ParamDecoder.quantity("0xq", "param 0.gas")),
                       #"invalid params: param 0.gas: expected hex quantity, got "0xq""#)
    }
}
