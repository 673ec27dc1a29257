import XCTest
import Foundation
@testable import Primitives
import TestSupport

/// One block of execution-apis `tests/chain.rlp`, split into raw parts.
struct RawChainBlock {
    var headerRLP: [UInt8]
    var header: BlockHeader
    /// Consensus encodings: the list for legacy, `type ‖ payload` for typed.
    var transactions: [[UInt8]]
    var uncleCount: Int
    var withdrawals: [[UInt8]]?

    static func load() throws -> [RawChainBlock] {
        let data = try [UInt8](Data(contentsOf: Vectors.root.appendingPathComponent("execution-apis/tests/chain.rlp")))
        var r = RLPReader(data)
        var out: [RawChainBlock] = []
        while !r.isAtEnd {
            var block = try r.readList()
            let headerRLP = Array(try block.readRaw())
            var txs = try block.readList()
            var raw: [[UInt8]] = []
            while !txs.isAtEnd {
                raw.append(Array(try txs.peekIsList() ? txs.readRaw() : txs.readBytes()))
            }
            var uncles = try block.readList()
            var n = 0
            while !uncles.isAtEnd { _ = try uncles.readRaw(); n += 1 }
            var withdrawals: [[UInt8]]?
            if !block.isAtEnd {
                var w = try block.readList()
                var list: [[UInt8]] = []
                while !w.isAtEnd { list.append(Array(try w.readRaw())) }
                withdrawals = list
            }
            try block.finish()
            out.append(RawChainBlock(headerRLP: headerRLP, header: try BlockHeader.decode(rlp: headerRLP),
                                     transactions: raw, uncleCount: n, withdrawals: withdrawals))
        }
        return out
    }
}

/// The `<<` response of an execution-apis `.io` file.
func ioResult(_ path: String) throws -> Any {
    let text = try String(contentsOf: Vectors.root.appendingPathComponent("execution-apis/tests/\(path)"), encoding: .utf8)
    let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("<< ") })
    let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.dropFirst(3).utf8)) as? [String: Any])
    return try XCTUnwrap(obj["result"])
}

final class HeaderTests: XCTestCase {
    func testMainnetGenesis() throws {
        let j = try XCTUnwrap(Vectors.json("ethereum-tests/BasicTests/genesishashestest.json") as? [String: String])
        let block = try XCTUnwrap(Hex.decode(j["genesis_rlp_hex"]!))
        var r = RLPReader(block)
        var parts = try r.readList()
        let headerRLP = Array(try parts.readRaw())
        let header = try BlockHeader.decode(rlp: headerRLP)
        XCTAssertEqual(header.hash.hex, "0x" + j["genesis_hash"]!)
        XCTAssertEqual(header.stateRoot.hex, "0x" + j["genesis_state_root"]!)
        XCTAssertEqual(header.rlpEncoded(), headerRLP)
        XCTAssertEqual(header.number, 0)
        XCTAssertEqual(header.nonce, 0x42)
        XCTAssertNil(header.baseFeePerGas)
        XCTAssertEqual(header.transactionsRoot, Trie.emptyRoot)
        XCTAssertEqual(header.sha3Uncles, BlockHeader.emptyUnclesHash)
    }

    func testExecutionAPIsChain() throws {
        let blocks = try RawChainBlock.load()
        XCTAssertEqual(blocks.count, 54)
        var parent: BlockHeader?
        var shapes = Set<Int>()
        for b in blocks {
            let h = b.header
            let label = "block \(h.number)"
            XCTAssertEqual(h.rlpEncoded(), b.headerRLP, label)
            XCTAssertEqual(h.transactionsRoot, Trie.orderedRoot(b.transactions), label)
            if b.uncleCount == 0 { XCTAssertEqual(h.sha3Uncles, BlockHeader.emptyUnclesHash, label) }
            XCTAssertEqual(h.withdrawalsRoot, b.withdrawals.map(Trie.orderedRoot), label)
            if let p = parent {
                XCTAssertEqual(h.number, p.number + 1)
                XCTAssertEqual(h.parentHash, p.hash, label)
                // EIP-1559 rule from the block after London's first block on.
                if let pb = p.nextBaseFee { XCTAssertEqual(h.baseFeePerGas, pb, label) }
            }
            var count = 15
            for f in [h.baseFeePerGas != nil, h.withdrawalsRoot != nil, h.blobGasUsed != nil, h.excessBlobGas != nil,
                      h.parentBeaconBlockRoot != nil, h.requestsHash != nil] where f { count += 1 }
            shapes.insert(count)
            parent = h
        }
        XCTAssertEqual(shapes, [15, 16, 17, 20, 21])
        let fcu = try XCTUnwrap(Vectors.json("execution-apis/tests/headfcu.json") as? [String: Any])
        let head = try XCTUnwrap(((fcu["params"] as? [Any])?.first as? [String: Any])?["headBlockHash"] as? String)
        XCTAssertEqual(parent?.hash.hex, head)
    }

