import XCTest
import Foundation
import Primitives
@testable import RPC

/// The params-count table: it covers every method the node registers, agrees with the
/// execution-apis OpenRPC document (read from ../shared/vectors), and refuses extra params
/// before the handler runs.
final class MethodArityTests: XCTestCase {
    /// Registered, but answered with an error whatever the params.
    let refusedAnyway: Set<String> = []
    /// Registered with the operator (the Operator module is not a dependency of RPCTests).
    let operatorMethods: Set<String> = [
        "stakenet_status", "stakenet_warp", "stakenet_setApr", "stakenet_setUnbondPeriod", "stakenet_setRebaseInterval",
        "stakenet_setOperatorMode", "stakenet_rebase", "stakenet_serveClaims", "stakenet_operatorTick",
        "stakenet_unstakeFeeSignature",
    ]
    /// Where stakenet takes more than execution-apis lists, and why.
    let widerThanSpec: [String: String] = [
        "eth_call": "state and block overrides", "eth_estimateGas": "state and block overrides",
        "eth_newPendingTransactionFilter": "geth's full-transactions flag",
    ]

    func testTableCoversEveryRegisteredMethod() async throws {
        let node = try await ClientsNode()
        let t = MethodTable()
        NodeMethods.register(t, node.context)
        let registered = Set(t.methodNames).subtracting(refusedAnyway)
        let listed = Set(MethodArity.atMost.keys)
        XCTAssertEqual(registered.subtracting(listed).sorted(), [], "registered without a params limit")
        XCTAssertEqual(listed.subtracting(registered).subtracting(operatorMethods).sorted(), [], "limits for unknown methods")
    }

    func testTableAgreesWithExecutionAPIs() throws {
        guard case .array(let methods)? = try ClientVectors.json("execution-apis/openrpc.json")["methods"] else {
            return XCTFail("openrpc.json has no methods")
        }
        var checked = 0
        for m in methods {
            guard let name = m["name"]?.stringValue, let ours = MethodArity.atMost[name] else { continue }
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

    func testExtraParamsAreRefusedBeforeTheHandlerRuns() async throws {
        let t = MethodTable()
        let calls = Counter()
        t.register("m") { _ in calls.bump(); return .null }
        t.limitParams(["m": 1])
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
