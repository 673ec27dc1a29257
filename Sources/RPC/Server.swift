import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

/// Transport settings.
public struct RPCServerConfig: Sendable {
    public var host: String
    /// 0 picks a free port; `RPCServer.boundPort` / the `onRunning` callback tell which.
    public var port: Int
    /// `Access-Control-Allow-Origin` value; nil disables CORS headers (`--no-cors`).
    public var allowOrigin: String?
    /// Largest request body (HTTP) or message (WebSocket); larger ones get a -32600 error.
    public var maxBodyBytes: Int
    /// Most requests in one batch; larger batches get one -32600 error.
    public var maxBatch: Int
    /// Largest single WebSocket frame accepted (a larger frame closes the socket, code 1009).
    /// Outgoing messages larger than this are split into continuation frames.
    public var maxWebSocketFrame: Int
    /// Accept WebSocket upgrades on the HTTP port.
    public var webSocket: Bool
    /// The browser dashboard served on `GET /` with `Accept: text/html`; nil with
    /// `--no-dashboard`, and then such a GET answers as any other.
    public var dashboard: Dashboard? = nil

    public init(host: String = "127.0.0.1", port: Int = 8545, allowOrigin: String? = "*",
                maxBodyBytes: Int = 2 * 1024 * 1024, maxBatch: Int = 1000,
                maxWebSocketFrame: Int = 4 * 1024 * 1024, webSocket: Bool = true) {
        self.host = host
        self.port = port
        self.allowOrigin = allowOrigin
        self.maxBodyBytes = maxBodyBytes
        self.maxBatch = maxBatch
        self.maxWebSocketFrame = maxWebSocketFrame
        self.webSocket = webSocket
    }
}

/// The JSON-RPC server: HTTP POST on any path, WebSocket upgrade on the same port, CORS.
public final class RPCServer: @unchecked Sendable {  // its vars are guarded by `lock`
    public let config: RPCServerConfig
    public let methods: MethodTable
    let logger: Logger

    private let lock = NSLock()
    private var _boundPort: Int?
    private var task: Task<Void, Error>?
    private var group: ServiceGroup?

    /// `logger` gets Hummingbird's own messages (default level: warning).
    public init(config: RPCServerConfig = .init(), methods: MethodTable, logger: Logger? = nil) {
        self.config = config
        self.methods = methods
        methods.maxBatch = config.maxBatch
        if let logger {
            self.logger = logger
        } else {
            var l = Logger(label: "stakenet.rpc")
            l.logLevel = .warning
            self.logger = l
        }
    }

    /// The port the server listens on, once it does.
    public var boundPort: Int? { lock.withLock { _boundPort } }

