import Foundation
import Primitives

// MARK: - errors

/// A JSON-RPC error object. Handlers throw it; the method table turns it into the response's
/// `error` member. Any other error a handler throws becomes -32603 with its description.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSON?

    public init(code: Int, message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// -32700: the body is not JSON.
    public static func parseError(_ detail: String? = nil) -> RPCError {
        RPCError(code: -32700, message: detail.map { "parse error: \($0)" } ?? "parse error")
    }
    /// -32600: JSON, but not a valid request object.
    public static func invalidRequest(_ detail: String? = nil) -> RPCError {
        RPCError(code: -32600, message: detail.map { "invalid request: \($0)" } ?? "invalid request")
    }
    /// -32601, worded as geth: `the method eth_foo does not exist/is not available`.
    public static func methodNotFound(_ name: String) -> RPCError {
        RPCError(code: -32601, message: "the method \(name) does not exist/is not available")
    }
    /// -32602: `invalid params: <which param and why>`.
    public static func invalidParams(_ detail: String) -> RPCError {
        RPCError(code: -32602, message: "invalid params: \(detail)")
    }
    /// -32603.
    public static func `internal`(_ detail: String) -> RPCError {
        RPCError(code: -32603, message: "internal error: \(detail)")
    }
    /// -32000 (or another server-defined code): validation errors such as `nonce too low`,
    /// whose exact wording clients match on.
    public static func server(_ message: String, code: Int = -32000, data: JSON? = nil) -> RPCError {
        RPCError(code: code, message: message, data: data)
    }
    /// -32005: a limit was exceeded.
    public static func limitExceeded(_ message: String) -> RPCError {
        RPCError(code: -32005, message: message)
    }
    /// A revert as geth reports it: code 3, `execution reverted[: reason]`, data = the revert bytes.
    public static func revert(data: [UInt8], reason: String?) -> RPCError {
        let msg = reason.map { "execution reverted: \($0)" } ?? "execution reverted"
        return RPCError(code: 3, message: msg, data: .string(Hex.encode(data)))
    }

    /// The error object: `{"code":…,"message":…[,"data":…]}`.
    public var json: JSON {
        var o: [(String, JSON)] = [("code", JSON(code)), ("message", .string(message))]
        if let data { o.append(("data", data)) }
        return .object(o)
    }

    public var description: String { "RPCError(\(code)): \(message)" }
}

// MARK: - method table

/// A method implementation: positional params in, result out; throw `RPCError` for a
/// JSON-RPC error.
public typealias RPCHandler = @Sendable (Params) async throws -> JSON

/// Called with each request's method name (the CLI prints them unless `--quiet`).
public typealias RequestLogger = @Sendable (String) -> Void

/// Runs around each request's handler (`run`) and may change its outcome: the node uses it to
/// fail a request whose reads met a storage error that a lookup could only answer as "absent".
public typealias RequestScope = @Sendable (_ run: @Sendable () async -> Result<JSON, RPCError>) async -> Result<JSON, RPCError>

/// One method's declaration, made where its handler is registered and read by everything that
/// dispatches it: the handler, the most positional params it takes (a request with more is
/// refused with -32602 `too many params: want at most N, got M` before the handler runs, as geth
/// and Anvil refuse them), and whether it may keep the node busy for long (bulk mining, warps,
/// state loads, wide log queries, traces), in which case it runs on Swift's global pool instead
/// of the connection's event loop, so the other connections served by that loop are not held up.
/// The params' types are read by the handler through `Params`' typed accessors (`p.address(0)`,
/// `p.blockTag(1)`, …), which name the param and the problem in their -32602 errors.
public struct MethodEntry: Sendable {
    public let handler: RPCHandler
    public let maxParams: Int
    public let longRunning: Bool
}

/// Method name → declaration, and the JSON-RPC 2.0 request/response machinery (single requests,
/// batches, notifications, error objects). Shared by HTTP and WebSocket.
///
/// Registration is thread-safe and may happen at any time; requests see the table as it is
/// when they are dispatched.
public final class MethodTable: @unchecked Sendable {  // its vars are guarded by `lock`
    private let lock = NSLock()
    private var entries: [String: MethodEntry] = [:]
    private var _maxBatch: Int
    private var _requestLogger: RequestLogger?
    private var _requestScope: RequestScope?

