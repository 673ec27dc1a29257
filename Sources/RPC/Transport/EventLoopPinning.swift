import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Runs each connection's task on the NIO event loop that owns its socket, instead of on
/// Swift's global pool. A request is then read, dispatched, answered and written on one thread:
/// a read-only method (which only touches the lock-free `ChainReader`) costs no thread hop at
/// all, and a transaction hops only into the chain actor and back. Without this, every request
/// crosses from the event loop to a pool thread and back, about 0.1 ms of latency each way.
///
/// Work that takes long (mining many blocks, warping years) must not stall the other
/// connections of the same loop: such methods move themselves to the global pool with
/// `offEventLoop(_:)`.
struct EventLoopPinnedChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        let executor = EventLoopTaskExecutor(value.channel.eventLoop)
        await withTaskExecutorPreference(executor) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

/// A `TaskExecutor` that runs jobs on one NIO event loop.
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let loop: any EventLoop
    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}
