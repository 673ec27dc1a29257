import XCTest
import Foundation
@testable import RPC
import TestSupport

final class JSONTests: XCTestCase {
    func parse(_ s: String) throws -> JSON { try JSON.parse(s) }

    func rejects(_ s: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try JSON.parse(s), "accepted \(s.debugDescription)", file: file, line: line)
    }

    func error(_ s: String) -> JSONError? {
        do { _ = try JSON.parse(s); return nil } catch { return error }
    }

    func testScalars() throws {
        XCTAssertEqual(try parse("null"), .null)
        XCTAssertEqual(try parse("true"), .bool(true))
        XCTAssertEqual(try parse(" false "), .bool(false))
        XCTAssertEqual(try parse("0"), .number("0"))
        XCTAssertEqual(try parse("-0"), .number("-0"))
        XCTAssertEqual(try parse("-12.5e+3"), .number("-12.5e+3"))
        XCTAssertEqual(try parse("1E9"), .number("1E9"))
        XCTAssertEqual(try parse("\"abc\""), .string("abc"))
        XCTAssertEqual(try parse("\"\""), .string(""))
        XCTAssertEqual(try parse("[]"), .array([]))
        XCTAssertEqual(try parse("{}"), .object([]))
    }

    func testNestedAndAccessors() throws {
        let v = try parse(#"{"a": [1, {"b": "x"}, null], "c": true, "n": 42, "a2": -7}"#)
        XCTAssertEqual(v["a"]?[0], .number("1"))
        XCTAssertEqual(v["a"]?[1]?["b"]?.stringValue, "x")
        XCTAssertEqual(v["a"]?[2]?.isNull, true)
        XCTAssertNil(v["a"]?[3])
        XCTAssertNil(v["a"]?[-1])
        XCTAssertEqual(v["c"]?.boolValue, true)
        XCTAssertEqual(v["n"]?.intValue, 42)
        XCTAssertEqual(v["a2"]?.intValue, -7)
        XCTAssertNil(v["missing"])
        XCTAssertNil(v[0])
        XCTAssertEqual(v["a"]?.arrayValue?.count, 3)
        XCTAssertEqual(v.objectValue?.map { $0.0 }, ["a", "c", "n", "a2"])
    }

    func testHugeNumbersStayExact() throws {
        let max256 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        let bigger = "2037035976334486086268445688409378161051468393665936250636140449354381299763336706183397376"  // 2^300
        let v = try parse("[\(max256),\(bigger),1.000000000000000000000000001,-0.0e-0]")
        XCTAssertEqual(v[0], .number(max256))
        XCTAssertEqual(v[1], .number(bigger))
        XCTAssertEqual(v[2], .number("1.000000000000000000000000001"))
        XCTAssertEqual(v.jsonString, "[\(max256),\(bigger),1.000000000000000000000000001,-0.0e-0]")
    }

    func testSerializeKeepsKeyOrderAndIsCompact() throws {
        let v: JSON = ["jsonrpc": "2.0", "id": 1, "result": ["z": 1, "a": [true, nil, "s"]]]
        XCTAssertEqual(v.jsonString, #"{"jsonrpc":"2.0","id":1,"result":{"z":1,"a":[true,null,"s"]}}"#)
        let text = #"{"z":1,"y":{"b":[],"a":{}},"x":"q"}"#
        XCTAssertEqual(try parse(text).jsonString, text)
        XCTAssertEqual(try parse(" {\n\"z\" : 1 ,\t\"y\":\r\n[ ] } ").jsonString, #"{"z":1,"y":[]}"#)
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try parse(#""\"\\\/\b\f\n\r\t""#), .string("\"\\/\u{8}\u{c}\n\r\t"))
        XCTAssertEqual(try parse(#""caf\u00e9 \u00E9""#), .string("café é"))
        XCTAssertEqual(try parse(#""\ud83d\ude00!""#), .string("😀!"))
        XCTAssertEqual(try parse("\"naïve ✓ 😀\""), .string("naïve ✓ 😀"))
        XCTAssertEqual(try parse(#""a\u0000b""#), .string("a\u{0}b"))
        // Output escapes only what JSON requires.
        XCTAssertEqual(JSON.string("q\"b\\s/\n\t\u{1}\u{1f}é😀").jsonString, #""q\"b\\s/\n\t\u0001\u001fé😀""#)
    }

    func testRoundTripThroughFoundation() throws {
        let v: JSON = ["s": "x\u{7}y\"z\\é😀", "n": .number("12345678901234567890"), "a": [1, .number("2.5"), nil, [:]]]
        let bytes = v.serialized()
        let f = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        XCTAssertEqual(f?["s"] as? String, "x\u{7}y\"z\\é😀")
        XCTAssertEqual(try JSON.parse(bytes), v)
    }

    func testRejects() {
        for s in ["", " ", "{} x", "[1,]", "[,1]", "[1 2]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, #"{"a":}"#, "{1:2}",
                  "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity",
                  "'a'", #""\x""#, #""\u12""#, #""\u12g4""#, #""\ud800""#, #""\ud800\u0041""#, #""\udc00""#,
                  "\"a\u{1}b\"", "\"a\nb\"", "\"abc", "\"abc\\", "nul", "tru", "falsey", "[", "{", "[1", #"{"a":1"#,
                  "\u{feff}{}", "[1]]", "{}{}", "null null"] {
            rejects(s)
        }
        XCTAssertThrowsError(try JSON.parse([0x22, 0xFF, 0x22] as [UInt8]))  // invalid UTF-8
        XCTAssertThrowsError(try JSON.parse([0x22, 0xC3, 0x22] as [UInt8]))  // truncated sequence
        XCTAssertThrowsError(try JSON.parse([0x22, 0xED, 0xA0, 0x80, 0x22] as [UInt8]))  // encoded surrogate
        XCTAssertThrowsError(try JSON.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22] as [UInt8]))  // invalid UTF-8 after an escape
    }

    func testErrorPositions() {
        XCTAssertEqual(error("[1,2,x]")?.offset, 5)
        XCTAssertEqual(error("{} x")?.offset, 3)
        XCTAssertEqual(error("{} x")?.description, "unexpected 'x' after the JSON value at byte 3")
        XCTAssertEqual(error(#"{"a":1,}"#)?.offset, 7)
        XCTAssertEqual(error(#"["ok", "bad\q"]"#)?.offset, 11)
        XCTAssertEqual(error("01")?.reason, "leading zero in number")
        XCTAssertEqual(error(#"  "abc"#)?.reason, "unterminated string")
        XCTAssertEqual(error(#"  "abc"#)?.offset, 2)
    }

    func testDepthLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        XCTAssertNoThrow(try JSON.parse(ok))
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        XCTAssertEqual(error(deep)?.reason, "nesting deeper than 64 levels")
        let deepObj = String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)
        rejects(deepObj)
        // Very deep input must not overflow the stack.
        let huge = String(repeating: "[", count: 1_000_000)
        rejects(huge)
        XCTAssertNoThrow(try JSON.parse(deep, maxDepth: 100))
    }

    func testEquality() throws {
        XCTAssertEqual(try parse(#"{"a":1,"b":2}"#), try parse(#"{"b":2,"a":1}"#))
        XCTAssertNotEqual(try parse(#"{"a":1,"b":2}"#), try parse(#"{"a":1,"b":3}"#))
        XCTAssertNotEqual(try parse(#"{"a":1}"#), try parse(#"{"a":1,"b":2}"#))
        XCTAssertNotEqual(try parse("[1,2]"), try parse("[2,1]"))
        XCTAssertNotEqual(JSON.number("1"), JSON.number("1.0"))
        // Duplicate keys: lookups see the last.
        XCTAssertEqual(try parse(#"{"a":1,"a":2}"#)["a"], .number("2"))
    }

    func testHelpers() {
        XCTAssertEqual(JSON.quantity(UInt64(0)).stringValue, "0x0")
        XCTAssertEqual(JSON.quantity(31337).stringValue, "0x7a69")
        XCTAssertEqual(JSON.data([0, 255]).stringValue, "0x00ff")
        XCTAssertEqual(JSON.data([UInt8]()).stringValue, "0x")
        XCTAssertEqual(JSON(7).jsonString, "7")
    }

    /// Mutated inputs: the parser either rejects or returns a value that round-trips.
    func testMutationsNeverCrash() throws {
        let seeds = [#"{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{"to":"0x00","data":"0xab\u00e9"},"latest"]}"#,
                     #"[1,-2.5e3,true,false,null,"\ud83d\ude00",{"":[]}]"#]
        var rng = SplitMix64(state: 42)
        var accepted = 0
        let inserts = Array("{}[]\",:\\0-e.u".utf8)
        for seed in seeds {
            let base = Array(seed.utf8)
            for _ in 0..<20_000 {
                var b = base
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let i = Int(rng.next() % UInt64(b.count))
                    switch rng.next() % 3 {
                    case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: b.remove(at: i)
                    default: b.insert(inserts[Int(rng.next() % UInt64(inserts.count))], at: i)
                    }
                    if b.isEmpty { b = [0x30] }
                }
                if let v = try? JSON.parse(b) {
                    accepted += 1
                    XCTAssertEqual(try JSON.parse(v.serialized()), v)
                }
            }
        }
        XCTAssertGreaterThan(accepted, 0)
    }

    func testSpeed() throws {
        let req = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","latest"]}"#.utf8)
        let n = 50_000
        let start = Date()
        var total = 0
        for _ in 0..<n {
            let v = try JSON.parse(req)
            total += v.serialized().count
        }
        let us = Date().timeIntervalSince(start) / Double(n) * 1e6
        print("JSON parse+serialize of a \(req.count)-byte request: \(String(format: "%.2f", us)) µs (this build)")
        XCTAssertEqual(total, n * req.count)
    }
}