    /// `maxParams` of a method that answers every request the same way whatever its params
    /// (refusals): nothing to count.
    public static let anyParams = Int.max

    public init(maxBatch: Int = 1000) {
        _maxBatch = maxBatch
    }

    /// Registers (or replaces) `name`: see `MethodEntry` for `maxParams` and `long`.
    public func register(_ name: String, maxParams: Int, long: Bool = false, _ handler: @escaping RPCHandler) {
        register([name], maxParams: maxParams, long: long, handler)
    }

    /// Registers the same declaration under several names (e.g. `anvil_mine` and `hardhat_mine`).
    public func register(_ names: [String], maxParams: Int, long: Bool = false, _ handler: @escaping RPCHandler) {
        precondition(maxParams >= 0, "maxParams must not be negative")
        let entry = MethodEntry(handler: handler, maxParams: maxParams, longRunning: long)
        lock.withLock { for n in names { entries[n] = entry } }
    }

    /// The declaration registered under `name`, if any.
    public func entry(_ name: String) -> MethodEntry? { lock.withLock { entries[name] } }

    public func contains(_ name: String) -> Bool { lock.withLock { entries[name] != nil } }

    /// Registered names, sorted.
    public var methodNames: [String] { lock.withLock { entries.keys.sorted() } }

    /// Most requests a batch may hold; a larger batch gets one -32600 error.
    public var maxBatch: Int {
        get { lock.withLock { _maxBatch } }
        set { lock.withLock { _maxBatch = newValue } }
    }

    /// Called with each request's method name before it is dispatched (the CLI prints them).
    public var requestLogger: RequestLogger? {
        get { lock.withLock { _requestLogger } }
        set { lock.withLock { _requestLogger = newValue } }
    }

    /// Runs around every handler the table dispatches (see `RequestScope`); nil: none.
    public var requestScope: RequestScope? {
        get { lock.withLock { _requestScope } }
        set { lock.withLock { _requestScope = newValue } }
    }

    private func lookup(_ name: String) -> (MethodEntry?, RequestLogger?, RequestScope?) {
        lock.withLock { (entries[name], _requestLogger, _requestScope) }
    }

    // MARK: entry points

    /// Handles a request body (single request or batch). Returns the response body, or nil
    /// when nothing is to be sent back (notifications only).
    public func handle(_ body: [UInt8], connection: (any RPCConnection)? = nil) async -> [UInt8]? {
        let parsed: Result<JSON, JSONError>
        do { parsed = .success(try JSON.parse(body)) } catch { parsed = .failure(error) }
        return await handle(parsed: parsed, connection: connection)
    }

