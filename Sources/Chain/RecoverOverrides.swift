import Foundation
import Primitives

/// `anvil_impersonateSignature`: signatures (r ‖ s ‖ v, 65 bytes) for which the ecrecover
/// precompile answers a chosen address, in every execution (mined blocks, calls, replays), as
/// Anvil's cheat ecrecover does. Transaction senders are still recovered from real signatures.
public final class RecoverOverrides: @unchecked Sendable {
    private let lock = NSLock()
    private var map: [[UInt8]: Address] = [:]
    public init() {}

    public func add(_ signature: [UInt8], _ address: Address) { lock.withLock { map[signature] = address } }
    public var all: [[UInt8]: Address] { lock.withLock { map } }
}
