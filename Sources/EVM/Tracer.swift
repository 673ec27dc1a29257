import Primitives

/// Observes execution: every instruction (geth's struct logger) and every message (geth's call
/// tracer). Native contracts and precompiles appear as messages with no steps. Subclasses
/// override what they need; the interpreter calls these only when a tracer is set.
public class ExecutionTracer {
    public init() {}
    /// Before the instruction at `frame.pc` runs.
    func onStep(frame: Frame, op: UInt8, state: EVMState) {}
    /// The instruction just run charged its gas (CALL/CREATE: before the callee starts).
    func onCharged(frame: Frame) {}
    /// The frame halted exceptionally.
    func onFault(frame: Frame, error: HaltReason) {}
    func onEnter(_ message: Message, createdAddress: Address?) {}
    func onExit(status: ExecStatus, output: [UInt8], gasUsed: Int) {}
    func onLog(_ log: Log) {}
    /// The transaction ended: its gas limit, gas used (after refund), status and output.
    func onTransactionEnd(gasLimit: UInt64, gasUsed: UInt64, status: ExecStatus, output: [UInt8]) {}
}

/// geth's default tracer: one entry per instruction with pc, op, gas, gasCost, depth, stack and,
/// when asked, memory and the storage slots the contract touched so far.
public final class StructLogger: ExecutionTracer {
    public struct Step: Sendable {
        public var pc: Int
        public var op: String
        public var gas: UInt64
        public var gasCost: UInt64
        public var depth: Int
        public var refund: UInt64
        public var stack: [UInt256]?
        public var memory: [UInt8]?
        public var storage: [(UInt256, UInt256)]?
        public var error: String?
    }

    public let withStack: Bool
    public let withMemory: Bool
    public let withStorage: Bool
    public private(set) var steps: [Step] = []
    public private(set) var gasUsed: UInt64 = 0
    public private(set) var failed = false
    public private(set) var returnValue: [UInt8] = []
    /// geth's cap on logged steps is the caller's business; this one stops recording past it.
    public let limit: Int

    private var pendingGas: Int?
    private var storageByContract: [Address: [UInt256: UInt256]] = [:]

    public init(withStack: Bool = true, withMemory: Bool = false, withStorage: Bool = true, limit: Int = 1_000_000) {
        self.withStack = withStack; self.withMemory = withMemory; self.withStorage = withStorage; self.limit = limit
    }

    override func onStep(frame: Frame, op: UInt8, state: EVMState) {
        finishPending(frame)
        guard steps.count < limit else { return }
        var s = Step(pc: frame.pc, op: Opcode.name(op), gas: UInt64(max(0, frame.gas)), gasCost: 0, depth: frame.message.depth + 1,
                     refund: UInt64(max(0, state.refund)))
        if withStack { s.stack = (0..<frame.sp).map { frame.stack[$0] } }
        if withMemory { s.memory = frame.memory.read(0, frame.memory.size) }
        if withStorage && (op == 0x54 || op == 0x55) && frame.sp >= (op == 0x54 ? 1 : 2) {
            let a = frame.message.target
            let key = frame.stack[frame.sp - 1]
            let value = op == 0x54 ? state.storage(a, key) : frame.stack[frame.sp - 2]
            storageByContract[a, default: [:]][key] = value
        }
        if withStorage && (op == 0x54 || op == 0x55), let st = storageByContract[frame.message.target] {
            s.storage = st.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        steps.append(s)
        pendingGas = frame.gas
    }

    private func finishPending(_ frame: Frame) {
        guard let g = pendingGas, !steps.isEmpty else { return }
        steps[steps.count - 1].gasCost = UInt64(max(0, g - frame.gas))
        pendingGas = nil
    }

    override func onCharged(frame: Frame) { finishPending(frame) }

    override func onFault(frame: Frame, error: HaltReason) {
        if pendingGas != nil, !steps.isEmpty { steps[steps.count - 1].error = error.message }
        pendingGas = nil
    }

    override func onTransactionEnd(gasLimit: UInt64, gasUsed: UInt64, status: ExecStatus, output: [UInt8]) {
        self.gasUsed = gasUsed
        failed = !status.isSuccess
        returnValue = output
    }
}

/// geth's `callTracer`: the tree of messages with type, from, to, value, gas, gasUsed, input,
/// output, error, revertReason and (when asked) the logs each emitted.
public final class CallTracer: ExecutionTracer {
    public final class Call {
        public var type: String
        public var from: Address
        public var to: Address?
        public var value: UInt256?
        /// The message's value even where geth shows none: a DELEGATECALL's is its caller's
        /// (Parity traces show it), a STATICCALL's zero.
        public var messageValue: UInt256 = .zero
        public var gas: UInt64
        public var gasUsed: UInt64 = 0
        public var input: [UInt8]
        public var output: [UInt8] = []
        public var error: String?
        public var revertReason: String?
        public var calls: [Call] = []
        /// Logs with their position among this call's sub-calls (geth's `position`).
        public var logs: [(log: Log, position: Int)] = []

        init(type: String, from: Address, to: Address?, value: UInt256?, gas: UInt64, input: [UInt8]) {
            self.type = type; self.from = from; self.to = to; self.value = value; self.gas = gas; self.input = input
        }
    }

