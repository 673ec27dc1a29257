import Primitives

// The machinery every emulated contract uses: reverts, Solidity 0.8 checked arithmetic,
// storage slots laid out as solc lays them out, event emission and calls between the
// emulated contracts.

/// A revert with its return data (`Error(string)`, `Panic(uint256)` or empty). Thrown through
/// every frame of a call, as a revert bubbles up through Solidity's high-level calls.
struct Revert: Error {
    var data: [UInt8]

    static let empty = Revert(data: [])
    static func reason(_ s: String) -> Revert { Revert(data: ABI.encodeError(s)) }
    static func panic(_ code: UInt64) -> Revert { Revert(data: ABI.encodePanic(code)) }
    /// Solidity ≥ 0.8 arithmetic overflow/underflow.
    static let overflow = panic(0x11)
    /// Division or modulo by zero.
    static let divisionByZero = panic(0x12)

    /// The revert a failed argument decode produces in solc's decoder.
    init(decoding e: ABIError) {
        data = e == .allocationTooLarge ? ABI.encodePanic(0x41) : []
    }
    init(data: [UInt8]) { self.data = data }
}

/// `require(cond, "reason")`.
@inline(__always)
func require(_ cond: Bool, _ reason: @autoclosure () -> String) throws(Revert) {
    if !cond { throw Revert.reason(reason()) }
}

/// `require(cond)` with no reason (Solidity 0.5 / OpenZeppelin 2.x style).
@inline(__always)
func requireNoReason(_ cond: Bool) throws(Revert) {
    if !cond { throw Revert.empty }
}

// MARK: - checked arithmetic (Solidity 0.8: Panic(0x11) / Panic(0x12))

enum Checked {
    @inline(__always) static func add(_ a: UInt256, _ b: UInt256) throws(Revert) -> UInt256 {
        let r = a.addingReportingOverflow(b)
        if r.overflow { throw Revert.overflow }
        return r.partialValue
    }
    @inline(__always) static func sub(_ a: UInt256, _ b: UInt256) throws(Revert) -> UInt256 {
        let r = a.subtractingReportingOverflow(b)
        if r.overflow { throw Revert.overflow }
        return r.partialValue
    }
    @inline(__always) static func mul(_ a: UInt256, _ b: UInt256) throws(Revert) -> UInt256 {
        let r = a.multipliedReportingOverflow(by: b)
        if r.overflow { throw Revert.overflow }
        return r.partialValue
    }
    @inline(__always) static func div(_ a: UInt256, _ b: UInt256) throws(Revert) -> UInt256 {
        if b.isZero { throw Revert.divisionByZero }
        return a.quotientAndRemainder(dividingBy: b).quotient
    }
    @inline(__always) static func mod(_ a: UInt256, _ b: UInt256) throws(Revert) -> UInt256 {
        if b.isZero { throw Revert.divisionByZero }
        return a.quotientAndRemainder(dividingBy: b).remainder
    }

    // int256 (two's complement in a UInt256)

    static func isNegative(_ a: UInt256) -> Bool { a.w3 >> 63 == 1 }

    /// Checked `a + b` for int256.
    static func addSigned(_ a: UInt256, _ b: UInt256) throws(Revert) -> UInt256 {
        let r = a &+ b
        // overflow when both operands have the same sign and the result's sign differs
        if isNegative(a) == isNegative(b) && isNegative(r) != isNegative(a) { throw Revert.overflow }
        return r
    }
    /// Checked `a - b` for int256.
    static func subSigned(_ a: UInt256, _ b: UInt256) throws(Revert) -> UInt256 {
        let r = a &- b
        if isNegative(a) != isNegative(b) && isNegative(r) != isNegative(a) { throw Revert.overflow }
        return r
    }
    /// Signed `a <= b` for int256.
    static func lessOrEqualSigned(_ a: UInt256, _ b: UInt256) -> Bool {
        let na = isNegative(a), nb = isNegative(b)
        if na != nb { return na }
        return a <= b
    }
}

/// OpenZeppelin 2.x SafeMath under Solidity 0.5: failures revert with no data.
enum SafeMath2 {
    @inline(__always) static func add(_ a: UInt256, _ b: UInt256) throws(Revert) -> UInt256 {
        let r = a.addingReportingOverflow(b)
        if r.overflow { throw Revert.empty }
        return r.partialValue
    }
    @inline(__always) static func sub(_ a: UInt256, _ b: UInt256) throws(Revert) -> UInt256 {
        if b > a { throw Revert.empty }
        return a &- b
    }
}

