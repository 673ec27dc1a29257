import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import NIOWebSocket

/// WebSocket upgrades on a keep-alive connection that has already served HTTP requests.
///
/// NIO's upgrade handler only looks at a connection's first request; after that the pipeline is
/// plain HTTP, and hummingbird-websocket answers a later upgrade with `307` + `Connection: close`,
/// hoping the client retries on a new connection. Node's fetch-based clients (ethers v6's
/// `WebSocketProvider` after some HTTP calls) reuse the connection and never open. So:
///
/// - `Marker`, in the HTTP pipeline, moves a later request's `Upgrade: websocket` header to
///   `x-stakenet-websocket-upgrade`, so hummingbird-websocket's redirect does not fire and the
///   request reaches the responder;
/// - `serve` answers it with `101 Switching Protocols` and takes the connection over: WebSocket
///   frame handlers go in at the head of the pipeline (the HTTP handlers behind them never see
///   another byte), and the same JSON-RPC loop as a first-request WebSocket runs until the
///   socket closes. The responder returns only then, and the connection ends with it.
///
/// The WebSocket side here is RFC 6455's server essentials: masked client frames, fragmented
/// messages, ping → pong, the close handshake, frames over `maxWebSocketFrame` closed with
/// 1009 (NIO's decoder and protocol-error handler), outgoing messages split into frames of at
/// most that size.
enum KeepAliveUpgrade {
    static let marker = HTTPField.Name("x-stakenet-websocket-upgrade")!
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// Moves `Upgrade: websocket` of a request on an HTTP connection to `marker` (and drops any
    /// `marker` header a client sent itself).
    final class Marker: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var part = unwrapInboundIn(data)
            if case .head(var head) = part {
                head.headerFields[marker] = nil
                if let up = head.headerFields[.upgrade], up.lowercased().contains("websocket") {
                    head.headerFields[.upgrade] = nil
                    head.headerFields[marker] = up
                }
                part = .head(head)
            }
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    static func isUpgrade(_ request: Request) -> Bool { request.headers[marker] != nil }

    /// The `Sec-WebSocket-Accept` value for a client's key.
    static func accept(key: String) -> String {
        Data(Insecure.SHA1.hash(data: Data((key.trimmingCharacters(in: .whitespaces) + guid).utf8))).base64EncodedString()
    }

