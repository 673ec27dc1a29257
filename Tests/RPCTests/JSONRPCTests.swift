import XCTest
import Foundation
@testable import RPC

struct PlainError: Error, CustomStringConvertible { var description: String { "disk on fire" } }

final class Recorder: @unchecked Sendable {  // `items` is guarded by `lock`
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.withLock { items.append(s) } }
    var all: [String] { lock.withLock { items } }
}

func toyTable(maxBatch: Int = 1000) -> MethodTable {
    let t = MethodTable(maxBatch: maxBatch)
    t.register("eth_chainId", maxParams: MethodTable.anyParams) { _ in .string("0x7a69") }
    t.register("echo", maxParams: MethodTable.anyParams) { p in p.raw }
    t.register("add", maxParams: MethodTable.anyParams) { p in .quantity(try p.quantity(0).checkedAdd(try p.quantity(1)) ?? .max) }
    t.register("fail_rpc", maxParams: MethodTable.anyParams) { _ in throw RPCError.server("nonce too low") }
    t.register("fail_plain", maxParams: MethodTable.anyParams) { _ in throw PlainError() }
    t.register("fail_revert", maxParams: MethodTable.anyParams) { _ in
        throw RPCError.revert(data: [0x08, 0xc3, 0x79, 0xa0], reason: "not enough")
    }
    return t
}

