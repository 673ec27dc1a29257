import XCTest
import Foundation
import Primitives
import EthCrypto
import Chain
@testable import RPC

/// Transaction validation is one path, the EVM's (`EVM.validate`, its stateless part first):
/// every method that takes a raw transaction refuses an invalid one with the same words and
/// code, whether it pools the transaction or not, and changes nothing.
final class TxValidationTests: XCTestCase {
    let bob = Address(hex: "0x0000000000000000000000000000000000000b0b")!

    func node(automine: Bool = true) async throws -> ClientsNode {
        let n = try await ClientsNode(automine: automine)
        TraceMethods.register(n.table, n.context)
        ParityTraceMethods.register(n.table, n.context)
        AnvilMethods.register(n.table, n.context)
        return n
    }

    func raw(_ n: ClientsNode, chainId: UInt64 = 31337, nonce: UInt64 = 0, tip: UInt256 = 1_000_000_000,
             cap: UInt256 = 100_000_000_000, gas: UInt64 = 21_000) throws -> String {
        try Transaction.dynamicFee(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap,
                                   gasLimit: gas, to: bob, value: .one, data: [])
            .signed(privateKey: n.dev[0].privateKey).encoded().hex
    }

    /// Each method that reads a raw transaction, with its params around `raw`.
    func uses(_ raw: String) -> [(String, JSON)] {
        [
            ("eth_sendRawTransaction", [.string(raw)]),
            ("eth_sendRawTransactionSync", [.string(raw)]),
            ("eth_sendRawTransactionConditional", [.string(raw), .object([])]),
            ("trace_rawTransaction", [.string(raw), [.string("trace")]]),
            ("eth_callBundle", [.object([("txs", [.string(raw)]), ("blockNumber", .string("0x2"))])]),
            ("anvil_reorg", [.object([("depth", .string("0x1")), ("tx_block_pairs", [[.string(raw), .string("0x0")]])])]),
        ]
    }

    func assertRefusedEverywhere(_ n: ClientsNode, _ raw: String, code: Int, message: String,
                                 file: StaticString = #filePath, line: UInt = #line) async throws {
        let head = n.chain.reader.head.hash
        for (method, params) in uses(raw) {
            let e = await n.error(method, params, file: file, line: line)
            XCTAssertEqual(e?.code, code, method, file: file, line: line)
            XCTAssertEqual(e?.message, message, method, file: file, line: line)
        }
        XCTAssertEqual(n.chain.reader.head.hash, head, "a refused transaction changes nothing", file: file, line: line)
        let pending = try await n.call("txpool_status")["pending"]
        XCTAssertEqual(pending, .string("0x0"), file: file, line: line)
    }

    func testEveryRawTransactionMethodRefusesWithTheEVMsWords() async throws {
        let n = try await node()
        try await n.call("evm_mine")
        try await n.call("evm_mine")
        let sender = n.dev[0].address.checksummed
        try await assertRefusedEverywhere(n, try raw(n, chainId: 1), code: -32000,
                                          message: "invalid chain id for signer: have 1 want 31337")
        try await assertRefusedEverywhere(n, try raw(n, tip: 2, cap: 1), code: -32000,
                                          message: "max priority fee per gas higher than max fee per gas: address \(sender), maxPriorityFeePerGas: 2, maxFeePerGas: 1")
        try await assertRefusedEverywhere(n, try raw(n, gas: 20_999), code: -32000,
                                          message: "intrinsic gas too low: gas 20999, minimum needed 21000")
        try await assertRefusedEverywhere(n, try raw(n, nonce: .max), code: -32000,
                                          message: "nonce has max value: address \(sender), nonce: \(UInt64.max)")
        try await assertRefusedEverywhere(n, try raw(n, cap: UInt256.max, gas: 30_000), code: -32003,
                                          message: "insufficient funds for gas * price + value: address \(sender) required balance exceeds 256 bits")
        // Sanity: the same transaction for this chain goes through where it is pooled.
        try await n.call("eth_sendRawTransaction", [.string(try raw(n))])
    }

    func testSetChainIdDropsPooledTransactionsAndKeepsReplaysOfOldBlocks() async throws {
        let n = try await node()
        let mined = try await n.call("eth_sendRawTransaction", [.string(try raw(n))])
        try await n.chain.setAutomine(false)
        try await n.call("eth_sendRawTransaction", [.string(try raw(n, nonce: 1))])
        let before = try await n.call("txpool_status")["pending"]
        XCTAssertEqual(before, .string("0x1"))
        try await n.call("anvil_setChainId", [.string("0x539")])
        let after = try await n.call("txpool_status")["pending"]
        XCTAssertEqual(after, .string("0x0"), "signed for the old chain: no block can include it")
        // A transaction mined before the change replays as it ran.
        let trace = try await n.call("debug_traceTransaction", [mined, .object([("tracer", .string("callTracer"))])])
        XCTAssertNil(trace["error"], "\(trace)")
        XCTAssertEqual(trace["gasUsed"], .string("0x5208"))
    }
}
