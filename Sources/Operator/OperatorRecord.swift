import Primitives

/// The operator's persistent state, kept in the chain state itself so that `evm_revert`,
/// `anvil_reset` and `--data-dir` restarts restore it with everything else.
///
/// It lives in the storage of a reserved pseudo-account with no code and no balance,
/// `0x000000000000000000000000000000005374616b` (the low bytes spell "Stak"); the words are
/// visible through `eth_getStorageAt`:
///
///     slot 0   settings:  w0 APR (bps) · w1 rebase interval (s) · w2 unbond period (s) ·
///                         w3 flags (bit 0 = initialised, bit 1 = manual mode)
///     slot 1   schedule:  w0 next rebase due time · w1 claims recorded (queue indexes whose
///                         queue time is known) · w2 claim cursor (lowest queue index that may
///                         still be unserved) · w3 rebases done
///     slot 2^128 + i      timestamp of the block claim i of the pool's queue was queued in
///
/// (`wN` = the N-th 64-bit limb of the 256-bit word, least significant first.) Settings and
/// schedule are packed so each block's check costs two storage reads.
public struct OperatorRecord: Equatable, Sendable {
    public static let account = Address(hex: "0x000000000000000000000000000000005374616b")!
    static let settingsSlot = Hash(UInt256(0))
    static let scheduleSlot = Hash(UInt256(1))
    static let claimBase = UInt256.one << 128

    public var settings: OperatorSettings
    /// When the next rebase falls due (genesis timestamp + k × interval while the interval
    /// is unchanged).
    public var nextRebase: UInt64
    /// Queue indexes 0..<claimsRecorded have a recorded queue time.
    public var claimsRecorded: UInt64
    /// Every queue index below this is known to be served.
    public var claimCursor: UInt64
    /// Rebases the operator has done (auto and forced).
    public var rebasesDone: UInt64

    public init(settings: OperatorSettings, nextRebase: UInt64, claimsRecorded: UInt64 = 0,
                claimCursor: UInt64 = 0, rebasesDone: UInt64 = 0) {
        self.settings = settings; self.nextRebase = nextRebase; self.claimsRecorded = claimsRecorded
        self.claimCursor = claimCursor; self.rebasesDone = rebasesDone
    }

    static func claimSlot(_ index: UInt64) -> Hash { Hash(claimBase | UInt256(index)) }

    /// The record in a state, nil when the operator was never initialised there.
    /// `read` answers a storage word of `OperatorRecord.account`.
    public static func load(_ read: (Hash) -> UInt256) -> OperatorRecord? {
        let s = read(settingsSlot)
        guard s.w3 & 1 == 1 else { return nil }
        var settings = OperatorSettings()
        settings.aprBps = s.w0
        settings.rebaseInterval = s.w1
        settings.unbondPeriod = s.w2
        settings.mode = s.w3 & 2 == 0 ? .auto : .manual
        let q = read(scheduleSlot)
        return OperatorRecord(settings: settings, nextRebase: q.w0, claimsRecorded: q.w1, claimCursor: q.w2, rebasesDone: q.w3)
    }

    var settingsWord: UInt256 {
        UInt256(w0: settings.aprBps, w1: settings.rebaseInterval, w2: settings.unbondPeriod,
                w3: 1 | (settings.mode == .manual ? 2 : 0))
    }

    var scheduleWord: UInt256 {
        UInt256(w0: nextRebase, w1: claimsRecorded, w2: claimCursor, w3: rebasesDone)
    }

    /// Writes both words through `write(slot, value)`.
    public func store(_ write: (Hash, UInt256) -> Void) {
        write(Self.settingsSlot, settingsWord)
        write(Self.scheduleSlot, scheduleWord)
    }

    /// The first rebase time after `t`: genesis + k × interval for the least k with a time > t.
    static func firstRebase(after t: UInt64, genesis: UInt64, interval: UInt64) -> UInt64 {
        let i = max(interval, 1)
        if t < genesis { return genesis.addingClamped(i) }
        let k = (t - genesis) / i + 1
        let (m, o) = k.multipliedReportingOverflow(by: i)
        return o ? .max : genesis.addingClamped(m)
    }
}

extension UInt64 {
    func addingClamped(_ b: UInt64) -> UInt64 {
        let (r, o) = addingReportingOverflow(b)
        return o ? .max : r
    }
}
