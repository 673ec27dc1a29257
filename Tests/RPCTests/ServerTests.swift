import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
@testable import RPC

// MARK: - a tiny blocking HTTP/1.1 + WebSocket client over a raw socket

struct RawResponse: Sendable {
    var status: Int
    var headers: [String: String]  // lowercased names
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSON? { try? JSON.parse(body) }
}

struct ClientError: Error, CustomStringConvertible { var description: String }

final class RawClient: @unchecked Sendable {  // used by one thread at a time: tests hand it over, never share it
    let fd: Int32
    var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else { Glibc.close(fd); throw ClientError(description: "connect failed: errno \(errno)") }
        var tv = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { Glibc.close(fd) }

    func write(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError(description: "send failed: errno \(errno)") }
            off += n
        }
    }

    /// Reads more bytes; false at EOF.
    @discardableResult
    func readMore() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n == 0 { return false }
        guard n > 0 else { throw ClientError(description: "recv failed: errno \(errno)") }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    func take(_ n: Int) throws -> [UInt8] {
        while buffer.count < n { guard try readMore() else { throw ClientError(description: "EOF") } }
        let out = Array(buffer[0..<n])
        buffer.removeFirst(n)
        return out
    }

    func readHead() throws -> (Int, [String: String]) {
        let sep: [UInt8] = [13, 10, 13, 10]
        while true {
            if let r = find(sep) {
                let head = String(decoding: buffer[0..<r], as: UTF8.self)
                buffer.removeFirst(r + 4)
                var lines = head.components(separatedBy: "\r\n")
                let status = Int(lines.removeFirst().split(separator: " ")[1]) ?? 0
                var headers: [String: String] = [:]
                for l in lines {
                    guard let c = l.firstIndex(of: ":") else { continue }
                    headers[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
                }
                return (status, headers)
            }
            guard try readMore() else { throw ClientError(description: "EOF in head") }
        }
    }

    func find(_ pat: [UInt8]) -> Int? {
        guard buffer.count >= pat.count else { return nil }
        for i in 0...(buffer.count - pat.count) where buffer[i] == pat[0] && Array(buffer[i..<i + pat.count]) == pat { return i }
        return nil
    }

    func readResponse() throws -> RawResponse {
        let (status, headers) = try readHead()
        let len = Int(headers["content-length"] ?? "0") ?? 0
        return RawResponse(status: status, headers: headers, body: try take(len))
    }

    func request(_ method: String, _ path: String = "/", headers: [(String, String)] = [], body: [UInt8] = []) throws -> RawResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try write(Array(head.utf8) + body)
        return try readResponse()
    }

    func post(_ body: String) throws -> RawResponse {
        try request("POST", headers: [("Content-Type", "application/json")], body: Array(body.utf8))
    }

    // WebSocket

    func upgrade() throws -> RawResponse {
        try write(Array(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8))
        let (status, headers) = try readHead()
        return RawResponse(status: status, headers: headers, body: [])
    }

    func sendFrame(_ payload: [UInt8], opcode: UInt8 = 1, fin: Bool = true) throws {
        var f: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            f.append(0x80 | UInt8(payload.count))
        } else if payload.count < 65536 {
            f.append(0x80 | 126); f.append(UInt8(payload.count >> 8)); f.append(UInt8(payload.count & 255))
        } else {
            f.append(0x80 | 127)
            for s in stride(from: 56, through: 0, by: -8) { f.append(UInt8((payload.count >> s) & 255)) }
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        f += mask
        for (i, b) in payload.enumerated() { f.append(b ^ mask[i & 3]) }
        try write(f)
    }

    func sendText(_ s: String) throws { try sendFrame(Array(s.utf8)) }

    /// Next complete data message (continuation frames joined); nil on close.
    func readMessage() throws -> String? {
        var message: [UInt8] = []
        while true {
            let h = try take(2)
            let opcode = h[0] & 0x0F
            var len = Int(h[1] & 0x7F)
            if len == 126 {
                let e = try take(2); len = Int(e[0]) << 8 | Int(e[1])
            } else if len == 127 { len = try take(8).reduce(0) { $0 << 8 | Int($1) } }
            let payload = try take(len)
            if opcode == 8 { return nil }
            if opcode == 9 || opcode == 10 { continue }
            message += payload
            if h[0] & 0x80 != 0 { return String(decoding: message, as: UTF8.self) }
        }
    }
}

