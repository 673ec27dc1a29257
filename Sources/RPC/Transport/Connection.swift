import Foundation

/// A client connection that can receive messages the server pushes: a WebSocket. Subscription
/// code (`eth_subscribe`) gets it from `Params.connection`, keeps it, pushes notifications
/// with `notify(subscription:result:)`, and learns about the disconnect through `onClose`.
///
/// Ordering: a notification sent while a request of the same connection is being handled
/// (e.g. from inside the `eth_subscribe` handler, or from the miner at that moment) is delivered
/// after that request's response, so a client never sees a subscription id before the
/// response that announced it.
public protocol RPCConnection: AnyObject, Sendable {
    /// Unique per server process.
    var connectionID: UInt64 { get }
    var isClosed: Bool { get }
    /// Queues a complete JSON text message. Returns false (and drops it) once the connection
    /// is closed. Never blocks.
    @discardableResult func send(_ message: [UInt8]) -> Bool
    /// Runs `callback` once when the connection closes; at once if it is closed already.
    func onClose(_ callback: @escaping @Sendable () -> Void)
    /// Closes the connection (idempotent).
    func close()
}

/// What subscription code needs of a connection.
public typealias SubscriptionSink = RPCConnection

extension RPCConnection {
    /// Pushes `{"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":id,"result":…}}`.
    @discardableResult
    public func notify(subscription: String, result: JSON) -> Bool {
        send(MethodTable.subscriptionNotification(subscription: subscription, result: result))
    }
}

enum ConnectionIDs {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var next: UInt64 = 0  // guarded by `lock`
    static func make() -> UInt64 { lock.withLock { next += 1; return next } }
}

/// The shared machinery of a push-capable connection: an outgoing queue (an `AsyncStream` a
/// writer task drains), close callbacks, and holding pushes back while a request is in flight.
public final class QueuedConnection: RPCConnection, @unchecked Sendable {  // its vars are guarded by `lock`
    public let connectionID: UInt64
    /// Messages in send order; finishes when the connection closes.
    public let outgoing: AsyncStream<[UInt8]>
    private let continuation: AsyncStream<[UInt8]>.Continuation
    private let lock = NSLock()
    private var closed = false
    private var callbacks: [@Sendable () -> Void] = []
    private var inFlight = 0
    private var held: [[UInt8]] = []
    /// Messages queued (held or in the stream) and not yet reported written.
    private var queued = 0
    private let maxQueued: Int

    /// `maxQueued`: how many messages may wait unwritten (a client that does not read) before
    /// the connection is closed as too slow, as geth drops slow subscribers.
    public init(maxQueued: Int = 100_000) {
        connectionID = ConnectionIDs.make()
        (outgoing, continuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .unbounded)
        self.maxQueued = maxQueued
    }

    public var isClosed: Bool { lock.withLock { closed } }

    @discardableResult
    public func send(_ message: [UInt8]) -> Bool {
        let (ok, overflow): (Bool, Bool) = lock.withLock {
            if closed { return (false, false) }
            if queued >= maxQueued { return (false, true) }
            queued += 1
            if inFlight > 0 {
                held.append(message)
            } else {
                continuation.yield(message)
            }
            return (true, false)
        }
        if overflow { close() }
        return ok
    }

    /// The transport's writer reports each message it has written (for the slow-client limit).
    public func didWrite() { lock.withLock { queued -= 1 } }

    /// Marks a request as being handled: pushes wait until `endRequest`.
    public func beginRequest() { lock.withLock { inFlight += 1 } }

    /// Queues the request's response (if any), then the pushes held meanwhile.
    public func endRequest(response: [UInt8]?) {
        lock.withLock {
            if closed { return }
            if let response { queued += 1; continuation.yield(response) }
            inFlight -= 1
            if inFlight == 0 && !held.isEmpty {
                for m in held { continuation.yield(m) }
                held.removeAll()
            }
        }
    }

    public func onClose(_ callback: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            if closed { return true }
            callbacks.append(callback)
            return false
        }
        if runNow { callback() }
    }

    public func close() {
        let cbs: [@Sendable () -> Void] = lock.withLock {
            if closed { return [] }
            closed = true
            held.removeAll()
            continuation.finish()
            let c = callbacks
            callbacks = []
            return c
        }
        for cb in cbs { cb() }
    }
}
