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
///     slot 2   wake:      the earliest time operator work may fall due (a lower bound:
///                         the next rebase, or the due time of the claim at the cursor);
///                         2^64 − 1 in manual mode; 0 = unknown
///     slot 2^128 + i      timestamp of the block claim i of the pool's queue was queued in
///
/// (`wN` = the N-th 64-bit limb of the 256-bit word, least significant first.) A block whose
/// timestamp is before the wake time costs the operator one storage read.
public struct OperatorRecord: Equatable, Sendable {
    public static let account = Address(hex: "0x000000000000000000000000000000005374616b")!
    static let settingsSlot = Hash(UInt256(0))
    static let scheduleSlot = Hash(UInt256(1))
    static let wakeSlot = Hash(UInt256(2))
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
    /// Nothing can fall due before this time (see `updateWake`); 0 = unknown.
    public var wake: UInt64 = 0

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
        var r = OperatorRecord(settings: settings, nextRebase: q.w0, claimsRecorded: q.w1, claimCursor: q.w2, rebasesDone: q.w3)
        r.wake = read(wakeSlot).uint64 ?? 0
        return r
    }

    var settingsWord: UInt256 {
        UInt256(w0: settings.aprBps, w1: settings.rebaseInterval, w2: settings.unbondPeriod,
                w3: 1 | (settings.mode == .manual ? 2 : 0))
    }

    var scheduleWord: UInt256 {
        UInt256(w0: nextRebase, w1: claimsRecorded, w2: claimCursor, w3: rebasesDone)
    }

    /// Writes the three words through `write(slot, value)`.
    public func store(_ write: (Hash, UInt256) -> Void) {
        write(Self.settingsSlot, settingsWord)
        write(Self.scheduleSlot, scheduleWord)
        write(Self.wakeSlot, UInt256(wake))
    }

    /// Recomputes `wake`: never in manual mode (forced actions do not wait for it), else the
    /// earlier of the next rebase and the due time of the claim at the cursor. `queuedAt`
    /// answers a claim index's queue time. Queue times never decrease along the queue, so
    /// that claim's due time bounds every unserved claim's from below (even when it was
    /// served by someone else meanwhile: then the operator wakes early and finds nothing).
    public mutating func updateWake(queuedAt: (UInt64) -> UInt64) {
        if settings.mode == .manual { wake = .max; return }
        var w = nextRebase
        if claimCursor < claimsRecorded { w = min(w, queuedAt(claimCursor).addingClamped(settings.unbondPeriod)) }
        wake = w
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
