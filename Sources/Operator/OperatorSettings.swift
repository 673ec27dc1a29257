import Primitives

/// How Ankr's off-chain operator behaves.
public struct OperatorSettings: Sendable, Equatable {
    public enum Mode: String, Sendable { case auto, manual }
    /// Annual rate in basis points (450 = 4.5 %).
    public var aprBps: UInt64 = 450
    /// Seconds between rebases; rebase k falls due at genesis + k × interval.
    public var rebaseInterval: UInt64 = 86_400
    /// Seconds from the block a claim was queued in to when it is served.
    public var unbondPeriod: UInt64 = 604_800
    public var mode: Mode = .auto

    /// Largest APR accepted (1 000 %), as the CLI's `--apr` check.
    public static let maxAprBps: UInt64 = 100_000

    public init() {}

    public init(aprBps: UInt64, rebaseInterval: UInt64, unbondPeriod: UInt64, mode: Mode) {
        self.aprBps = aprBps; self.rebaseInterval = rebaseInterval; self.unbondPeriod = unbondPeriod; self.mode = mode
    }

    /// Ratio growth per rebase: apr·1e14·interval / 31 536 000 (1e18 = 100 %).
    public var growthPerRebase: UInt256 {
        UInt256(aprBps).saturatingMul(UInt256.pow10(14)).saturatingMul(UInt256(rebaseInterval)) / UInt256(31_536_000)
    }

    /// The ratio after one rebase: ratio·1e18 / (1e18 + growth), integer division.
    public func nextRatio(_ ratio: UInt256) -> UInt256 {
        let e18 = UInt256.pow10(18)
        let (hi, lo) = ratio.multipliedFullWidth(by: e18)
        let denom = e18.saturatingAdd(growthPerRebase)
        if hi.isZero { return lo / denom }
        return ratio / denom * e18   // unreachable for ratios ≤ 1e18
    }
}