// MARK: - storage layout

/// Storage slot arithmetic as solc does it.
///
/// - a value at slot `p` is the 32-byte word `p`;
/// - `mapping(K => V)` at slot `p`: the value for key `k` is at `keccak256(pad32(k) ‖ pad32(p))`;
///   a nested `mapping(K1 => mapping(K2 => V))` at `keccak256(pad32(k2) ‖ keccak256(pad32(k1) ‖ pad32(p)))`;
/// - a dynamic array `T[]` at slot `p`: its length at `p`, element `i` at `keccak256(pad32(p)) + i`;
/// - `string`/`bytes` at slot `p`: shorter than 32 bytes, the data left-aligned in `p` with
///   `2·length` in its lowest byte; otherwise `2·length + 1` in `p` and the data from `keccak256(pad32(p))`.
enum Slot {
    static func mapping(_ key: UInt256, _ base: UInt256) -> UInt256 {
        var buf = [UInt8](repeating: 0, count: 64)
        put(key, into: &buf, at: 0)
        put(base, into: &buf, at: 32)
        return wordFromKeccak(buf)
    }
    static func mapping(_ key: Address, _ base: UInt256) -> UInt256 { mapping(key.value, base) }
    static func mapping(_ k1: Address, _ k2: Address, _ base: UInt256) -> UInt256 {
        mapping(k2.value, mapping(k1.value, base))
    }
    /// Where a dynamic array's (or long string's) data starts.
    static func data(_ base: UInt256) -> UInt256 {
        wordFromKeccak(base.bytes32)
    }

    @inline(__always) static func put(_ v: UInt256, into buf: inout [UInt8], at o: Int) {
        let limbs = [v.w3, v.w2, v.w1, v.w0]
        for (li, limb) in limbs.enumerated() {
            for j in 0..<8 { buf[o + li * 8 + j] = UInt8(truncatingIfNeeded: limb >> UInt64(56 - 8 * j)) }
        }
    }
    static func wordFromKeccak(_ bytes: [UInt8]) -> UInt256 {
        UInt256(bigEndian: Keccak256.hash(bytes))!
    }
}

// MARK: - execution context

/// The five contracts, by kind.
enum ContractKind: CaseIterable, Sendable {
    case matic, pool, aMATICb, aMATICc, ankr

    var label: String {
        switch self {
        case .matic: return "MATIC"
        case .pool: return "PolygonPool"
        case .aMATICb: return "aMATICb"
        case .aMATICc: return "aMATICc"
        case .ankr: return "ANKR"
        }
    }
}

/// One top-level call: the state, the block environment, the logs emitted so far, and the
/// stack of calls between emulated contracts with each one's gas.
final class Exec {
    let state: WorldState
    let ctx: CallContext
    let addrs: ContractAddresses
    var logs: [Log] = []
    /// Execution gas added on top of the called function's table figure (fee-path surcharges).
    var extraGas: UInt64 = 0
    /// Told of nested calls and events (a tracer); nil when nobody watches.
    let observer: CallObserver?

    /// The gas of one running call: what it was given, its budget (its gas-table figure, within
    /// what its caller had left) and what its nested calls have used of that budget so far.
    struct GasFrame {
        var gas: UInt64
        var budget: UInt64
        var childrenUsed: UInt64 = 0
        /// The budget its next nested call may use.
        var budgetLeft: UInt64 { budget > childrenUsed ? budget - childrenUsed : 0 }
    }
    /// The top-level call first; one more per nested call running.
    private(set) var frames: [GasFrame]

    /// Depth of nested calls between the emulated contracts (0: the top-level call).
    var depth: Int { frames.count - 1 }

    /// Nested calls allowed before a call fails like an EVM call that ran out of gas. The
    /// contracts only nest 2–3 deep; a deeper chain means a misconfigured address loop.
    static let maxDepth = 64

    init(state: WorldState, ctx: CallContext, addrs: ContractAddresses, gas: UInt64 = .max, observer: CallObserver? = nil) {
        self.state = state; self.ctx = ctx; self.addrs = addrs; self.observer = observer
        frames = [GasFrame(gas: gas, budget: gas)]
    }

    /// The dispatcher found the top-level function: its figure is the budget of the calls it makes.
    func setTopBudget(_ figure: UInt64) { frames[0].budget = min(figure, frames[0].gas) }
    /// Gas the top-level call's nested calls used.
    var topChildrenUsed: UInt64 { frames[0].childrenUsed }