final class JSONRPCTests: XCTestCase {
    func call(_ t: MethodTable, _ body: String) async -> String? {
        guard let out = await t.handle(Array(body.utf8)) else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    func parsed(_ t: MethodTable, _ body: String) async throws -> JSON {
        let s = await call(t, body)
        return try JSON.parse(XCTUnwrap(s))
    }

    func testSingleRequestExactBytes() async {
        let t = toyTable()
        let out = await call(t, #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#)
        XCTAssertEqual(out, #"{"jsonrpc":"2.0","id":1,"result":"0x7a69"}"#)
        // params may be absent or null
        let out2 = await call(t, #"{"method":"eth_chainId","id":"abc","jsonrpc":"2.0"}"#)
        XCTAssertEqual(out2, #"{"jsonrpc":"2.0","id":"abc","result":"0x7a69"}"#)
        let out3 = await call(t, #"{"jsonrpc":"2.0","id":7,"method":"eth_chainId","params":null}"#)
        XCTAssertEqual(out3, #"{"jsonrpc":"2.0","id":7,"result":"0x7a69"}"#)
    }

    func testRequestScopeRunsAroundEveryHandlerAndMayFailIt() async throws {
        let t = toyTable()
        t.register("slow", maxParams: 0, long: true) { _ in .string("done") }
        let seen = Recorder()
        // As the node's storage scope: the handler runs, then a latched error replaces success.
        t.requestScope = { run in
            let r = await run()
            guard case .success(let v) = r else { return r }
            seen.add(v.stringValue ?? "?")
            return v == .string("done") ? .failure(.internal("storage I/O error: injected")) : r
        }
        let ok = try await parsed(t, #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
        XCTAssertEqual(ok["result"]?.stringValue, "0x7a69")
        let failed = try await parsed(t, #"{"jsonrpc":"2.0","id":2,"method":"slow"}"#)
        XCTAssertEqual(failed["error"]?["code"]?.intValue, -32603)
        XCTAssertEqual(failed["error"]?["message"]?.stringValue?.contains("injected"), true)
        let refused = try await parsed(t, #"{"jsonrpc":"2.0","id":3,"method":"fail_rpc"}"#)
        XCTAssertEqual(refused["error"]?["message"]?.stringValue, "nonce too low", "a failure passes through")
        XCTAssertEqual(seen.all, ["0x7a69", "done"], "the scope ran around the event-loop and the long-running handler")
    }

    func testIdEchoedExactly() async {
        let t = toyTable()
        for id in ["123456789012345678901234567890", "-1.50e3", "null", #""x\"y""#, #""""#, "0"] {
            let out = await call(t, #"{"jsonrpc":"2.0","id":\#(id),"method":"eth_chainId"}"#)
            XCTAssertEqual(out, #"{"jsonrpc":"2.0","id":\#(id),"result":"0x7a69"}"#)
        }
    }

    func testInvalidId() async throws {
        let t = toyTable()
        for id in ["{}", "[1]", "true"] {
            let r = try await parsed(t, #"{"jsonrpc":"2.0","id":\#(id),"method":"eth_chainId"}"#)
            XCTAssertEqual(r["id"], .null)
            XCTAssertEqual(r["error"]?["code"], -32600)
        }
    }

    func testVersionAndShapeErrors() async throws {
        let t = toyTable()
        var r = try await parsed(t, #"{"jsonrpc":"1.0","id":5,"method":"eth_chainId"}"#)
        XCTAssertEqual(r["id"], 5)
        XCTAssertEqual(r["error"]?["code"], -32600)
        r = try await parsed(t, #"{"id":5,"method":"eth_chainId"}"#)
        XCTAssertEqual(r["error"]?["code"], -32600)
        r = try await parsed(t, #"{"jsonrpc":2.0,"id":5,"method":"eth_chainId"}"#)
        XCTAssertEqual(r["error"]?["code"], -32600)
        r = try await parsed(t, #"{"jsonrpc":"2.0","id":5,"method":42}"#)
        XCTAssertEqual(r["error"]?["code"], -32600)
        XCTAssertEqual(r["id"], 5)
        r = try await parsed(t, #"{"jsonrpc":"2.0","id":5}"#)
        XCTAssertEqual(r["error"]?["code"], -32600)
        r = try await parsed(t, #"{"jsonrpc":"2.0","id":5,"method":"echo","params":"x"}"#)
        XCTAssertEqual(r["error"]?["code"], -32600)
        r = try await parsed(t, #""just a string""#)
        XCTAssertEqual(r["error"]?["code"], -32600)
        XCTAssertEqual(r["id"], .null)
        // An invalid request without an id still gets an error (id null).
        r = try await parsed(t, #"{"jsonrpc":"2.0","method":1}"#)
        XCTAssertEqual(r["error"]?["code"], -32600)
        XCTAssertEqual(r["id"], .null)
    }

    func testParseError() async throws {
        let t = toyTable()
        let r = try await parsed(t, #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId""#)
        XCTAssertEqual(r["error"]?["code"], -32700)
        XCTAssertEqual(r["id"], .null)
        XCTAssertEqual(r["jsonrpc"], "2.0")
        XCTAssertTrue(r["error"]?["message"]?.stringValue?.hasPrefix("parse error: ") ?? false)
        let r2 = try await parsed(t, "")
        XCTAssertEqual(r2["error"]?["code"], -32700)
    }

    func testMethodNotFound() async throws {
        let t = toyTable()
        let r = try await parsed(t, #"{"jsonrpc":"2.0","id":1,"method":"eth_nope"}"#)
        XCTAssertEqual(r["error"]?["code"], -32601)
        XCTAssertEqual(r["error"]?["message"], "the method eth_nope does not exist/is not available")
    }

    func testNotifications() async {
        let t = toyTable()
        let seen = Recorder()
        t.register("note", maxParams: MethodTable.anyParams) { p in seen.add(p.method); return .null }
        let none = await call(t, #"{"jsonrpc":"2.0","method":"note"}"#)
        XCTAssertNil(none)
        XCTAssertEqual(seen.all, ["note"])
        // unknown-method notifications are silent too
        let none2 = await call(t, #"{"jsonrpc":"2.0","method":"nope","params":[]}"#)
        XCTAssertNil(none2)
        // a batch of notifications only → nothing
        let none3 = await call(t, #"[{"jsonrpc":"2.0","method":"note"},{"jsonrpc":"2.0","method":"note"}]"#)
        XCTAssertNil(none3)
        XCTAssertEqual(seen.all.count, 3)
    }

    func testBatchOrderAndMix() async throws {
        let t = toyTable()
        let body = #"""
        [{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},
         {"jsonrpc":"2.0","method":"eth_chainId"},
         {"jsonrpc":"2.0","id":"b","method":"add","params":["0x1",2]},
         1,
         {"jsonrpc":"2.0","id":3,"method":"nope"},
         {"jsonrpc":"2.0","id":4,"method":"add","params":["0xzz",2]}]
        """#
        let r = try await parsed(t, body)
        let items = try XCTUnwrap(r.arrayValue)
        XCTAssertEqual(items.count, 5)
        XCTAssertEqual(items[0], ["jsonrpc": "2.0", "id": 1, "result": "0x7a69"])
        XCTAssertEqual(items[1], ["jsonrpc": "2.0", "id": "b", "result": "0x3"])
        XCTAssertEqual(items[2]["id"], .null)
        XCTAssertEqual(items[2]["error"]?["code"], -32600)
        XCTAssertEqual(items[3]["error"]?["code"], -32601)
        XCTAssertEqual(items[4]["error"]?["code"], -32602)
        XCTAssertEqual(items[4]["error"]?["message"], #"invalid params: param 0: expected hex quantity, got "0xzz""#)
    }

    func testEmptyAndOversizedBatch() async throws {
        let t = toyTable(maxBatch: 3)
        let empty = try await parsed(t, "[]")
        XCTAssertEqual(empty["error"]?["code"], -32600)
        XCTAssertEqual(empty["id"], .null)

        let one = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#
        let three = try await parsed(t, "[\(one),\(one),\(one)]")
        XCTAssertEqual(three.arrayValue?.count, 3)
        let four = try await parsed(t, "[\(one),\(one),\(one),\(one)]")
        XCTAssertEqual(four["error"]?["code"], -32600)
        XCTAssertEqual(four["error"]?["message"], "batch too large: 4 requests, limit 3")

        let d = toyTable()
        let big = "[" + Array(repeating: one, count: 1001).joined(separator: ",") + "]"
        let r = try await parsed(d, big)
        XCTAssertEqual(r["error"]?["message"], "batch too large: 1001 requests, limit 1000")
        let ok = "[" + Array(repeating: one, count: 1000).joined(separator: ",") + "]"
        let r2 = try await parsed(d, ok)
        XCTAssertEqual(r2.arrayValue?.count, 1000)
    }

    func testHandlerErrors() async throws {
        let t = toyTable()
        var r = try await parsed(t, #"{"jsonrpc":"2.0","id":1,"method":"fail_rpc"}"#)
        XCTAssertEqual(r["error"], ["code": -32000, "message": "nonce too low"])
        r = try await parsed(t, #"{"jsonrpc":"2.0","id":1,"method":"fail_plain"}"#)
        XCTAssertEqual(r["error"]?["code"], -32603)
        XCTAssertEqual(r["error"]?["message"], "internal error: disk on fire")
        let out = await call(t, #"{"jsonrpc":"2.0","id":1,"method":"fail_revert"}"#)
        XCTAssertEqual(out, #"{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted: not enough","data":"0x08c379a0"}}"#)
        XCTAssertEqual(RPCError.revert(data: [], reason: nil).json, ["code": 3, "message": "execution reverted", "data": "0x"])
        XCTAssertEqual(RPCError.invalidParams("param 0: bad").message, "invalid params: param 0: bad")
        XCTAssertEqual(RPCError.parseError().code, -32700)
        XCTAssertEqual(RPCError.internal("x").code, -32603)
        XCTAssertEqual(RPCError.limitExceeded("x").code, -32005)
    }

    func testRequestLoggerAndAliases() async {
        let t = toyTable()
        let log = Recorder()
        t.requestLogger = { log.add($0) }
        t.register(["anvil_mine", "hardhat_mine"], maxParams: MethodTable.anyParams) { p in .string(p.method) }
        _ = await call(t, #"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"hardhat_mine"},{"jsonrpc":"2.0","id":3,"method":"nope"}]"#)
        XCTAssertEqual(log.all, ["eth_chainId", "hardhat_mine", "nope"])
        XCTAssertTrue(t.contains("anvil_mine"))
        let r = await t.call("anvil_mine")
        XCTAssertEqual(try r.get(), "anvil_mine")
        let missing = await t.call("nope")
        XCTAssertEqual(missing, .failure(.methodNotFound("nope")))
    }

    func testConcurrentHandling() async throws {
        let t = toyTable()
        try await withThrowingTaskGroup(of: Void.self) { g in
            for i in 0..<200 {
                g.addTask {
                    let out = await t.handle(Array(#"{"jsonrpc":"2.0","id":\#(i),"method":"add","params":[\#(i),"0x1"]}"#.utf8))
                    let r = try JSON.parse(XCTUnwrap(out))
                    XCTAssertEqual(r["id"], JSON(i))
                    XCTAssertEqual(r["result"], .quantity(UInt64(i + 1)))
                }
            }
            try await g.waitForAll()
        }
    }

    func testSubscriptionNotificationShape() {
        let n = MethodTable.subscriptionNotification(subscription: "0xabc", result: ["number": "0x1"])
        XCTAssertEqual(String(decoding: n, as: UTF8.self),
                       #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xabc","result":{"number":"0x1"}}}"#)
    }

    /// Pushes during a request come after its response; close callbacks run once.
    func testQueuedConnectionOrdering() async throws {
        let t = toyTable()
        t.register("eth_subscribe", maxParams: MethodTable.anyParams) { p in
            let c = try XCTUnwrap(p.connection)
            c.notify(subscription: "0x1", result: "first")
            return "0x1"
        }
        let conn = QueuedConnection()
        XCTAssertNotEqual(conn.connectionID, QueuedConnection().connectionID)
        let closed = Recorder()
        conn.onClose { closed.add("closed") }
        conn.beginRequest()
        let resp = await t.handle(Array(#"{"jsonrpc":"2.0","id":9,"method":"eth_subscribe","params":["newHeads"]}"#.utf8), connection: conn)
        conn.endRequest(response: resp)
        conn.notify(subscription: "0x1", result: "second")
        conn.close()
        conn.close()
        XCTAssertFalse(conn.send([1]))
        var got: [String] = []
        for await m in conn.outgoing { got.append(String(decoding: m, as: UTF8.self)) }
        XCTAssertEqual(got.count, 3)
        XCTAssertEqual(got[0], #"{"jsonrpc":"2.0","id":9,"result":"0x1"}"#)
        XCTAssertTrue(got[1].contains("\"first\""))
        XCTAssertTrue(got[2].contains("\"second\""))
        XCTAssertEqual(closed.all, ["closed"])
        conn.onClose { closed.add("late") }
        XCTAssertEqual(closed.all, ["closed", "late"])
    }

    /// A client that stops reading is cut off once too many messages wait unwritten.
    func testQueuedConnectionSlowClientLimit() async {
        let conn = QueuedConnection(maxQueued: 3)
        let closed = Recorder()
        conn.onClose { closed.add("closed") }
        XCTAssertTrue(conn.send([1]))
        XCTAssertTrue(conn.send([2]))
        conn.didWrite()  // one written: room for two more
        XCTAssertTrue(conn.send([3]))
        XCTAssertTrue(conn.send([4]))
        XCTAssertFalse(conn.isClosed)
        XCTAssertFalse(conn.send([5]))
        XCTAssertTrue(conn.isClosed)
        XCTAssertEqual(closed.all, ["closed"])
        var got: [[UInt8]] = []
        for await m in conn.outgoing { got.append(m) }
        XCTAssertEqual(got, [[1], [2], [3], [4]])
    }

    func testHandlingSpeed() async {
        let t = toyTable()
        let req = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}"#.utf8)
        let n = 50_000
        let start = Date()
        var bytes = 0
        for _ in 0..<n { bytes += await t.handle(req)?.count ?? 0 }
        let us = Date().timeIntervalSince(start) / Double(n) * 1e6
        print("MethodTable.handle of eth_chainId: \(String(format: "%.2f", us)) µs per request (this build)")
        XCTAssertEqual(bytes, n * 42)
    }
}