    /// Serves until `stop()` or cancellation of the calling task (or, with `handleSignals`, until
    /// SIGINT / SIGTERM), then shuts down gracefully and returns. `onRunning` gets the bound port.
    public func run(handleSignals: Bool = false, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = makeApplication(onRunning: onRunning)
        let group = ServiceGroup(configuration: .init(
            services: [app],
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        lock.withLock { self.group = group }
        try await withTaskCancellationHandler {
            try await group.run()
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    /// Starts serving in the background and returns the bound port once listening.
    public func start() async throws -> Int {
        let gate = StartGate()
        let t = Task {
            do {
                try await self.run(onRunning: { port in gate.resolve(.success(port)) })
                gate.resolve(.failure(RPCServerError.stoppedBeforeStart))
            } catch {
                gate.resolve(.failure(error))
                throw error
            }
        }
        lock.withLock { task = t }
        return try await gate.wait()
    }

    /// Shuts the server down gracefully (in-flight requests finish, WebSockets get a close
    /// frame) and, for a server started with `start()`, waits until it has stopped.
    public func stop() async {
        let (t, g): (Task<Void, Error>?, ServiceGroup?) = lock.withLock {
            let r = (task, group)
            task = nil
            group = nil
            return r
        }
        await g?.triggerGracefulShutdown()
        _ = try? await t?.value
    }

    // MARK: application

    private func makeApplication(onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let responder = HTTPRPCResponder(config: config, methods: methods)
        let methods = self.methods
        let config = self.config
        return Application(
            responder: responder,
            server: HTTPServerBuilder { responder in
                EventLoopPinnedChannel(inner: HTTP1WebSocketUpgradeChannel(
                    // An upgrade on a request after the connection's first (see KeepAliveUpgrade).
                    responder: { request, writer, channel in
                        if KeepAliveUpgrade.isUpgrade(request) {
                            try await KeepAliveUpgrade.serve(request, writer, channel, methods: methods, config: config)
                        } else {
                            try await responder(request, writer, channel)
                        }
                    },
                    configuration: .init(http1: .init(additionalChannelHandlers: [KeepAliveUpgrade.Marker()]),
                                         ws: .init(maxFrameSize: config.maxWebSocketFrame, closeTimeout: .seconds(2)))
                ) { (head: HTTPRequest, _, _) in
                    guard config.webSocket, head.method == .get else { return .dontUpgrade }
                    return .upgrade([:]) { inbound, outbound, _ in
                        try await WebSocketRPC.serve(inbound: inbound, outbound: outbound, methods: methods,
                                                     maxMessageBytes: config.maxBodyBytes)
                    }
                })
            },
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
            onServerRunning: { [weak self] channel in
                let port = channel.localAddress?.port ?? 0
                self?.lock.withLock { self?._boundPort = port }
                await onRunning(port)
            },
            logger: logger
        )
    }
}

public enum RPCServerError: Error, CustomStringConvertible {
    case stoppedBeforeStart
    public var description: String { "the server stopped before it started listening" }
}

/// One-shot result hand-over from the server task to `start()`.
private final class StartGate: @unchecked Sendable {  // its vars are guarded by `lock`
    private let lock = NSLock()
    private var result: Result<Int, Error>?
    private var waiter: CheckedContinuation<Int, Error>?

    func resolve(_ r: Result<Int, Error>) {
        let w: CheckedContinuation<Int, Error>? = lock.withLock {
            if result != nil { return nil }
            result = r
            let w = waiter
            waiter = nil
            return w
        }
        w?.resume(with: r)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Int, Error>) in
            let r: Result<Int, Error>? = lock.withLock {
                if let result { return result }
                waiter = c
                return nil
            }
            if let r { c.resume(with: r) }
        }
    }
}

// MARK: - HTTP

struct HTTPRPCResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let config: RPCServerConfig
    let methods: MethodTable

    static let allowPrivateNetwork = HTTPField.Name("Access-Control-Allow-Private-Network")!
    static let requestPrivateNetwork = HTTPField.Name("Access-Control-Request-Private-Network")!
    static let allowedMethods = "POST, GET, OPTIONS"
    static let banner = "stakenet JSON-RPC endpoint: POST JSON-RPC 2.0 requests here, or open a WebSocket.\n"

    func respond(to request: Request, context: Context) async throws -> Response {
        switch request.method {
        case .post:
            return try await post(request)
        case .options:
            return preflight(request)
        case .get, .head:
            if let page = dashboardPage(request) { return page }  // Dashboard/DashboardRoute.swift
            var h = HTTPFields()
            h[.contentType] = "text/plain; charset=utf-8"
            cors(&h)
            return Response(status: .ok, headers: h,
                            body: request.method == .head ? .init() : .init(byteBuffer: ByteBuffer(string: Self.banner)))
        default:
            var h = HTTPFields()
            h[.allow] = Self.allowedMethods
            cors(&h)
            return Response(status: .methodNotAllowed, headers: h)
        }
    }

    func cors(_ h: inout HTTPFields) {
        guard let origin = config.allowOrigin else { return }
        h[.accessControlAllowOrigin] = origin
        if origin != "*" { h[.vary] = "Origin" }
    }

    func preflight(_ request: Request) -> Response {
        var h = HTTPFields()
        h[.allow] = Self.allowedMethods
        if config.allowOrigin != nil {
            cors(&h)
            h[.accessControlAllowMethods] = Self.allowedMethods
            h[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "*"
            h[.accessControlMaxAge] = "86400"
            if request.headers[Self.requestPrivateNetwork]?.lowercased() == "true" {
                h[Self.allowPrivateNetwork] = "true"
            }
        }
        return Response(status: .noContent, headers: h)
    }

    func post(_ request: Request) async throws -> Response {
        let limit = config.maxBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            // Answer without storing it; Hummingbird drains the body before reading another
            // request, and the client is asked to close (it may not have sent the body at all
            // when it waits for `100 Continue`).
            var r = json(tooLarge("\(declared) bytes"))
            r.headers[.connection] = "close"
            return r
        }
        var body: ByteBuffer? = nil
        var total = 0
        for try await chunk in request.body {
            total += chunk.readableBytes
            if total > limit {
                body = nil  // keep draining, stop storing
                continue
            }
            if body == nil {
                body = chunk
            } else {
                var chunk = chunk
                body!.writeBuffer(&chunk)
            }
        }
        if total > limit { return json(tooLarge("\(total) bytes")) }
        let parsed: Result<JSON, JSONError> = (body ?? ByteBuffer()).withUnsafeReadableBytes { raw in
            Result { () throws(JSONError) -> JSON in try JSON.parse(raw) }
        }
        let out = await methods.handle(parsed: parsed, connection: nil)
        return json(out ?? [])
    }

    func tooLarge(_ size: String) -> [UInt8] {
        MethodTable.errorResponse(id: .null, RPCError(code: -32600, message: "request body too large: \(size), limit \(config.maxBodyBytes) bytes"))
    }

    func json(_ bytes: [UInt8]) -> Response {
        var h = HTTPFields()
        h[.contentType] = "application/json"
        cors(&h)
        return Response(status: .ok, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
