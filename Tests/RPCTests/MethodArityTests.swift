import XCTest
import Foundation
import Primitives
@testable import RPC

/// Each method's declaration (`MethodTable.register(_:maxParams:long:_:)`): the counts agree with
/// the execution-apis OpenRPC document (read from ../shared/vectors), the methods that can hold
/// the node for long are declared so, and extra params are refused before the handler runs.
final class MethodArityTests: XCTestCase {
    /// Where stakenet takes more than execution-apis lists, and why.
    let widerThanSpec: [String: String] = [
        "eth_call": "state and block overrides", "eth_estimateGas": "state and block overrides",
        "eth_newPendingTransactionFilter": "geth's full-transactions flag",
    ]

    func nodeTable() async throws -> MethodTable {
        let node = try await ClientsNode()
        let t = MethodTable()
        NodeMethods.register(t, node.context)
        return t
    }

    func testDeclarationsAgreeWithExecutionAPIs() async throws {
        let t = try await nodeTable()
        guard case .array(let methods)? = try ClientVectors.json("execution-apis/openrpc.json")["methods"] else {
            return XCTFail("openrpc.json has no methods")
        }
        var checked = 0
        for m in methods {
            // Refusals (answered the same whatever the params) declare no count.
            guard let name = m["name"]?.stringValue, let ours = t.entry(name)?.maxParams,
                  ours != MethodTable.anyParams else { continue }
            guard case .array(let params)? = m["params"] else { return XCTFail("\(name): no params list") }
            if widerThanSpec[name] != nil {
                XCTAssertGreaterThan(ours, params.count, name)
            } else {
                XCTAssertEqual(ours, params.count, name)
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 30)
    }

    func testEveryServedMethodCountsItsParams() async throws {
        // Only refusals (answered the same whatever the params) may leave the count open.
        let t = try await nodeTable()
        let open = t.methodNames.filter { t.entry($0)?.maxParams == MethodTable.anyParams }
        for name in open {
            let answer = await t.call(name, .array([]))
            guard case .failure = answer else { return XCTFail("\(name) is served but declares no params limit") }
        }
    }

    func testLongRunningMethodsAreDeclaredSo() async throws {
        let t = try await nodeTable()
        for name in ["evm_mine", "anvil_mine", "hardhat_mine", "anvil_reset", "anvil_dumpState", "anvil_loadState",
                     "eth_getLogs", "eth_getFilterLogs", "debug_traceTransaction", "debug_traceCall",
                     "debug_traceBlockByNumber", "eth_simulateV1", "eth_sendRawTransactionSync"] {
            XCTAssertEqual(t.entry(name)?.longRunning, true, name)
        }
        for name in ["eth_chainId", "eth_getBalance", "eth_sendRawTransaction", "eth_call"] {
            XCTAssertEqual(t.entry(name)?.longRunning, false, name)
        }
    }

    func testExtraParamsAreRefusedBeforeTheHandlerRuns() async throws {
        let t = MethodTable()
        let calls = Counter()
        t.register("m", maxParams: 1) { _ in calls.bump(); return .null }
        let ok = await t.handle(Array(#"{"jsonrpc":"2.0","id":1,"method":"m","params":[1]}"#.utf8))
        XCTAssertEqual(String(decoding: ok ?? [], as: UTF8.self), #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        let bad = try JSON.parse(await t.handle(Array(#"{"jsonrpc":"2.0","id":2,"method":"m","params":[1,2]}"#.utf8)) ?? [])
        XCTAssertEqual(bad["error"]?["code"]?.intValue, -32602)
        XCTAssertEqual(bad["error"]?["message"]?.stringValue, "invalid params: too many params: want at most 1, got 2")
        // Named params and no params are the handler's business.
        _ = await t.handle(Array(#"{"jsonrpc":"2.0","id":3,"method":"m","params":{"a":1,"b":2}}"#.utf8))
        _ = await t.handle(Array(#"{"jsonrpc":"2.0","id":4,"method":"m"}"#.utf8))
        XCTAssertEqual(calls.value, 3)
    }
}

final class Counter: @unchecked Sendable {  // `n` is guarded by `lock`
    private let lock = NSLock()
    private var n = 0
    func bump() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