    /// Builds a header from eth_getBlockByNumber JSON and checks the hash it reports.
    func testHeaderFromRPCFields() throws {
        for file in ["get-genesis", "get-block-london-fork", "get-block-merge-fork", "get-block-shanghai-fork",
                     "get-block-cancun-fork", "get-block-prague-fork", "get-latest"] {
            let r = try XCTUnwrap(ioResult("eth_getBlockByNumber/\(file).io") as? [String: Any], file)
            func h(_ k: String) -> Hash? { (r[k] as? String).flatMap(Hash.init(hex:)) }
            func u(_ k: String) -> UInt64? { (r[k] as? String).flatMap { UInt256(hex: $0)?.uint64 } }
            let header = BlockHeader(
                parentHash: h("parentHash")!, sha3Uncles: h("sha3Uncles")!, miner: Address(hex: r["miner"] as! String)!,
                stateRoot: h("stateRoot")!, transactionsRoot: h("transactionsRoot")!, receiptsRoot: h("receiptsRoot")!,
                logsBloom: Bloom(bytes: Hex.decode(r["logsBloom"] as! String)!)!,
                difficulty: UInt256(hex: r["difficulty"] as! String)!, number: u("number")!, gasLimit: u("gasLimit")!,
                gasUsed: u("gasUsed")!, timestamp: u("timestamp")!, extraData: Hex.decode(r["extraData"] as! String)!,
                mixHash: h("mixHash")!, nonce: u("nonce")!,
                baseFeePerGas: (r["baseFeePerGas"] as? String).flatMap { UInt256(hex: $0) },
                withdrawalsRoot: h("withdrawalsRoot"), blobGasUsed: u("blobGasUsed"), excessBlobGas: u("excessBlobGas"),
                parentBeaconBlockRoot: h("parentBeaconBlockRoot"), requestsHash: h("requestsHash"))
            XCTAssertEqual(header.hash.hex, r["hash"] as? String, file)
        }
    }

    func testCancunDefaults() throws {
        let h = BlockHeader(parentHash: .zero, miner: .zero, stateRoot: .zero, transactionsRoot: Trie.emptyRoot,
                            receiptsRoot: Trie.emptyRoot, logsBloom: .empty, number: 1, gasLimit: 30_000_000,
                            gasUsed: 0, timestamp: 1_700_000_000, baseFeePerGas: 1_000_000_000)
        let item = try RLP.decode(h.rlpEncoded())
        XCTAssertEqual(item.listValue?.count, 20)
        XCTAssertEqual(try BlockHeader.decode(rlp: h.rlpEncoded()), h)
        XCTAssertEqual(h.withdrawalsRoot, Trie.emptyRoot)
        XCTAssertEqual(h.blobGasUsed, 0)
        XCTAssertEqual(h.excessBlobGas, 0)
        XCTAssertEqual(h.parentBeaconBlockRoot, .zero)
        XCTAssertEqual(h.difficulty, .zero)
        XCTAssertEqual(h.nonceBytes, [UInt8](repeating: 0, count: 8))
        XCTAssertEqual(BlockHeader.emptyUnclesHash, Hash.keccak([0xc0]))
        // Wrong-size fixed fields are refused.
        var bad = h
        bad.extraData = [1]
        var raw = bad.rlpEncoded()
        XCTAssertNoThrow(try BlockHeader.decode(rlp: raw))
        raw.append(0x80)
        XCTAssertThrowsError(try BlockHeader.decode(rlp: raw))
    }

    func testNextBaseFee() {
        let gwei: UInt256 = 1_000_000_000
        XCTAssertEqual(BlockHeader.nextBaseFee(parentGasUsed: 15_000_000, parentGasLimit: 30_000_000, parentBaseFee: gwei), gwei)
        XCTAssertEqual(BlockHeader.nextBaseFee(parentGasUsed: 30_000_000, parentGasLimit: 30_000_000, parentBaseFee: gwei),
                       1_125_000_000)
        XCTAssertEqual(BlockHeader.nextBaseFee(parentGasUsed: 0, parentGasLimit: 30_000_000, parentBaseFee: gwei), 875_000_000)
        XCTAssertEqual(BlockHeader.nextBaseFee(parentGasUsed: 21_000, parentGasLimit: 30_000_000, parentBaseFee: gwei),
                       875_000_000 + gwei * 21_000 / 15_000_000 / 8)
        // At least +1 wei when above target, never below zero.
        XCTAssertEqual(BlockHeader.nextBaseFee(parentGasUsed: 15_000_001, parentGasLimit: 30_000_000, parentBaseFee: 7), 8)
        XCTAssertEqual(BlockHeader.nextBaseFee(parentGasUsed: 0, parentGasLimit: 30_000_000, parentBaseFee: 7), 7)
        XCTAssertEqual(BlockHeader.nextBaseFee(parentGasUsed: 0, parentGasLimit: 0, parentBaseFee: 7), 7)
    }
}
