import XCTest
import Foundation
@testable import Primitives
import TestSupport

final class TrieTests: XCTestCase {
    /// TrieTests text: `0x…` is hex, anything else its UTF-8 bytes.
    static func bytes(_ s: String) -> [UInt8] {
        s.hasPrefix("0x") ? Hex.decode(s)! : Array(s.utf8)
    }

    /// Applies a test's `in` (a map, or a list of [key, value|null] where null deletes) and
    /// returns the final pairs in application order.
    static func pairs(_ input: Any, secure: Bool) -> [([UInt8], [UInt8])] {
        var out: [([UInt8], [UInt8])] = []
        func add(_ k: String, _ v: Any) {
            var key = bytes(k)
            if secure { key = keccak256(key) }
            out.append((key, (v as? String).map(bytes) ?? []))
        }
        if let map = input as? [String: Any] {
            for (k, v) in map { add(k, v) }
        } else {
            for kv in input as! [[Any]] { add(kv[0] as! String, kv[1]) }
        }
        return out
    }

    func check(_ file: String, secure: Bool, expectedCount: Int) throws {
        let cases = try XCTUnwrap(Vectors.json("ethereum-tests/TrieTests/\(file)") as? [String: [String: Any]])
        XCTAssertEqual(cases.count, expectedCount, file)
        for (name, c) in cases {
            let root = Trie.root(Self.pairs(c["in"]!, secure: secure))
            XCTAssertEqual(root.hex, c["root"] as? String, "\(file) \(name)")
        }
    }

    func testTrieAnyOrder() throws { try check("trieanyorder.json", secure: false, expectedCount: 7) }
    func testTrieTest() throws { try check("trietest.json", secure: false, expectedCount: 5) }
    func testTrieAnyOrderSecure() throws { try check("trieanyorder_secureTrie.json", secure: true, expectedCount: 7) }
    func testTrieTestSecure() throws { try check("trietest_secureTrie.json", secure: true, expectedCount: 3) }
    func testHexEncodedSecureTrie() throws { try check("hex_encoded_securetrie_test.json", secure: true, expectedCount: 3) }

    func testAnyOrderIsOrderIndependent() throws {
        let cases = try XCTUnwrap(Vectors.json("ethereum-tests/TrieTests/trieanyorder.json") as? [String: [String: Any]])
        for (name, c) in cases {
            let p = Self.pairs(c["in"]!, secure: false)
            XCTAssertEqual(Trie.root(p.reversed()).hex, c["root"] as? String, name)
            XCTAssertEqual(Trie.root(p.sorted { $0.0.lexicographicallyPrecedes($1.0) }).hex, c["root"] as? String, name)
        }
    }

    func testHexPrefixEncoding() throws {
        let cases = try XCTUnwrap(Vectors.json("ethereum-tests/BasicTests/hexencodetest.json") as? [String: [String: Any]])
        XCTAssertGreaterThan(cases.count, 5)
        for (name, c) in cases {
            let seq = (c["seq"] as! [Int]).map { UInt8($0) }
            let hp = Trie.hexPrefix(seq, leaf: c["term"] as! Bool)
            XCTAssertEqual(Hex.encode(hp, prefix: false), c["out"] as? String, name)
        }
    }

    func testEmptyAndOrdered() {
        XCTAssertEqual(Trie.root([]), Trie.emptyRoot)
        XCTAssertEqual(Trie.orderedRoot([]), Trie.emptyRoot)
        XCTAssertEqual(Hash.keccak([0x80]), Trie.emptyRoot)
        // Deleting everything gives the empty root again.
        XCTAssertEqual(Trie.root([([1, 2], [3]), ([1, 2], [])]), Trie.emptyRoot)
        // orderedRoot is root over RLP(index) keys, for sizes that cross 0x7f/0x80.
        for n in [1, 2, 16, 17, 128, 129, 300] {
            let values = (0..<n).map { i in RLP.encode(bytes: [UInt8](repeating: UInt8(i & 0xff), count: i % 40 + 1)) }
            let pairs = values.enumerated().map { (RLP.encode(UInt64($0.offset)), $0.element) }
            XCTAssertEqual(Trie.orderedRoot(values), Trie.root(pairs.shuffled()), "n=\(n)")
        }
    }
}