    public let withLog: Bool
    public let onlyTopCall: Bool
    public private(set) var root: Call?
    private var stack: [Call] = []

    public init(withLog: Bool = false, onlyTopCall: Bool = false) { self.withLog = withLog; self.onlyTopCall = onlyTopCall }

    override func onEnter(_ m: Message, createdAddress: Address?) {
        let to: Address? = m.kind.isCreate ? createdAddress : m.codeAddress
        let from = m.kind == .delegateCall ? m.target : m.caller
        let value: UInt256? = (m.kind == .staticCall || m.kind == .delegateCall) ? nil : m.value
        let c = Call(type: m.kind.traceName, from: from, to: to, value: value, gas: UInt64(max(0, m.gas)),
                     input: m.input)
        c.messageValue = m.value
        if let parent = stack.last {
            if !onlyTopCall { parent.calls.append(c) }
        } else {
            root = c
        }
        stack.append(c)
    }

    override func onExit(status: ExecStatus, output: [UInt8], gasUsed: Int) {
        guard let c = stack.popLast() else { return }
        c.gasUsed = UInt64(max(0, gasUsed))
        c.output = output
        switch status {
        case .success: break
        case .revert:
            c.error = "execution reverted"
            c.revertReason = ABI.decodeRevertReason(output)
        case .halt(let h):
            c.error = h.message
            c.output = []
        }
        if status != .success { dropLogs(c) }
    }

    private func dropLogs(_ c: Call) {
        c.logs = []
        for sub in c.calls { dropLogs(sub) }
    }

    override func onLog(_ log: Log) {
        guard withLog, let c = stack.last else { return }
        c.logs.append((log, c.calls.count))
    }

    /// The top call's own gas and gas used (intrinsic gas and refund left out), before
    /// `onTransactionEnd` replaces them with the transaction's, as geth shows it. Parity-style
    /// traces show these.
    public private(set) var rootFrameGas: (gas: UInt64, gasUsed: UInt64)?

    override func onTransactionEnd(gasLimit: UInt64, gasUsed: UInt64, status: ExecStatus, output: [UInt8]) {
        if let r = root { rootFrameGas = (r.gas, r.gasUsed) }
        root?.gas = gasLimit
        root?.gasUsed = gasUsed
    }
}

/// geth's access-list tracer (`eth_createAccessList`): the storage slots every SLOAD/SSTORE
/// touches, and the accounts BALANCE, EXTCODE*, SELFDESTRUCT and the CALL family name, except
/// the sender, the recipient (or created contract) and the precompiles, which are warm anyway.
/// Slots are listed whoever owns them, the recipient included. Order: first touch (geth's is a
/// map's; clients treat the list as a set).
///
/// Native contracts run no opcodes: a call into one lists its address (the CALL names it), but
/// the slots it reads and writes are not listed, since its gas is a fixed figure that warm
/// slots do not lower.
public final class AccessListTracer: ExecutionTracer {
    private let excluded: Set<Address>
    public private(set) var addresses: [Address] = []
    private var slots: [Address: [UInt256]] = [:]
    private var slotSets: [Address: Set<UInt256>] = [:]

    /// Starts from `list` (its excluded addresses dropped unless they carry slots).
    public init(_ list: [AccessListEntry], from: Address, to: Address) {
        excluded = [from, to]
        super.init()
        for e in list {
            if !excluded.contains(e.address) && !Precompiles.isPrecompile(e.address) { addAddress(e.address) }
            for k in e.storageKeys { addSlot(e.address, k.value) }
        }
    }

    private func addAddress(_ a: Address) {
        if slots[a] == nil { addresses.append(a); slots[a] = []; slotSets[a] = [] }
    }
    private func addSlot(_ a: Address, _ k: UInt256) {
        addAddress(a)
        if slotSets[a]!.insert(k).inserted { slots[a]!.append(k) }
    }
    private func addUnlessExcluded(_ w: UInt256) {
        let a = Address(truncating: w)
        if !excluded.contains(a) && !Precompiles.isPrecompile(a) { addAddress(a) }
    }

    override func onStep(frame: Frame, op: UInt8, state: EVMState) {
        let sp = frame.sp
        switch op {
        case 0x54, 0x55:                                // SLOAD, SSTORE
            if sp >= 1 { addSlot(frame.message.target, frame.stack[sp - 1]) }
        case 0x31, 0x3b, 0x3c, 0x3f, 0xff:              // BALANCE, EXTCODESIZE, EXTCODECOPY, EXTCODEHASH, SELFDESTRUCT
            if sp >= 1 { addUnlessExcluded(frame.stack[sp - 1]) }
        case 0xf1, 0xf2, 0xf4, 0xfa:                    // CALL, CALLCODE, DELEGATECALL, STATICCALL
            if sp >= 5 { addUnlessExcluded(frame.stack[sp - 2]) }
        default: break
        }
    }

    /// The list as a transaction carries it.
    public var accessList: [AccessListEntry] {
        addresses.map { AccessListEntry(address: $0, storageKeys: slots[$0]!.map { Hash($0) }) }
    }

    /// Same accounts and slots, whatever the order (geth's `Equal`).
    public func sameList(as other: AccessListTracer) -> Bool {
        slotSets == other.slotSets
    }
}
