import Foundation
import Hummingbird
import HummingbirdWebSocket
import ServiceLifecycle

/// JSON-RPC over one WebSocket: each text (or binary) message is a request body for the method
/// table; responses and pushed notifications go out as text messages, in order.
enum WebSocketRPC {
    /// A data frame (text, binary or continuation) as the message loop sees it.
    struct Frame: Sendable {
        var isContinuation: Bool
        var data: ByteBuffer
        var fin: Bool
    }

    /// A WebSocket upgraded on a connection's first request (hummingbird-websocket's handler).
    static func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
                      methods: MethodTable, maxMessageBytes: Int) async throws {
        try await serve(frames: inbound.map { Frame(isContinuation: $0.opcode == .continuation, data: $0.data, fin: $0.fin) },
                        write: { try await outbound.write(.text($0)) },
                        methods: methods, maxMessageBytes: maxMessageBytes)
    }

    /// The message loop over any frame source (see also `KeepAliveUpgrade`).
    static func serve<Frames: AsyncSequence & Sendable>(frames inbound: Frames, write: @escaping @Sendable (String) async throws -> Void,
                                             methods: MethodTable, maxMessageBytes: Int) async throws where Frames.Element == Frame {
        let connection = QueuedConnection()
        defer { connection.close() }
        // On server shutdown, end this handler so the close handshake can run.
        try await withGracefulShutdownHandler {
          try await withThrowingTaskGroup(of: Void.self) { group in
            // Writer: drains the connection's queue until it closes.
            group.addTask {
                for await message in connection.outgoing {
                    try await write(String(decoding: message, as: UTF8.self))
                    connection.didWrite()
                }
            }
            // Reader: one message at a time, so responses keep request order.
            group.addTask {
                defer { connection.close() }
                var iterator = inbound.makeAsyncIterator()
                var pending: ByteBuffer? = nil
                var size = 0
                while let frame = try await iterator.next() {
                    if !frame.isContinuation {
                        pending = nil
                        size = 0
                    }
                    size += frame.data.readableBytes
                    if size <= maxMessageBytes {
                        if pending == nil {
                            pending = frame.data
                        } else {
                            var data = frame.data
                            pending!.writeBuffer(&data)
                        }
                    } else {
                        pending = nil
                    }
                    guard frame.fin else { continue }
                    connection.beginRequest()
                    let response: [UInt8]?
                    if size > maxMessageBytes {
                        response = MethodTable.errorResponse(
                            id: .null, RPCError(code: -32600, message: "request message too large: \(size) bytes, limit \(maxMessageBytes) bytes"))
                    } else {
                        let parsed: Result<JSON, JSONError> = (pending ?? ByteBuffer()).withUnsafeReadableBytes { raw in
                            Result { () throws(JSONError) -> JSON in try JSON.parse(raw) }
                        }
                        response = await methods.handle(parsed: parsed, connection: connection)
                    }
                    connection.endRequest(response: response)
                    pending = nil
                    size = 0
                }
            }
            // Whichever side ends first (client gone, or server closed the connection) ends both.
            _ = try await group.next()
            group.cancelAll()
          }
        } onGracefulShutdown: {
            connection.close()
        }
    }
}