func offThread<T: Sendable>(_ f: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        Thread.detachNewThread { c.resume(with: Result { try f() }) }
    }
}

// MARK: - tests

final class ServerTests: XCTestCase {
    let one = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#

    func withServer(_ config: RPCServerConfig = .init(port: 0), table: MethodTable = toyTable(),
                    _ body: (Int) async throws -> Void) async throws {
        let server = RPCServer(config: config, methods: table)
        let port = try await server.start()
        XCTAssertGreaterThan(port, 0)
        XCTAssertEqual(server.boundPort, port)
        do { try await body(port) } catch { await server.stop(); throw error }
        await server.stop()
    }

    func testHTTPSingleBatchAndKeepAlive() async throws {
        try await withServer { port in
            let one = self.one
            try await offThread {
                let c = try RawClient(port: port)
                let r = try c.post(one)
                XCTAssertEqual(r.status, 200)
                XCTAssertEqual(r.headers["content-type"], "application/json")
                XCTAssertEqual(r.headers["access-control-allow-origin"], "*")
                XCTAssertEqual(r.text, #"{"jsonrpc":"2.0","id":1,"result":"0x7a69"}"#)
                // same connection again (keep-alive), then a batch of 100
                XCTAssertEqual(try c.post(one).text, r.text)
                let batch = "[" + (0..<100).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"eth_chainId"}"# }.joined(separator: ",") + "]"
                let b = try c.post(batch)
                let items = try XCTUnwrap(b.json?.arrayValue)
                XCTAssertEqual(items.count, 100)
                XCTAssertEqual(items.map { $0["id"] }, (0..<100).map { JSON($0) })
                XCTAssertTrue(items.allSatisfy { $0["result"] == "0x7a69" })
                // parse error, still 200 with a JSON-RPC error, connection stays usable
                let bad = try c.post("{nope")
                XCTAssertEqual(bad.status, 200)
                XCTAssertEqual(bad.json?["error"]?["code"], -32700)
                // notification only: empty 200
                let note = try c.post(#"{"jsonrpc":"2.0","method":"eth_chainId"}"#)
                XCTAssertEqual(note.status, 200)
                XCTAssertEqual(note.body, [])
                XCTAssertEqual(try c.post(one).status, 200)
            }
        }
    }

    func testBodyTooLarge() async throws {
        try await withServer { port in
            let one = self.one
            try await offThread {
                let big = [UInt8](repeating: UInt8(ascii: " "), count: 3 * 1024 * 1024)
                // Declared length over the limit.
                let c = try RawClient(port: port)
                let r = try c.request("POST", headers: [("Content-Type", "application/json")], body: big)
                XCTAssertEqual(r.status, 200)
                XCTAssertEqual(r.json?["error"]?["code"], -32600)
                XCTAssertEqual(r.json?["error"]?["message"], "request body too large: 3145728 bytes, limit 2097152 bytes")
                XCTAssertEqual(r.json?["id"], .null)

                // Chunked body over the limit: read through, answered, connection kept.
                let c2 = try RawClient(port: port)
                var chunked = Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                for _ in 0..<3 {
                    chunked += Array("100000\r\n".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 0x100000) + Array("\r\n".utf8)
                }
                chunked += Array("0\r\n\r\n".utf8)
                try c2.write(chunked)
                let r2 = try c2.readResponse()
                XCTAssertEqual(r2.json?["error"]?["code"], -32600)
                XCTAssertTrue(r2.json?["error"]?["message"]?.stringValue?.hasPrefix("request body too large: ") ?? false)
                XCTAssertEqual(try c2.post(one).json?["result"], "0x7a69")

                // Just under the limit is fine (whitespace around a request).
                let ok = Array(one.utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 2 * 1024 * 1024 - one.utf8.count)
                let c3 = try RawClient(port: port)
                XCTAssertEqual(try c3.request("POST", body: ok).json?["result"], "0x7a69")
            }
        }
    }