    /// Handles a body that was parsed already (the transports parse straight from their buffers).
    public func handle(parsed: Result<JSON, JSONError>, connection: (any RPCConnection)? = nil) async -> [UInt8]? {
        let request: JSON
        switch parsed {
        case .failure(let e):
            return Self.errorResponse(id: .null, .parseError(e.description))
        case .success(let r):
            request = r
        }
        guard case .array(let items) = request else {
            guard let (id, result) = await handleOne(request, connection: connection) else { return nil }
            var out = [UInt8]()
            out.reserveCapacity(128)
            Self.writeResponse(id: id, result, into: &out)
            return out
        }
        if items.isEmpty { return Self.errorResponse(id: .null, .invalidRequest("empty batch")) }
        let limit = maxBatch
        if items.count > limit {
            return Self.errorResponse(id: .null, RPCError(code: -32600, message: "batch too large: \(items.count) requests, limit \(limit)"))
        }
        var out = [UInt8]()
        out.reserveCapacity(64 * items.count + 2)
        out.append(UInt8(ascii: "["))
        var any = false
        for item in items {
            guard let (id, result) = await handleOne(item, connection: connection) else { continue }
            if any { out.append(UInt8(ascii: ",")) }
            any = true
            Self.writeResponse(id: id, result, into: &out)
        }
        if !any { return nil }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// Calls one method in-process (tests, the CLI). Does not log.
    public func call(_ method: String, _ params: JSON = .array([]), connection: (any RPCConnection)? = nil) async -> Result<JSON, RPCError> {
        guard let handler = lock.withLock({ entries[method]?.handler }) else { return .failure(.methodNotFound(method)) }
        return await Self.invoke(handler, Params(params, method: method, connection: connection))
    }

    // MARK: one request

    /// nil for a notification (no response item); otherwise the id to echo and the outcome.
    private func handleOne(_ request: JSON, connection: (any RPCConnection)?) async -> (JSON, Result<JSON, RPCError>)? {
        guard case .object(let fields) = request else {
            return (.null, .failure(.invalidRequest("expected a request object, got \(request.kindName)")))
        }
        var id: JSON? = nil
        var version: JSON? = nil
        var method: JSON? = nil
        var params: JSON? = nil
        for (k, v) in fields {
            switch k {
            case "id": id = v
            case "jsonrpc": version = v
            case "method": method = v
            case "params": params = v
            default: break
            }
        }
        if let id {
            switch id {
            case .string, .number, .null: break
            default: return (.null, .failure(.invalidRequest("id must be a string, number or null, got \(id.kindName)")))
            }
        }
        let replyID = id ?? .null
        guard case .string("2.0")? = version else {
            return (replyID, .failure(.invalidRequest(version == nil ? "missing \"jsonrpc\": \"2.0\"" : "jsonrpc version must be \"2.0\"")))
        }
        guard case .string(let name)? = method else {
            return (replyID, .failure(.invalidRequest(method == nil ? "missing method" : "method must be a string")))
        }
        let args: JSON
        switch params {
        case nil, .null?: args = .array([])
        case .array?, .object?: args = params!
        default: return (replyID, .failure(.invalidRequest("params must be an array or object")))
        }
        let (entry, logger, scope) = lookup(name)
        logger?(name)
        guard let entry else {
            return id == nil ? nil : (replyID, .failure(.methodNotFound(name)))
        }
        if case .array(let list) = args, list.count > entry.maxParams {
            return id == nil ? nil : (replyID, .failure(.invalidParams("too many params: want at most \(entry.maxParams), got \(list.count)")))
        }
        let request = Params(args, method: name, connection: connection)
        let handler = entry.handler
        let run: @Sendable () async -> Result<JSON, RPCError> = { await Self.invoke(handler, request) }
        let result: Result<JSON, RPCError>
        if let scope {
            result = entry.longRunning ? await offEventLoop { await scope(run) } : await scope(run)
        } else {
            result = entry.longRunning ? await offEventLoop { await run() } : await run()
        }
        return id == nil ? nil : (replyID, result)
    }

    private static func invoke(_ handler: RPCHandler, _ params: Params) async -> Result<JSON, RPCError> {
        do {
            return .success(try await handler(params))
        } catch let e as RPCError {
            return .failure(e)
        } catch {
            return .failure(.internal(String(describing: error)))
        }
    }

    // MARK: response text

    private static let head: [UInt8] = Array("{\"jsonrpc\":\"2.0\",\"id\":".utf8)
    private static let resultKey: [UInt8] = Array(",\"result\":".utf8)
    private static let errorKey: [UInt8] = Array(",\"error\":".utf8)
    private static let notificationHead: [UInt8] =
        Array("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":".utf8)

    /// Appends `{"jsonrpc":"2.0","id":…,"result":…}` or `{…,"error":{…}}`.
    public static func writeResponse(id: JSON, _ result: Result<JSON, RPCError>, into out: inout [UInt8]) {
        out.append(contentsOf: head)
        id.serialize(into: &out)
        switch result {
        case .success(let r):
            out.append(contentsOf: resultKey)
            r.serialize(into: &out)
        case .failure(let e):
            out.append(contentsOf: errorKey)
            e.json.serialize(into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A complete single error response.
    public static func errorResponse(id: JSON, _ error: RPCError) -> [UInt8] {
        var out = [UInt8]()
        writeResponse(id: id, .failure(error), into: &out)
        return out
    }

    /// `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":…,"result":…}}`.
    public static func subscriptionNotification(subscription: String, result: JSON) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(128)
        out.append(contentsOf: notificationHead)
        JSONWriter.writeString(subscription, into: &out)
        out.append(contentsOf: resultKey)
        result.serialize(into: &out)
        out.append(UInt8(ascii: "}")); out.append(UInt8(ascii: "}"))
        return out
    }
}

// MARK: - long-running methods

/// Runs `body` on Swift's global pool rather than the caller's event loop: for methods that
/// keep the chain busy for long (bulk mining, long warps, state loads), so the event loop
/// keeps answering its other connections meanwhile.
public func offEventLoop<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
    try await withTaskExecutorPreference(globalConcurrentExecutor, operation: body)
}
