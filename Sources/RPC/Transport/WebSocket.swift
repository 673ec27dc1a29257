import Foundation
import Hummingbird
import HummingbirdWebSocket
import ServiceLifecycle

/// JSON-RPC over one WebSocket: each text (or binary) message is a request body for the method
/// table; responses and pushed notifications go out as text messages, in order.
enum WebSocketRPC {
    static func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
                      methods: MethodTable, maxMessageBytes: Int) async throws {
        let connection = QueuedConnection()
        defer { connection.close() }
        // On server shutdown, end this handler so the close handshake can run.
        try await withGracefulShutdownHandler {
          try await withThrowingTaskGroup(of: Void.self) { group in
            // Writer: drains the connection's queue until it closes.
            group.addTask {
                for await message in connection.outgoing {
                    try await outbound.write(.text(String(decoding: message, as: UTF8.self)))
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
                    if frame.opcode != .continuation {
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