    func testCORSAndPreflight() async throws {
        try await withServer { port in
            try await offThread {
                let c = try RawClient(port: port)
                let r = try c.request("OPTIONS", headers: [
                    ("Origin", "http://localhost:3000"), ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "content-type,x-foo"),
                    ("Access-Control-Request-Private-Network", "true"),
                ])
                XCTAssertEqual(r.status, 204)
                XCTAssertEqual(r.headers["access-control-allow-origin"], "*")
                XCTAssertEqual(r.headers["access-control-allow-methods"], "POST, GET, OPTIONS")
                XCTAssertEqual(r.headers["access-control-allow-headers"], "content-type,x-foo")
                XCTAssertEqual(r.headers["access-control-max-age"], "86400")
                XCTAssertEqual(r.headers["access-control-allow-private-network"], "true")
                let r2 = try c.request("OPTIONS", headers: [("Origin", "http://a"), ("Access-Control-Request-Method", "POST")])
                XCTAssertEqual(r2.headers["access-control-allow-headers"], "*")
                XCTAssertNil(r2.headers["access-control-allow-private-network"])
                let g = try c.request("GET")
                XCTAssertEqual(g.status, 200)
                XCTAssertTrue(g.text.contains("JSON-RPC"))
                XCTAssertEqual(try c.request("PUT").status, 405)
            }
        }
        try await withServer(.init(port: 0, allowOrigin: nil)) { port in
            let one = self.one
            try await offThread {
                let c = try RawClient(port: port)
                let r = try c.post(one)
                XCTAssertNil(r.headers["access-control-allow-origin"])
                let p = try c.request("OPTIONS", headers: [("Access-Control-Request-Private-Network", "true")])
                XCTAssertNil(p.headers["access-control-allow-origin"])
                XCTAssertNil(p.headers["access-control-allow-private-network"])
            }
        }
        try await withServer(.init(port: 0, allowOrigin: "http://localhost:3000")) { port in
            let one = self.one
            try await offThread {
                let r = try RawClient(port: port).post(one)
                XCTAssertEqual(r.headers["access-control-allow-origin"], "http://localhost:3000")
            }
        }
    }

    func testURLSessionClient() async throws {
        try await withServer { port in
            var req = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/")!)
            req.httpMethod = "POST"
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            req.httpBody = Data(self.one.utf8)
            let (data, resp) = try await URLSession.shared.data(for: req)
            XCTAssertEqual((resp as? HTTPURLResponse)?.statusCode, 200)
            XCTAssertEqual(String(decoding: data, as: UTF8.self), #"{"jsonrpc":"2.0","id":1,"result":"0x7a69"}"#)
        }
    }

    func testWebSocket() async throws {
        let table = toyTable()
        let closed = Recorder()
        table.register("eth_subscribe", maxParams: MethodTable.anyParams) { p in
            let c = try XCTUnwrap(p.connection)
            c.onClose { closed.add("closed \(c.connectionID)") }
            c.notify(subscription: "0xs1", result: "early")  // held until the response is queued
            let conn = UncheckedBox(c)
            Task {
                try await Task.sleep(nanoseconds: 20_000_000)
                conn.value.notify(subscription: "0xs1", result: ["number": "0x1"])
            }
            return "0xs1"
        }
        try await withServer(.init(port: 0, maxBodyBytes: 4096), table: table) { port in
            let one = self.one
            try await offThread {
                let c = try RawClient(port: port)
                let up = try c.upgrade()
                XCTAssertEqual(up.status, 101)
                try c.sendText(one)
                XCTAssertEqual(try c.readMessage(), #"{"jsonrpc":"2.0","id":1,"result":"0x7a69"}"#)
                try c.sendText(#"{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":["newHeads"]}"#)
                XCTAssertEqual(try c.readMessage(), #"{"jsonrpc":"2.0","id":2,"result":"0xs1"}"#)
                XCTAssertEqual(try c.readMessage(),
                               #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xs1","result":"early"}}"#)
                XCTAssertEqual(try c.readMessage(),
                               #"{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":"0xs1","result":{"number":"0x1"}}}"#)
                // batch, fragmented message, parse error, oversized message: connection stays open
                try c.sendText("[\(one),\(one)]")
                XCTAssertEqual(try JSON.parse(XCTUnwrap(c.readMessage())).arrayValue?.count, 2)
                let bytes = Array(one.utf8)
                try c.sendFrame(Array(bytes[0..<10]), opcode: 1, fin: false)
                try c.sendFrame(Array(bytes[10...]), opcode: 0, fin: true)
                XCTAssertEqual(try JSON.parse(XCTUnwrap(c.readMessage()))["result"], "0x7a69")
                try c.sendText("{oops")
                XCTAssertEqual(try JSON.parse(XCTUnwrap(c.readMessage()))["error"]?["code"], -32700)
                try c.sendText(String(repeating: " ", count: 5000) + one)
                let tooBig = try JSON.parse(XCTUnwrap(c.readMessage()))
                XCTAssertEqual(tooBig["error"]?["message"], .string("request message too large: \(5000 + one.utf8.count) bytes, limit 4096 bytes"))
                try c.sendText(one)
                XCTAssertEqual(try JSON.parse(XCTUnwrap(c.readMessage()))["result"], "0x7a69")
                // close handshake
                try c.sendFrame([0x03, 0xE8], opcode: 8)
                XCTAssertNil(try c.readMessage())
            }
            for _ in 0..<100 where closed.all.isEmpty { try await Task.sleep(nanoseconds: 20_000_000) }
            XCTAssertEqual(closed.all.count, 1)
        }
    }

    func testStartFailsOnBusyPort() async throws {
        try await withServer { port in
            let second = RPCServer(config: .init(port: port), methods: toyTable())
            do {
                _ = try await second.start()
                XCTFail("second server bound the same port")
            } catch {}
            await second.stop()
        }
    }

    /// Prints a rough figure; asserts only correctness.
    func testThroughputFigure() async throws {
        try await withServer { port in
            let one = self.one
            let n = 2000, conns = 4
            let start = Date()
            try await withThrowingTaskGroup(of: Int.self) { g in
                for _ in 0..<conns {
                    g.addTask {
                        try await offThread {
                            let c = try RawClient(port: port)
                            let req = Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(one.utf8.count)\r\n\r\n\(one)".utf8)
                            var ok = 0
                            for _ in 0..<n {
                                try c.write(req)
                                if try c.readResponse().body.count == 42 { ok += 1 }
                            }
                            return ok
                        }
                    }
                }
                var total = 0
                for try await ok in g { total += ok }
                XCTAssertEqual(total, n * conns)
            }
            let rate = Double(n * conns) / Date().timeIntervalSince(start)
            print("HTTP keep-alive eth_chainId, \(conns) connections: \(Int(rate)) req/s (this build)")
        }
    }
}

final class UncheckedBox<T>: @unchecked Sendable {  // hands `value` to one other task; the sender does not use it meanwhile
    let value: T
    init(_ v: T) { value = v }
}

final class ServerShutdownTests: XCTestCase {
    /// `stop()` must not hang on idle keep-alive or WebSocket clients that never hang up.
    func testStopWithOpenConnections() async throws {
        let server = RPCServer(config: .init(port: 0), methods: toyTable())
        let port = try await server.start()
        let clients = try await offThread { () -> UncheckedBox<[RawClient]> in
            let http = try RawClient(port: port)
            _ = try http.post(#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#)
            let ws = try RawClient(port: port)
            _ = try ws.upgrade()
            return UncheckedBox([http, ws])
        }
        let start = Date()
        await server.stop()
        let took = Date().timeIntervalSince(start)
        print("stop() with an idle HTTP and an idle WebSocket client took \(String(format: "%.3f", took)) s")
        XCTAssertLessThan(took, 5)
        XCTAssertThrowsError(try RawClient(port: port))
        _ = clients
    }
}