    @inline(__always) func sload(_ c: Address, _ slot: UInt256) -> UInt256 {
        state.storage(c, Hash(slot))
    }
    @inline(__always) func sstore(_ c: Address, _ slot: UInt256, _ v: UInt256) {
        state.setStorage(c, Hash(slot), v)
    }
    @inline(__always) func sloadAddress(_ c: Address, _ slot: UInt256) -> Address {
        Address(truncating: sload(c, slot))
    }
    func sloadBool(_ c: Address, _ slot: UInt256) -> Bool { !sload(c, slot).isZero }

    /// Reads a `string` stored at `slot` (raw bytes).
    func sloadString(_ c: Address, _ slot: UInt256) -> [UInt8] {
        let head = sload(c, slot)
        if head.w0 & 1 == 0 {
            let len = Int(head.w0 & 0xff) / 2
            return Array(head.bytes32.prefix(min(len, 31)))
        }
        // long form; lengths are bounded by what sstoreString wrote (< 2^32)
        guard let len2 = head.uint64, len2 < 1 << 33 else { return [] }
        let len = Int((len2 - 1) / 2)
        var out: [UInt8] = []
        out.reserveCapacity(len)
        let start = Slot.data(slot)
        var i = 0
        while out.count < len {
            let w = sload(c, start &+ UInt256(UInt64(i))).bytes32
            out.append(contentsOf: w.prefix(len - out.count))
            i += 1
        }
        return out
    }

    /// Writes a `string` at `slot`, clearing the words of a longer previous value.
    func sstoreString(_ c: Address, _ slot: UInt256, _ s: [UInt8]) {
        let old = sload(c, slot)
        var oldWords = 0
        if old.w0 & 1 == 1, let len2 = old.uint64, len2 < 1 << 33 { oldWords = (Int((len2 - 1) / 2) + 31) / 32 }
        let start = Slot.data(slot)
        if s.count < 32 {
            var word = [UInt8](repeating: 0, count: 32)
            word.replaceSubrange(0..<s.count, with: s)
            word[31] = UInt8(s.count * 2)
            sstore(c, slot, UInt256(bigEndian: word)!)
            for i in 0..<oldWords { sstore(c, start &+ UInt256(UInt64(i)), .zero) }
        } else {
            sstore(c, slot, UInt256(UInt64(s.count * 2 + 1)))
            let words = (s.count + 31) / 32
            for i in 0..<words {
                var word = [UInt8](repeating: 0, count: 32)
                let chunk = s[(i * 32)..<min(s.count, i * 32 + 32)]
                word.replaceSubrange(0..<chunk.count, with: chunk)
                sstore(c, start &+ UInt256(UInt64(i)), UInt256(bigEndian: word)!)
            }
            if oldWords > words { for i in words..<oldWords { sstore(c, start &+ UInt256(UInt64(i)), .zero) } }
        }
    }

    // MARK: events

    func emit(_ c: Address, _ topics: [Hash], _ data: [UInt8] = []) {
        let log = Log(address: c, topics: topics, data: data)
        logs.append(log)
        observer?.emitted(log)
    }

    /// `Transfer(address indexed from, address indexed to, uint256 value)`.
    func emitTransfer(_ token: Address, _ from: Address, _ to: Address, _ value: UInt256) {
        emit(token, [Events.transfer, Hash(from.value), Hash(to.value)], value.bytes32)
    }
    /// `Approval(address indexed owner, address indexed spender, uint256 value)`.
    func emitApproval(_ token: Address, _ owner: Address, _ spender: Address, _ value: UInt256) {
        emit(token, [Events.approval, Hash(owner.value), Hash(spender.value)], value.bytes32)
    }
    /// `OwnershipTransferred(address indexed previousOwner, address indexed newOwner)`.
    func emitOwnershipTransferred(_ c: Address, _ old: Address, _ new: Address) {
        emit(c, [Events.ownershipTransferred, Hash(old.value), Hash(new.value)])
    }

    // MARK: calls between contracts

    func kind(of a: Address) -> ContractKind? { addrs.kind(of: a) }

