import Primitives

extension Machine {
    /// Runs `f` from its program counter until it finishes or asks for a nested message.
    /// Stack height and static gas are checked once per instruction from `Opcode.table`;
    /// each handler charges only its dynamic gas.
    func run(_ f: Frame) -> FrameExit {
        let code = f.code
        let codeCount = code.count
        let st = f.stack
        let msg = f.message
        var pc = f.pc
        var sp = f.sp
        var gas = f.gas
        let table = Opcode.table
        let tracer = self.tracer

        @inline(__always) func save() { f.pc = pc; f.sp = sp; f.gas = gas }
        func halt(_ r: HaltReason) -> FrameExit {
            f.pc = pc; f.sp = sp; f.gas = 0
            tracer?.onFault(frame: f, error: r)
            return .done(.halt(r), [])
        }
        /// Charges memory expansion for a region given as stack words; false = out of gas.
        func chargeMemory(_ off: UInt256, _ len: UInt256) -> (Int, Int)? {
            if len.isZero { return (0, 0) }
            guard let o = off.asInt, let l = len.asInt else { return nil }
            guard let c = f.memory.expansionCost(offset: o, len: l) else { return nil }
            gas -= c
            if gas < 0 { return nil }
            f.memory.expand(offset: o, len: l)
            return (o, l)
        }
        @inline(__always) func words(_ l: Int) -> Int { (l + 31) / 32 }

        return code.withUnsafeBufferPointer { codePtr -> FrameExit in
            while true {
                if pc >= codeCount { save(); return .done(.success, []) }
                let op = codePtr[pc]
                let info = table[Int(op)]
                if let tracer { save(); tracer.onStep(frame: f, op: op, state: state) }
                if info.name == nil || op == 0xfe { return halt(.invalidOpcode(op)) }
                if sp < info.pops { return halt(.stackUnderflow(have: sp, want: info.pops)) }
                if sp + info.growth > Frame.stackLimit { return halt(.stackOverflow(have: sp)) }
                gas -= info.gas
                if gas < 0 { return halt(.outOfGas) }

                switch op {
                case 0x00: save(); return .done(.success, [])
                // MARK: arithmetic
                case 0x01: sp -= 1; st[sp - 1] = st[sp] &+ st[sp - 1]
                case 0x02: sp -= 1; st[sp - 1] = st[sp] &* st[sp - 1]
                case 0x03: sp -= 1; st[sp - 1] = st[sp] &- st[sp - 1]
                case 0x04: sp -= 1; let b = st[sp - 1]; st[sp - 1] = b.isZero ? .zero : st[sp].quotientAndRemainder(dividingBy: b).quotient
                case 0x05: sp -= 1; st[sp - 1] = UInt256.sdiv(st[sp], st[sp - 1])
                case 0x06: sp -= 1; let b = st[sp - 1]; st[sp - 1] = b.isZero ? .zero : st[sp].quotientAndRemainder(dividingBy: b).remainder
                case 0x07: sp -= 1; st[sp - 1] = UInt256.smod(st[sp], st[sp - 1])
                case 0x08: sp -= 2; st[sp - 1] = UInt256.addmod(st[sp + 1], st[sp], st[sp - 1])
                case 0x09: sp -= 2; st[sp - 1] = UInt256.mulmod(st[sp + 1], st[sp], st[sp - 1])
                case 0x0a:
                    sp -= 1
                    let e = st[sp - 1]
                    gas -= Gas.expByte * ((e.bitWidth + 7) / 8)
                    if gas < 0 { return halt(.outOfGas) }
                    st[sp - 1] = UInt256.exp(st[sp], e)
                case 0x0b: sp -= 1; st[sp - 1] = UInt256.signextend(st[sp], st[sp - 1])
                // MARK: comparison and bits
                case 0x10: sp -= 1; st[sp - 1] = st[sp] < st[sp - 1] ? .one : .zero
                case 0x11: sp -= 1; st[sp - 1] = st[sp] > st[sp - 1] ? .one : .zero
                case 0x12: sp -= 1; st[sp - 1] = UInt256.slt(st[sp], st[sp - 1]) ? .one : .zero
                case 0x13: sp -= 1; st[sp - 1] = UInt256.slt(st[sp - 1], st[sp]) ? .one : .zero
                case 0x14: sp -= 1; st[sp - 1] = st[sp] == st[sp - 1] ? .one : .zero
                case 0x15: st[sp - 1] = st[sp - 1].isZero ? .one : .zero
                case 0x16: sp -= 1; st[sp - 1] = st[sp] & st[sp - 1]
                case 0x17: sp -= 1; st[sp - 1] = st[sp] | st[sp - 1]
                case 0x18: sp -= 1; st[sp - 1] = st[sp] ^ st[sp - 1]
                case 0x19: st[sp - 1] = ~st[sp - 1]
                case 0x1a: sp -= 1; st[sp - 1] = UInt256.byte(st[sp], st[sp - 1])
                case 0x1b: sp -= 1; st[sp - 1] = UInt256.shl(st[sp], st[sp - 1])
                case 0x1c: sp -= 1; st[sp - 1] = UInt256.shr(st[sp], st[sp - 1])
                case 0x1d: sp -= 1; st[sp - 1] = UInt256.sar(st[sp], st[sp - 1])
                case 0x1e: st[sp - 1] = st[sp - 1].leadingZeros
                case 0x20:
                    sp -= 1
                    let off = st[sp], len = st[sp - 1]
                    guard let (o, l) = chargeMemory(off, len) else { return halt(.outOfGas) }
                    gas -= Gas.keccakWord * words(l)
                    if gas < 0 { return halt(.outOfGas) }
                    let h = f.memory.withBytes(o, l) { Keccak256.hash($0) }
                    st[sp - 1] = UInt256(bigEndian: h)!
                // MARK: environment
                case 0x30: st[sp] = msg.target.value; sp += 1
                case 0x31:
                    let a = st[sp - 1].address
                    gas -= state.warmAccount(a) ? Gas.coldAccountAccess : Gas.warmAccess
                    if gas < 0 { return halt(.outOfGas) }
                    st[sp - 1] = state.balance(a)
                case 0x32: st[sp] = origin.value; sp += 1
                case 0x33: st[sp] = msg.caller.value; sp += 1
                case 0x34: st[sp] = msg.value; sp += 1
                case 0x35:
                    let off = st[sp - 1]
                    var w = [UInt8](repeating: 0, count: 32)
                    if let o = off.uint64, o < UInt64(msg.input.count) {
                        let start = Int(o)
                        let n = min(32, msg.input.count - start)
                        for i in 0..<n { w[i] = msg.input[start + i] }
                    }
                    st[sp - 1] = UInt256(bigEndian: w)!
                case 0x36: st[sp] = UInt256(UInt64(msg.input.count)); sp += 1
                case 0x37, 0x39, 0x3e:
                    sp -= 3
                    let mo = st[sp + 2], so = st[sp + 1], len = st[sp]
                    if op == 0x3e {
                        // RETURNDATACOPY: reading past the end is an exceptional halt.
                        let (end, ovf) = so.addingReportingOverflow(len)
                        if ovf || end > UInt256(UInt64(f.returnData.count)) { return halt(.returnDataOutOfBounds) }
                    }
                    guard let (o, l) = chargeMemory(mo, len) else { return halt(.outOfGas) }
                    gas -= Gas.copyWord * words(l)
                    if gas < 0 { return halt(.outOfGas) }
                    if l > 0 {
                        let src: [UInt8] = op == 0x37 ? msg.input : (op == 0x39 ? code : f.returnData)
                        let s = so.uint64.map { $0 > UInt64(Int32.max) ? Int(Int32.max) : Int($0) } ?? Int(Int32.max)
                        f.memory.write(o, src, srcOffset: s, len: l)
                    }
                case 0x38: st[sp] = UInt256(UInt64(codeCount)); sp += 1
                case 0x3a: st[sp] = gasPrice; sp += 1
                case 0x3b:
                    let a = st[sp - 1].address
                    gas -= state.warmAccount(a) ? Gas.coldAccountAccess : Gas.warmAccess
                    if gas < 0 { return halt(.outOfGas) }
                    st[sp - 1] = UInt256(UInt64(state.code(a).count))
                case 0x3c:
                    sp -= 4
                    let a = st[sp + 3].address, mo = st[sp + 2], so = st[sp + 1], len = st[sp]
                    gas -= state.warmAccount(a) ? Gas.coldAccountAccess : Gas.warmAccess
                    if gas < 0 { return halt(.outOfGas) }
                    guard let (o, l) = chargeMemory(mo, len) else { return halt(.outOfGas) }
                    gas -= Gas.copyWord * words(l)
                    if gas < 0 { return halt(.outOfGas) }
                    if l > 0 {
                        let s = so.uint64.map { $0 > UInt64(Int32.max) ? Int(Int32.max) : Int($0) } ?? Int(Int32.max)
                        f.memory.write(o, state.code(a), srcOffset: s, len: l)
                    }
                case 0x3d: st[sp] = UInt256(UInt64(f.returnData.count)); sp += 1
                case 0x3f:
                    let a = st[sp - 1].address
                    gas -= state.warmAccount(a) ? Gas.coldAccountAccess : Gas.warmAccess
                    if gas < 0 { return halt(.outOfGas) }
                    st[sp - 1] = state.isDead(a) ? .zero : state.codeHash(a).value
                // MARK: block
                case 0x40:
                    let n = st[sp - 1]
                    var h = UInt256.zero
                    if let nn = n.uint64, nn < block.number, block.number - nn <= 256, let bh = block.blockHash(nn) { h = bh.value }
                    st[sp - 1] = h
                case 0x41: st[sp] = block.coinbase.value; sp += 1
                case 0x42: st[sp] = UInt256(block.timestamp); sp += 1
                case 0x43: st[sp] = UInt256(block.number); sp += 1
                case 0x44: st[sp] = block.prevRandao.value; sp += 1
                case 0x45: st[sp] = UInt256(block.gasLimit); sp += 1
                case 0x46: st[sp] = UInt256(block.chainId); sp += 1
                case 0x47: st[sp] = state.balance(msg.target); sp += 1
                case 0x48: st[sp] = block.baseFee; sp += 1
                case 0x49:
                    let i = st[sp - 1]
                    if let ii = i.uint64, ii < UInt64(blobHashes.count) { st[sp - 1] = blobHashes[Int(ii)].value } else { st[sp - 1] = .zero }
                case 0x4a: st[sp] = block.blobBaseFee; sp += 1
                // MARK: stack, memory, storage, flow
                case 0x50: sp -= 1
                case 0x51:
                    guard let (o, _) = chargeMemory(st[sp - 1], UInt256(32)) else { return halt(.outOfGas) }
                    st[sp - 1] = f.memory.loadWord(o)
                case 0x52:
                    sp -= 2
                    guard let (o, _) = chargeMemory(st[sp + 1], UInt256(32)) else { return halt(.outOfGas) }
                    f.memory.storeWord(o, st[sp])
                case 0x53:
                    sp -= 2
                    guard let (o, _) = chargeMemory(st[sp + 1], .one) else { return halt(.outOfGas) }
                    f.memory.storeByte(o, UInt8(truncatingIfNeeded: st[sp].w0))
                case 0x54:
                    let k = st[sp - 1]
                    gas -= state.warmSlot(msg.target, k) ? Gas.coldSload : Gas.warmAccess
                    if gas < 0 { return halt(.outOfGas) }
                    st[sp - 1] = state.storage(msg.target, k)
                case 0x55:
                    sp -= 2
                    let k = st[sp + 1], v = st[sp]
                    if gas <= Gas.callStipend { return halt(.outOfGas) }
                    let a = msg.target
                    let original = state.originalStorage(a, k)
                    let current = state.storage(a, k)
                    var cost = 0
                    if state.warmSlot(a, k) { cost += Gas.coldSload }
                    if original == current && current != v {
                        cost += original.isZero ? Gas.sstoreSet : Gas.sstoreReset - Gas.coldSload
                    } else {
                        cost += Gas.warmAccess
                    }
                    if current != v {
                        if !original.isZero && !current.isZero && v.isZero { state.addRefund(Int64(Gas.sstoreClearRefund)) }
                        if !original.isZero && current.isZero { state.addRefund(-Int64(Gas.sstoreClearRefund)) }
                        if original == v {
                            if original.isZero { state.addRefund(Int64(Gas.sstoreSet - Gas.warmAccess)) }
                            else { state.addRefund(Int64(Gas.sstoreReset - Gas.coldSload - Gas.warmAccess)) }
                        }
                    }
                    gas -= cost
                    if gas < 0 { return halt(.outOfGas) }
                    if msg.isStatic { return halt(.writeProtection) }
                    state.setStorage(a, k, v)
                case 0x56:
                    sp -= 1
                    guard let d = st[sp].asInt, d < codeCount, f.jumpdests.isValid(d) else { return halt(.invalidJump) }
                    pc = d
                    continue
                case 0x57:
                    sp -= 2
                    if !st[sp].isZero {
                        guard let d = st[sp + 1].asInt, d < codeCount, f.jumpdests.isValid(d) else { return halt(.invalidJump) }
                        pc = d
                        continue
                    }
                case 0x58: st[sp] = UInt256(UInt64(pc)); sp += 1
                case 0x59: st[sp] = UInt256(UInt64(f.memory.size)); sp += 1
                case 0x5a: st[sp] = UInt256(UInt64(gas)); sp += 1
                case 0x5b: break
                case 0x5c: st[sp - 1] = state.transientStorage(msg.target, st[sp - 1])
                case 0x5d:
                    sp -= 2
                    if msg.isStatic { return halt(.writeProtection) }
                    state.setTransientStorage(msg.target, st[sp + 1], st[sp])
                case 0x5e:
                    sp -= 3
                    let dst = st[sp + 2], src = st[sp + 1], len = st[sp]
                    // charge for the larger of the two regions
                    let bigger = src > dst ? src : dst
                    guard let (_, l) = chargeMemory(bigger, len) else { return halt(.outOfGas) }
                    gas -= Gas.copyWord * words(l)
                    if gas < 0 { return halt(.outOfGas) }
                    if l > 0 { f.memory.move(to: dst.asInt!, from: src.asInt!, len: l) }
                case 0x5f: st[sp] = .zero; sp += 1
                case 0x60...0x7f:
                    let n = Int(op) - 0x5f
                    var v = UInt256.zero
                    var i = 1
                    while i <= n {
                        let b: UInt8 = pc + i < codeCount ? codePtr[pc + i] : 0
                        v = v << 8
                        v.w0 |= UInt64(b)
                        i += 1
                    }
                    st[sp] = v; sp += 1
                    pc += n + 1
                    continue
                case 0x80...0x8f:
                    let n = Int(op) - 0x7f
                    st[sp] = st[sp - n]; sp += 1
                case 0x90...0x9f:
                    let n = Int(op) - 0x8f
                    let t = st[sp - 1]; st[sp - 1] = st[sp - 1 - n]; st[sp - 1 - n] = t
                case 0xa0...0xa4:
                    let n = Int(op) - 0xa0
                    sp -= 2 + n
                    let off = st[sp + n + 1], len = st[sp + n]
                    guard let (o, l) = chargeMemory(off, len) else { return halt(.outOfGas) }
                    gas -= Gas.logData * l
                    if gas < 0 { return halt(.outOfGas) }
                    if msg.isStatic { return halt(.writeProtection) }
                    var topics: [Hash] = []
                    topics.reserveCapacity(n)
                    var i = n - 1
                    while i >= 0 { topics.append(Hash(st[sp + i])); i -= 1 }
                    state.addLog(Log(address: msg.target, topics: topics, data: f.memory.read(o, l)))
                // MARK: system
                case 0xf0, 0xf5:
                    let isCreate2 = op == 0xf5
                    sp -= isCreate2 ? 4 : 3
                    let value = st[sp + (isCreate2 ? 3 : 2)], off = st[sp + (isCreate2 ? 2 : 1)], len = st[sp + (isCreate2 ? 1 : 0)]
                    let salt: UInt256? = isCreate2 ? st[sp] : nil
                    guard let (o, l) = chargeMemory(off, len) else { return halt(.outOfGas) }
                    if l > Gas.maxInitCodeSize { return halt(.outOfGas) }
                    gas -= Gas.initCodeWord * words(l) + (isCreate2 ? Gas.keccakWord * words(l) : 0)
                    if gas < 0 { return halt(.outOfGas) }
                    if msg.isStatic { return halt(.writeProtection) }
                    let initCode = f.memory.read(o, l)
                    pc += 1
                    save()
                    return .create(value: value, initCode: initCode, salt: salt)
                case 0xf1, 0xf2, 0xf4, 0xfa:
                    let hasValue = op == 0xf1 || op == 0xf2
                    sp -= hasValue ? 7 : 6
                    let base = sp
                    let reqGas = st[base + (hasValue ? 6 : 5)]
                    let to = st[base + (hasValue ? 5 : 4)].address
                    let value: UInt256 = hasValue ? st[base + 4] : .zero
                    let inOff = st[base + 3], inLen = st[base + 2], outOff = st[base + 1], outLen = st[base]
                    // memory for both regions first (geth and the spec charge the larger end)
                    var memCost = 0
                    var inO = 0, inL = 0, outO = 0, outL = 0
                    if !inLen.isZero {
                        guard let a = inOff.asInt, let b = inLen.asInt else { return halt(.outOfGas) }
                        inO = a; inL = b
                    }
                    if !outLen.isZero {
                        guard let a = outOff.asInt, let b = outLen.asInt else { return halt(.outOfGas) }
                        outO = a; outL = b
                    }
                    let endIn = inL == 0 ? 0 : inO + inL, endOut = outL == 0 ? 0 : outO + outL
                    let maxEnd = max(endIn, endOut)
                    if maxEnd > 0 {
                        guard let c = f.memory.expansionCost(offset: 0, len: maxEnd) else { return halt(.outOfGas) }
                        memCost = c
                    }
                    var extra = state.warmAccount(to) ? Gas.coldAccountAccess : Gas.warmAccess
                    if op == 0xf1 && !value.isZero && state.isDead(to) { extra += Gas.newAccount }
                    if !value.isZero { extra += Gas.callValue }
                    // 63/64: what the callee may get
                    var callGas: Int
                    if gas < extra + memCost {
                        return halt(.outOfGas)
                    } else {
                        let avail = gas - extra - memCost
                        let cap = avail - avail / 64
                        if let r = reqGas.uint64, r < UInt64(cap) { callGas = Int(r) } else { callGas = cap }
                    }
                    gas -= extra + memCost + callGas
                    if gas < 0 { return halt(.outOfGas) }
                    if op == 0xf1 && msg.isStatic && !value.isZero { return halt(.writeProtection) }
                    if maxEnd > 0 { f.memory.expand(offset: 0, len: maxEnd) }
                    if !value.isZero { callGas += Gas.callStipend }
                    let input = f.memory.read(inO, inL)
                    let kind: CallKind = op == 0xf1 ? .call : op == 0xf2 ? .callCode : op == 0xf4 ? .delegateCall : .staticCall
                    let child: Message
                    switch kind {
                    case .call, .staticCall:
                        child = Message(kind: kind, caller: msg.target, target: to, codeAddress: to, value: value,
                                        transfersValue: kind == .call, input: input, gas: callGas,
                                        isStatic: msg.isStatic || kind == .staticCall, depth: msg.depth + 1)
                    case .callCode:
                        child = Message(kind: kind, caller: msg.target, target: msg.target, codeAddress: to, value: value,
                                        transfersValue: true, input: input, gas: callGas, isStatic: msg.isStatic, depth: msg.depth + 1)
                    default:
                        child = Message(kind: kind, caller: msg.caller, target: msg.target, codeAddress: to, value: msg.value,
                                        transfersValue: false, input: input, gas: callGas, isStatic: msg.isStatic, depth: msg.depth + 1)
                    }
                    pc += 1
                    save()
                    return .call(child, retOffset: outO, retSize: outL)
                case 0xf3, 0xfd:
                    sp -= 2
                    guard let (o, l) = chargeMemory(st[sp + 1], st[sp]) else { return halt(.outOfGas) }
                    let out = f.memory.read(o, l)
                    save()
                    return .done(op == 0xf3 ? .success : .revert, out)
                case 0xff:
                    sp -= 1
                    let beneficiary = st[sp].address
                    var cost = 0
                    if state.warmAccount(beneficiary) { cost += Gas.coldAccountAccess }
                    let me = msg.target
                    let bal = state.balance(me)
                    if state.isDead(beneficiary) && !bal.isZero { cost += Gas.selfDestructNewAccount }
                    gas -= cost
                    if gas < 0 { return halt(.outOfGas) }
                    if msg.isStatic { return halt(.writeProtection) }
                    _ = state.transfer(from: me, to: beneficiary, value: bal)
                    if state.wasCreatedInThisTransaction(me) {
                        state.setBalance(me, .zero)
                        state.markDestructed(me)
                    }
                    save()
                    return .done(.success, [])
                default:
                    return halt(.invalidOpcode(op))
                }
                pc += 1
            }
        }
    }
}