    /// Answers a later-request upgrade: 400 and close when it is not a valid WebSocket
    /// handshake, else the WebSocket session, returning when the connection has closed.
    static func serve(_ request: Request, _ writer: consuming ResponseWriter, _ channel: any Channel,
                      methods: MethodTable, config: RPCServerConfig) async throws {
        let connectionHeader = request.headers[.connection]?.lowercased() ?? ""
        guard config.webSocket, request.method == .get, connectionHeader.contains("upgrade"),
              let key = request.headers[.secWebSocketKey], !key.isEmpty,
              request.headers[.secWebSocketVersion] == "13" else {
            // As a refused first-request upgrade: 400 and close (the HTTP decoder stops at an
            // upgrade request, so the connection cannot go on as HTTP).
            var h = HTTPFields()
            h[.contentLength] = "0"
            h[.connection] = "close"
            try await writer.writeResponse(HTTPResponse(status: .badRequest, headerFields: h))
            try? await channel.close()
            return
        }
        let handshake = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(accept(key: key))\r\n\r\n"
        let bridge = FrameBridge(channel: channel, maxFrameSize: config.maxWebSocketFrame, closeTimeout: .seconds(2))
        try await channel.eventLoop.submit {
            let ops = channel.pipeline.syncOperations
            // Each goes in at the head, so from the head: encoder, decoder, error handler, bridge.
            try ops.addHandler(bridge, position: .first)
            bridge.writeRaw(handshake)
            try ops.addHandler(WebSocketProtocolErrorHandler(), position: .first)
            try ops.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: config.maxWebSocketFrame)), position: .first)
            try ops.addHandler(WebSocketFrameEncoder(), position: .first)
        }.get()
        do {
            try await WebSocketRPC.serve(frames: bridge.frames, write: { try await bridge.send($0) },
                                         methods: methods, maxMessageBytes: config.maxBodyBytes)
        } catch {}
        await bridge.finish()
    }

    /// The connection's WebSocket end: data frames go to `frames`, control frames are answered
    /// here, and nothing reaches the HTTP handlers behind it.
    final class FrameBridge: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {  // its vars are only touched on `channel.eventLoop`
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame

        let frames: AsyncThrowingStream<WebSocketRPC.Frame, Error>
        private let continuation: AsyncThrowingStream<WebSocketRPC.Frame, Error>.Continuation
        let maxFrameSize: Int
        let closeTimeout: TimeAmount
        // Event-loop state.
        private var context: ChannelHandlerContext?
        private var closeSent = false

        let channel: any Channel

        init(channel: any Channel, maxFrameSize: Int, closeTimeout: TimeAmount) {
            (frames, continuation) = AsyncThrowingStream.makeStream(of: WebSocketRPC.Frame.self)
            self.channel = channel
            self.maxFrameSize = maxFrameSize
            self.closeTimeout = closeTimeout
        }

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }
        func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

        /// The handshake response, written below the HTTP encoder (on the event loop).
        func writeRaw(_ text: String) {
            guard let context else { return }
            context.writeAndFlush(NIOAny(context.channel.allocator.buffer(string: text)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            // Client frames must be masked and use no extension bits (none was negotiated).
            guard frame.maskKey != nil, !frame.rsv1, !frame.rsv2, !frame.rsv3 else {
                return protocolError(context)
            }
            switch frame.opcode {
            case .text, .binary, .continuation:
                continuation.yield(.init(isContinuation: frame.opcode == .continuation, data: frame.unmaskedData, fin: frame.fin))
            case .ping:
                guard frame.fin, frame.length <= 125 else { return protocolError(context) }
                if !closeSent {
                    context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
                }
            case .pong:
                break
            case .connectionClose:
                continuation.finish()
                if closeSent {
                    context.close(promise: nil)
                } else {
                    // Echo the peer's status code, then close.
                    closeSent = true
                    var data = frame.unmaskedData
                    let code = data.readableBytes >= 2 ? data.readSlice(length: 2)! : context.channel.allocator.buffer(capacity: 0)
                    let channel = context.channel
                    context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: code)))
                        .whenComplete { _ in channel.close(promise: nil) }
                }
            default:
                protocolError(context)
            }
        }

        private func protocolError(_ context: ChannelHandlerContext) {
            continuation.finish()
            sendClose(context, code: .protocolError)
        }

        private func sendClose(_ context: ChannelHandlerContext, code: WebSocketErrorCode) {
            guard !closeSent else { return }
            closeSent = true
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: code)
            let channel = context.channel, timeout = closeTimeout
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
            // Wait for the peer's close frame, but not forever.
            channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            continuation.finish()
            context.fireErrorCaught(error)
        }

        /// Sends one text message, split into frames of at most `maxFrameSize` bytes.
        func send(_ text: String) async throws {
            let bytes = Array(text.utf8)
            let max = Swift.max(1, maxFrameSize)
            try await loopExecute { ctx in
                guard !self.closeSent else { return ctx.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
                var start = 0
                var last: EventLoopFuture<Void>? = nil
                repeat {
                    let end = Swift.min(bytes.count, start + max)
                    let frame = WebSocketFrame(fin: end == bytes.count, opcode: start == 0 ? .text : .continuation,
                                               data: ctx.channel.allocator.buffer(bytes: bytes[start..<end]))
                    last = ctx.write(self.wrapOutboundOut(frame))
                    start = end
                } while start < bytes.count
                ctx.flush()
                return last!
            }
        }

        /// Ends the session from the server's side: a 1000 close frame unless one was sent,
        /// then waits (up to `closeTimeout`) for the connection to close.
        func finish() async {
            try? await loopExecute { ctx in
                self.sendClose(ctx, code: .normalClosure)
                return ctx.eventLoop.makeSucceededVoidFuture()
            }
            try? await channel.closeFuture.get()
        }

        /// Runs `body` on the event loop with this handler's context (failing once it is gone).
        private func loopExecute(_ body: @escaping @Sendable (ChannelHandlerContext) -> EventLoopFuture<Void>) async throws {
            let loop = channel.eventLoop
            try await loop.flatSubmit { () -> EventLoopFuture<Void> in
                guard let ctx = self.context else { return loop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
                return body(ctx)
            }.get()
        }
    }
}
