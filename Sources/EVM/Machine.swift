import Primitives

/// Executes one transaction's messages: frames run on an explicit stack (no native recursion,
/// so 1024 nested calls need no thread stack), precompiles and native contracts answer
/// immediately, and every frame's effects are journaled in `state`.
final class Machine: NativeHost {
    let state: EVMState
    let block: BlockContext
    let origin: Address
    let gasPrice: UInt256
    let blobHashes: [Hash]
    let natives: NativeCode?
    var tracer: ExecutionTracer?
    private var jumpdestCache: [Hash: JumpDests]

    init(state: EVMState, block: BlockContext, origin: Address, gasPrice: UInt256, blobHashes: [Hash],
         natives: NativeCode?, jumpdestCache: [Hash: JumpDests] = [:]) {
        self.state = state; self.block = block; self.origin = origin; self.gasPrice = gasPrice
        self.blobHashes = blobHashes; self.natives = natives; self.jumpdestCache = jumpdestCache
    }

    static let maxDepth = 1024
    /// Depth of the native call running now (messages it sends go one deeper).
    private var nativeDepth = 0
    /// Whether each nested native frame running runs in a static context.
    private var nativeStatic: [Bool] = []

    /// `NativeHost`: a message sent by native code, run to completion on its own frame stack.
    func call(from: Address, to: Address, value: UInt256, input: [UInt8], gas: UInt64)
        -> (success: Bool, output: [UInt8], gasUsed: UInt64) {
        let depth = nativeDepth + 1
        if depth > Machine.maxDepth || state.balance(from) < value { return (false, [], 0) }
        let m = Message(kind: .call, caller: from, target: to, codeAddress: to, value: value, transfersValue: true,
                        input: input, gas: Int(gas), isStatic: false, depth: depth)
        let o = execute(m)
        return (o.status.isSuccess, o.output, gas - UInt64(max(0, o.gasLeft)))
    }

    /// `NativeHost`: a call between native contracts, shown to the tracer as a message with no steps.
    func nativeFrameEntered(from: Address, to: Address, input: [UInt8], value: UInt256, gas: UInt64, isStatic: Bool) {
        nativeDepth += 1
        nativeStatic.append(isStatic || (nativeStatic.last ?? false))
        guard let tracer else { return }
        let m = Message(kind: isStatic ? .staticCall : .call, caller: from, target: to, codeAddress: to, value: value,
                        transfersValue: false, input: input, gas: Int(clamping: gas), isStatic: nativeStatic.last!,
                        depth: nativeDepth)
        tracer.onEnter(m, createdAddress: nil)
    }

    func nativeFrameExited(success: Bool, output: [UInt8], gasUsed: UInt64) {
        nativeDepth -= 1
        nativeStatic.removeLast()
        tracer?.onExit(status: success ? .success : .revert, output: output, gasUsed: Int(clamping: gasUsed))
    }

    /// The outcome of one message: status, output, gas left, and the created address.
    struct Outcome {
        var status: ExecStatus
        var output: [UInt8]
        var gasLeft: Int
        var created: Address?
    }

    private enum Start {
        case frame(Frame)
        case done(Outcome)
    }

    // MARK: messages

