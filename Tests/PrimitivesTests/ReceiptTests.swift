import XCTest
import Foundation
@testable import Primitives

final class ReceiptTests: XCTestCase {
    static func log(_ j: [String: Any]) -> Log {
        Log(address: Address(hex: j["address"] as! String)!,
            topics: (j["topics"] as! [String]).map { Hash(hex: $0)! },
            data: Hex.decode(j["data"] as! String)!)
    }

    /// Block 0x36 of the execution-apis chain: receipts rebuilt from eth_getBlockReceipts JSON
    /// must give the header's receiptsRoot and logsBloom.
    func testReceiptsRootAndBloomOfRealBlock() throws {
        let receiptsJSON = try XCTUnwrap(ioResult("eth_getBlockReceipts/get-block-receipts-latest.io") as? [[String: Any]])
        XCTAssertEqual(receiptsJSON.count, 4)
        var receipts: [Receipt] = []
        var totalLogs = 0
        for j in receiptsJSON {
            let logs = (j["logs"] as! [[String: Any]]).map(Self.log)
            totalLogs += logs.count
            let r = Receipt(type: UInt8(UInt256(hex: j["type"] as! String)!.w0), status: j["status"] as? String == "0x1",
                            cumulativeGasUsed: UInt256(hex: j["cumulativeGasUsed"] as! String)!.w0, logs: logs)
            XCTAssertEqual(r.bloom.hex, j["logsBloom"] as? String)
            XCTAssertEqual(try Receipt.decode(r.encoded()), r)
            receipts.append(r)
        }
        XCTAssertGreaterThan(totalLogs, 5)
        let block = try XCTUnwrap(RawChainBlock.load().first { $0.header.number == 0x36 })
        XCTAssertEqual(Trie.orderedRoot(receipts.map { $0.encoded() }), block.header.receiptsRoot)
        let union = receipts.reduce(Bloom.empty) { $0.union($1.bloom) }
        XCTAssertEqual(union, block.header.logsBloom)
        for r in receipts {
            XCTAssertTrue(block.header.logsBloom.contains(r.bloom))
            for l in r.logs {
                XCTAssertTrue(union.contains(address: l.address))
                for t in l.topics { XCTAssertTrue(union.contains(topic: t)) }
            }
        }
    }

    /// Block 3's raw receipts (pre-Byzantium: state root instead of status) give its
    /// receiptsRoot through the trie; their blooms match their logs; `Receipt.decode` refuses them.
    func testRawPreByzantiumReceipts() throws {
        let raw = try XCTUnwrap(ioResult("debug_getRawReceipts/get-block-n.io") as? [String]).map { Hex.decode($0)! }
        XCTAssertEqual(raw.count, 3)
        let block = try XCTUnwrap(RawChainBlock.load().first { $0.header.number == 3 })
        XCTAssertEqual(Trie.orderedRoot(raw), block.header.receiptsRoot)
        var union = Bloom()
        for r in raw {
            XCTAssertThrowsError(try Receipt.decode(r)) { XCTAssertEqual($0 as? ReceiptError, .unsupportedStatus) }
            let fields = try XCTUnwrap(RLP.decode(r).listValue)
            let bloom = try XCTUnwrap(Bloom(bytes: fields[2].bytesValue!))
            var mine = Bloom()
            for l in fields[3].listValue! {
                let parts = l.listValue!
                mine.add(log: Log(address: Address(bytes: parts[0].bytesValue!)!,
                                  topics: parts[1].listValue!.map { Hash(bytes: $0.bytesValue!)! },
                                  data: parts[2].bytesValue!))
            }
            XCTAssertEqual(mine, bloom)
            union.formUnion(mine)
        }
        XCTAssertFalse(union.isEmpty)
        XCTAssertEqual(union, block.header.logsBloom)
    }

    func testTypedEncodingAndDecodeErrors() throws {
        let log = Log(address: Address(hex: "0x00000000000000000000000000000000000000ff")!,
                      topics: [Hash(UInt256(1)), Hash(UInt256(2))], data: [1, 2, 3])
        let r = Receipt(type: 2, status: false, cumulativeGasUsed: 21_000, logs: [log, log])
        let enc = r.encoded()
        XCTAssertEqual(enc.first, 2)
        let item = try RLP.decode(Array(enc.dropFirst()))
        XCTAssertEqual(item.listValue?.count, 4)
        XCTAssertEqual(item.listValue?[0], .bytes([]))
        XCTAssertEqual(try Receipt.decode(enc), r)
        let legacy = Receipt(type: 0, status: true, cumulativeGasUsed: 1, logs: [])
        XCTAssertEqual(try RLP.decode(legacy.encoded()).listValue?[0], .bytes([1]))
        XCTAssertTrue(legacy.bloom.isEmpty)
        XCTAssertThrowsError(try Receipt.decode([]))
        XCTAssertThrowsError(try Receipt.decode([0x02]))
        XCTAssertThrowsError(try Receipt.decode(enc + [0]))
        XCTAssertThrowsError(try Receipt.decode(Array(enc.dropLast())))
    }

    func testBloom() throws {
        var b = Bloom()
        XCTAssertTrue(b.isEmpty)
        let a = Address(hex: "0x095e7baea6a6c7c4c2dfeb977efac326af552d87")!
        let t = Hash.keccak(Array("Transfer(address,address,uint256)".utf8))
        b.add(address: a)
        XCTAssertTrue(b.contains(address: a))
        XCTAssertFalse(b.contains(topic: t))
        XCTAssertEqual(b.bytes.reduce(0) { $0 + $1.nonzeroBitCount }, 3 - collisions(a.bytes))
        var c = Bloom()
        c.add(topic: t)
        let u = b.union(c)
        XCTAssertTrue(u.contains(address: a) && u.contains(topic: t))
        XCTAssertTrue(u.contains(b) && u.contains(c))
        XCTAssertFalse(b.contains(c))
        XCTAssertNil(Bloom(bytes: [UInt8](repeating: 0, count: 255)))
        XCTAssertEqual(Bloom(bytes: u.bytes), u)
        XCTAssertEqual(u.hex.count, 2 + 512)
    }

    /// How many of a value's three bloom bits coincide (so the set-bit count is 3 minus that).
    func collisions(_ v: [UInt8]) -> Int {
        let h = keccak256(v)
        let bits = Set((0..<3).map { (Int(h[2 * $0]) << 8 | Int(h[2 * $0 + 1])) & 2047 })
        return 3 - bits.count
    }
}