    /// `I(to).signature(args)` from contract `from`: runs `body` (the callee's Swift code,
    /// handed the callee's kind) as a nested call, reported to the observer with the calldata
    /// and return data Solidity would produce.
    ///
    /// - `to` without code (not one of the contracts): reverts with empty data and no frame,
    ///   as solc's `extcodesize` check does before calling;
    /// - a callee without the function: a frame that reverts with empty data and
    ///   `GasTable.dispatchRevert`, `body` not run;
    /// - past `maxDepth`: fails like an out-of-gas call.
    ///
    /// Gas: the nested frame gets its caller's gas left less 1/64; it uses its callee's
    /// gas-table figure, or on revert `revertGas(figure)` plus what its own nested calls used
    /// (capped at the figure), but never more than what is left of its caller's figure. So a
    /// frame's nested calls together never use more than the frame itself.
    func call<T>(from: Address, to: Address, _ signature: String, _ args: [UInt256] = [], isStatic: Bool = false,
                 returns encode: (T) -> [UInt8], _ body: (ContractKind) throws(Revert) -> T) throws(Revert) -> T {
        guard let callee = self.kind(of: to) else { throw Revert.empty }
        if depth >= Exec.maxDepth { throw Revert.empty }
        let selector = ABI.selector(signature)
        let fn = Dispatcher.abi(callee).function(ABI.selectorValue(of: selector))
        let figure = fn?.gas ?? GasTable.dispatchRevert
        let parent = frames[frames.count - 1]
        let left = parent.gas > parent.childrenUsed ? parent.gas - parent.childrenUsed : 0
        let gas = left - left / 64
        let budget = min(figure, parent.budgetLeft, gas)
        if let observer {
            var input = selector
            for a in args { input.append(contentsOf: a.bytes32) }
            observer.entered(ContractCall(isStatic: isStatic, from: from, to: to, input: input, value: .zero, gas: gas))
        }
        frames.append(GasFrame(gas: gas, budget: budget))
        let result: T
        do throws(Revert) {
            guard fn != nil else { throw Revert.empty }
            result = try body(callee)
        } catch {
            let mine = frames.removeLast()
            let own = fn == nil ? figure : min(figure, GasTable.revertGas(figure) + mine.childrenUsed)
            let used = min(own, budget)
            frames[frames.count - 1].childrenUsed += used
            observer?.exited(success: false, output: error.data, gasUsed: used)
            throw error
        }
        frames.removeLast()
        frames[frames.count - 1].childrenUsed += budget
        if let observer { observer.exited(success: true, output: encode(result), gasUsed: budget) }
        return result
    }

    /// A call to a function returning nothing.
    func call(from: Address, to: Address, _ signature: String, _ args: [UInt256] = [],
              _ body: (ContractKind) throws(Revert) -> Void) throws(Revert) {
        try call(from: from, to: to, signature, args, returns: { (_: Void) in [] }, body)
    }
}

/// Event topics shared by several contracts.
enum Events {
    static let transfer = ABI.eventTopic("Transfer(address,address,uint256)")
    static let approval = ABI.eventTopic("Approval(address,address,uint256)")
    static let ownershipTransferred = ABI.eventTopic("OwnershipTransferred(address,address)")
}

/// OpenZeppelin 4.x `OwnableUpgradeable` at a given `_owner` slot.
struct Ownable {
    let contract: Address
    let ownerSlot: UInt256

    func owner(_ x: Exec) -> Address { x.sloadAddress(contract, ownerSlot) }

    /// `onlyOwner`.
    func check(_ x: Exec, _ sender: Address) throws(Revert) {
        try require(owner(x) == sender, "Ownable: caller is not the owner")
    }

    func renounceOwnership(_ x: Exec, sender: Address) throws(Revert) {
        try check(x, sender)
        set(x, .zero)
    }

    func transferOwnership(_ x: Exec, sender: Address, newOwner: Address) throws(Revert) {
        try check(x, sender)
        try require(!newOwner.isZero, "Ownable: new owner is the zero address")
        set(x, newOwner)
    }

    /// An `onlyOwner` setter of an address in `slot` that logs `event(old, new)` (the
    /// `changeCertToken`-style functions).
    func changeAddress(_ x: Exec, sender: Address, slot: UInt256, event: Hash, to new: Address) throws(Revert) {
        try check(x, sender)
        let old = x.sloadAddress(contract, slot)
        x.sstore(contract, slot, new.value)
        x.emit(contract, [event], old.value.bytes32 + new.value.bytes32)
    }

    func set(_ x: Exec, _ newOwner: Address) {
        let old = owner(x)
        x.sstore(contract, ownerSlot, newOwner.value)
        x.emitOwnershipTransferred(contract, old, newOwner)
    }
}

/// Solidity 0.8 constants.
enum Units {
    static let e18 = UInt256(1_000_000_000_000_000_000 as UInt64)
    static let e16 = UInt256(10_000_000_000_000_000 as UInt64)
}