    /// Runs `root` and every message it causes to completion.
    func execute(_ root: Message) -> Outcome {
        var frames: [Frame] = []
        var pending: Outcome
        switch begin(root) {
        case .done(let o): return o
        case .frame(let f): frames.append(f)
        }
        while true {
            let f = frames[frames.count - 1]
            switch run(f) {
            case .call(let m, let retOffset, let retSize):
                tracer?.onCharged(frame: f)
                f.pendingRetOffset = retOffset
                f.pendingRetSize = retSize
                f.returnData = []
                if m.depth > Machine.maxDepth || (m.transfersValue && m.kind != .callCode && state.balance(m.caller) < m.value)
                    || (m.kind == .callCode && state.balance(m.caller) < m.value) {
                    f.gas += m.gas
                    f.push(.zero)
                    continue
                }
                switch begin(m) {
                case .frame(let child): frames.append(child); continue
                case .done(let o): resumeAfterCall(f, o)
                }
                continue
            case .create(let value, let initCode, let salt):
                let me = f.message.target
                let nonce = state.nonce(me)
                let addr = salt.map { create2Address(me, $0, initCode) } ?? Machine.createAddress(me, nonce)
                _ = state.warmAccount(addr)
                let childGas = f.gas - f.gas / 64
                f.gas -= childGas
                tracer?.onCharged(frame: f)
                f.returnData = []
                if state.balance(me) < value || nonce == UInt64.max || f.message.depth + 1 > Machine.maxDepth {
                    f.gas += childGas
                    f.push(.zero)
                    continue
                }
                if hasCodeOrNonce(addr) {
                    state.setNonce(me, nonce + 1)
                    f.push(.zero)
                    continue
                }
                state.setNonce(me, nonce + 1)
                let m = Message(kind: salt == nil ? .create : .create2, caller: me, target: addr, codeAddress: addr, value: value,
                                transfersValue: true, input: initCode, gas: childGas, isStatic: false, depth: f.message.depth + 1)
                switch begin(m) {
                case .frame(let child): frames.append(child)
                case .done(let o): resumeAfterCreate(f, o)
                }
                continue
            case .done(let status, let output):
                tracer?.onCharged(frame: f)
                pending = finish(f, status, output)
                frames.removeLast()
                guard let parent = frames.last else { return pending }
                if f.message.kind.isCreate { resumeAfterCreate(parent, pending) } else { resumeAfterCall(parent, pending) }
            }
        }
    }

    private func resumeAfterCall(_ parent: Frame, _ o: Outcome) {
        parent.gas += o.gasLeft
        parent.returnData = o.output
        parent.push(o.status.isSuccess ? .one : .zero)
        let n = min(parent.pendingRetSize, o.output.count)
        if n > 0 { parent.memory.write(parent.pendingRetOffset, o.output, srcOffset: 0, len: n) }
    }

    private func resumeAfterCreate(_ parent: Frame, _ o: Outcome) {
        parent.gas += o.gasLeft
        if o.status.isSuccess, let a = o.created {
            parent.returnData = []
            parent.push(a.value)
        } else {
            parent.returnData = o.status == .revert ? o.output : []
            parent.push(.zero)
        }
    }

    /// Sets up a message: journal snapshot, value transfer, account creation; answers
    /// precompiles, native contracts and code-less accounts at once.
    private func begin(_ m: Message) -> Start {
        let snap = state.snapshot()
        tracer?.onEnter(m, createdAddress: m.kind.isCreate ? m.target : nil)
        if m.kind.isCreate {
            state.createAccount(m.target)
            if !m.value.isZero { _ = state.transfer(from: m.caller, to: m.target, value: m.value) }
            // The init code runs as code; a creation has no call data.
            var frameMessage = m
            frameMessage.input = []
            let f = Frame(message: frameMessage, code: m.input, jumpdests: JumpDests(m.input), snapshot: snap)
            return .frame(f)
        }
        if m.transfersValue {
            _ = state.transfer(from: m.caller, to: m.target, value: m.value)
        } else {
            state.touch(m.target)
        }
        if Precompiles.isPrecompile(m.codeAddress) {
            let r = Precompiles.run(m.codeAddress, input: m.input, gas: UInt64(m.gas), recoverOverrides: block.recoverOverrides)
            let o: Outcome
            if r.success {
                o = Outcome(status: .success, output: r.output, gasLeft: m.gas - Int(r.gasUsed), created: nil)
            } else {
                state.revert(to: snap)
                o = Outcome(status: .halt(r.error == "out of gas" ? .outOfGas : .precompile(r.error ?? "precompile failed")),
                            output: [], gasLeft: 0, created: nil)
            }
            tracer?.onExit(status: o.status, output: o.output, gasUsed: m.gas - o.gasLeft)
            return .done(o)
        }
        if let natives, natives.isNative(m.codeAddress) {
            let o = runNative(m, natives, snap)
            tracer?.onExit(status: o.status, output: o.output, gasUsed: m.gas - o.gasLeft)
            return .done(o)
        }
        let acct = state.account(m.codeAddress)
        guard let acct, acct.codeHash != EVMAccount.emptyCodeHash else {
            let o = Outcome(status: .success, output: [], gasLeft: m.gas, created: nil)
            tracer?.onExit(status: o.status, output: [], gasUsed: 0)
            return .done(o)
        }
        let code = state.code(hash: acct.codeHash)
        let jd: JumpDests
        if let c = jumpdestCache[acct.codeHash] { jd = c } else { jd = JumpDests(code); jumpdestCache[acct.codeHash] = jd }
        return .frame(Frame(message: m, code: code, jumpdests: jd, snapshot: snap))
    }

