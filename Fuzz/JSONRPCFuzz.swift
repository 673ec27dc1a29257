// libFuzzer target: the JSON-RPC request path up to the method handlers: the JSON parser
// (Sources/RPC/JSON.swift), the JSON-RPC 2.0 envelope / batch machinery (`MethodTable.handle`,
// JSONRPC.swift) and the typed parameter decoders (Params.swift).
//
// The table has one method per decoder, so every decoder sees fuzzed params:
// `q` quantity, `u` uint64, `a` address, `h` hash, `d` bytes, `t` block tag, `o` object,
// `b` bool, `s` string, `r` array, `echo` (returns its params), `n` (at most 2 params, declared in the table).
//
// Properties: no trap; every accepted JSON document serializes back to text that parses to an
// equal value; the response (when there is one) is JSON and well-formed JSON-RPC 2.0 (an
// object, or an array of them for a batch; `jsonrpc` "2.0"; exactly one of result/error; an
// integer code and a string message); a valid single request gets its own id back.
import Foundation
import Primitives

final class ResponseBox: @unchecked Sendable { var value: [UInt8]? }  // written by one task before `done.signal()`, read after `done.wait()`

let fuzzTable: MethodTable = {
    let t = MethodTable(maxBatch: 50)
    t.register("q", maxParams: 1) { p in .quantity(try p.quantity(0)) }
    t.register("u", maxParams: 1) { p in .quantity(try p.uint64(0)) }
    t.register("a", maxParams: 1) { p in .address(try p.address(0)) }
    t.register("h", maxParams: 1) { p in .hash(try p.hash(0)) }
    t.register("d", maxParams: 1) { p in .data(try p.bytes(0)) }
    t.register("t", maxParams: 1) { p in .string(try p.blockTag(0).description) }
    t.register("o", maxParams: 1) { p in
        let o = try p.object(0)
        _ = try o["to"].map { v throws(RPCError) in try ParamDecoder.address(v, "param 0.to") }
        _ = try o["value"].map { v throws(RPCError) in try ParamDecoder.quantity(v, "param 0.value") }
        _ = try o["data"].map { v throws(RPCError) in try ParamDecoder.bytes(v, "param 0.data") }
        _ = try o["blockHash"].map { v throws(RPCError) in try ParamDecoder.hash(v, "param 0.blockHash") }
        return o
    }
    t.register("b", maxParams: 1) { p in .bool(try p.bool(0)) }
    t.register("s", maxParams: 1) { p in .string(try p.string(0)) }
    t.register("r", maxParams: 1) { p in .array(try p.array(0)) }
    t.register("n", maxParams: 2) { p in try p.requirePositional(); return .array([try p.optionalBlockTag(0).map { .string($0.description) } ?? .null]) }
    t.register("echo", maxParams: MethodTable.anyParams) { p in p.raw }
    t.register("opt", maxParams: 4) { p in
        .array([try p.optionalQuantity(0).map { .quantity($0) } ?? .null,
                try p.optionalAddress(1).map { .address($0) } ?? .null,
                try p.optionalHash(2).map { .hash($0) } ?? .null,
                try p.optionalBytes(3).map { .data($0) } ?? .null])
    }
    return t
}()

func checkResponseObject(_ v: JSON, _ input: [UInt8]) {
    guard case .object = v else { fatalError("response item is not an object: \(v) for \(String(decoding: input, as: UTF8.self))") }
    check(v["jsonrpc"] == .string("2.0"), "response without jsonrpc 2.0: \(v)")
    let hasResult = v["result"] != nil, hasError = v["error"] != nil
    check(hasResult != hasError, "response must have exactly one of result/error: \(v)")
    check(v["id"] != nil, "response without id: \(v)")
    if let e = v["error"] {
        check(e["code"]?.intValue != nil, "error code is not an integer: \(v)")
        check(e["message"]?.stringValue != nil, "error message is not a string: \(v)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func jsonrpcFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body: [UInt8] = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    // 1. The parser alone: serialize → parse is the identity on accepted documents.
    var parsed: JSON?
    do {
        let v = try JSON.parse(body)
        let text = v.serialized()
        guard let again = try? JSON.parse(text) else { fatalError("serialized JSON does not parse: \(String(decoding: text, as: UTF8.self))") }
        check(again == v, "JSON round trip changed the value: \(String(decoding: text, as: UTF8.self))")
        check(again.serialized() == text, "serialization is not stable")
        parsed = v
    } catch {
        check(error.offset >= 0 && error.offset <= body.count, "error offset \(error.offset) outside the input")
    }
    // 2. The whole request path.
    let box = ResponseBox()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await fuzzTable.handle(body)
        done.signal()
    }
    done.wait()
    guard let out = box.value else {
        // No response: only notifications (requests without an id) may be answered by nothing.
        guard let p = parsed else { fatalError("unparsable body got no response") }
        switch p {
        case .object: check(p["id"] == nil, "request with an id got no response")
        case .array(let items):
            check(!items.isEmpty, "empty batch got no response")
            for i in items { check(i.isObject && i["id"] == nil, "batch with a non-notification got no response") }
        default: fatalError("non-request body got no response")
        }
        return 0
    }
    guard let resp = try? JSON.parse(out) else { fatalError("response is not JSON: \(String(decoding: out, as: UTF8.self))") }
    switch resp {
    case .array(let items):
        check(!items.isEmpty, "empty batch response")
        guard case .array(let reqs)? = parsed else { fatalError("array response to a non-batch") }
        check(items.count <= reqs.count, "more responses than requests")
        for i in items { checkResponseObject(i, body) }
    default:
        checkResponseObject(resp, body)
        if let p = parsed, case .object = p, let id = p["id"], p["jsonrpc"] == .string("2.0"), p["method"]?.stringValue != nil {
            switch id {
            case .string, .number, .null:
                check(resp["id"] == id, "response id \(resp["id"]!) is not the request's \(id)")
            default:
                check(resp["error"]?["code"] == JSON(-32600), "invalid id must be -32600: \(resp)")
            }
        }
    }
    return 0
}

/// `precondition` whose message survives -O (libFuzzer shows it with the crash).
@inline(__always) func check(_ cond: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !cond { fatalError(message(), file: file, line: line) }
}
