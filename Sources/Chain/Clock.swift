import Foundation

/// Chain time: `now = wall clock + offset`, or with `--no-wall-clock`,
/// `now = genesis timestamp + offset`. Owned by the chain actor; its persistent part
/// (`ClockState`) is saved with the head and captured by snapshots.
public struct ClockState: Equatable, Sendable, Codable {
    /// Seconds added by `evm_increaseTime` / `stakenet_warp` / `anvil_setTime`.
    public var offset: Int64 = 0
    /// One-shot timestamp for the next block (`evm_setNextBlockTimestamp`).
    public var nextTimestamp: UInt64? = nil
    /// Fixed spacing between blocks (`anvil_setBlockTimestampInterval`).
    public var interval: UInt64? = nil
    public init() {}
}

public struct ChainClock: Sendable {
    public let useWallClock: Bool
    public let genesisTimestamp: UInt64
    public var state = ClockState()
    /// Wall-clock source, replaceable in tests.
    public var wallClock: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }

    public init(useWallClock: Bool, genesisTimestamp: UInt64) {
        self.useWallClock = useWallClock
        self.genesisTimestamp = genesisTimestamp
    }

    /// The current chain time.
    public var now: UInt64 {
        let base = Int64(useWallClock ? wallClock() : genesisTimestamp)
        return UInt64(max(0, base &+ state.offset))
    }

    /// The timestamp the next block gets, given its parent's (never backwards).
    public func nextBlockTimestamp(parent: UInt64) -> UInt64 {
        if let t = state.nextTimestamp { return max(t, parent) }
        if let i = state.interval { return parent &+ i }
        return max(parent, now)
    }

    /// Called once a block with `timestamp` is mined: the one-shot value is spent, and a
    /// manually chosen timestamp moves `now` so time keeps flowing from there (as Anvil does).
    public mutating func blockMined(timestamp: UInt64) {
        if state.nextTimestamp != nil {
            state.nextTimestamp = nil
            if timestamp > now { state.offset &+= Int64(timestamp - now) }
        }
    }

    /// `anvil_setTime`: make `now` equal `t`.
    public mutating func setTime(_ t: UInt64) {
        let base = Int64(useWallClock ? wallClock() : genesisTimestamp)
        state.offset = Int64(t) - base
    }
}