    private func runNative(_ m: Message, _ natives: NativeCode, _ snap: EVMState.Snapshot) -> Outcome {
        if m.kind == .delegateCall || m.kind == .callCode {
            // Swift code has no bytecode to borrow: documented as failing with empty revert data.
            state.revert(to: snap)
            return Outcome(status: .revert, output: [], gasLeft: m.gas, created: nil)
        }
        let call = NativeCall(caller: m.caller, address: m.target, value: m.value, input: m.input, gas: UInt64(m.gas),
                              isStatic: m.isStatic, depth: m.depth, origin: origin)
        let outerDepth = nativeDepth
        nativeDepth = m.depth
        defer { nativeDepth = outerDepth }
        let r = natives.call(call, state: state, block: block, host: self)
        switch r.status {
        case .success:
            return Outcome(status: .success, output: r.output, gasLeft: m.gas - Int(min(r.gasUsed, UInt64(m.gas))), created: nil)
        case .revert:
            state.revert(to: snap)
            return Outcome(status: .revert, output: r.output, gasLeft: m.gas - Int(min(r.gasUsed, UInt64(m.gas))), created: nil)
        case .outOfGas:
            state.revert(to: snap)
            return Outcome(status: .halt(.outOfGas), output: [], gasLeft: 0, created: nil)
        case .writeProtection:
            state.revert(to: snap)
            return Outcome(status: .halt(.writeProtection), output: [], gasLeft: 0, created: nil)
        }
    }

    /// Ends a frame: code deposit for creations, journal revert on failure.
    private func finish(_ f: Frame, _ status: ExecStatus, _ output: [UInt8]) -> Outcome {
        let m = f.message
        var status = status
        var output = output
        var gasLeft = status == .success || status == .revert ? f.gas : 0
        if m.kind.isCreate && status == .success {
            let cost = Gas.codeDeposit * output.count
            if output.count > Gas.maxCodeSize {
                status = .halt(.maxCodeSizeExceeded)
            } else if output.first == 0xEF {
                status = .halt(.invalidCodePrefix)
            } else if gasLeft < cost {
                status = .halt(.codeStoreOutOfGas)
            } else {
                gasLeft -= cost
                state.setCode(m.target, output)
            }
            if status != .success { gasLeft = 0; output = [] }
        }
        if status != .success { state.revert(to: f.snapshot) }
        tracer?.onExit(status: status, output: output, gasUsed: m.gas - gasLeft)
        if m.kind.isCreate {
            // Success: the deployed code (what eth_call of a creation returns); revert: its data.
            return Outcome(status: status, output: output, gasLeft: gasLeft, created: status == .success ? m.target : nil)
        }
        return Outcome(status: status, output: output, gasLeft: gasLeft, created: nil)
    }

    // MARK: addresses

    func hasCodeOrNonce(_ a: Address) -> Bool {
        if let acct = state.account(a), acct.nonce != 0 || acct.codeHash != EVMAccount.emptyCodeHash { return true }
        return state.hasStorage(a)
    }

    /// The CREATE address of `sender` at `nonce`: keccak256(rlp([sender, nonce]))[12:].
    static func createAddress(_ sender: Address, _ nonce: UInt64) -> Address {
        var w = RLPWriter(capacity: 32)
        w.list { $0.write(sender); $0.write(nonce) }
        return Address(bytes: Keccak256.hash(w.bytes)[12...])!
    }

    func create2Address(_ sender: Address, _ salt: UInt256, _ initCode: [UInt8]) -> Address {
        var buf: [UInt8] = [0xff]
        buf.append(contentsOf: sender.bytes)
        buf.append(contentsOf: salt.bytes32)
        buf.append(contentsOf: Keccak256.hash(initCode))
        return Address(bytes: Keccak256.hash(buf)[12...])!
    }

    var jumpdests: [Hash: JumpDests] { jumpdestCache }
}
