import Primitives

/// Valid JUMPDEST positions of one code, as a bitmap (PUSH data excluded).
final class JumpDests: Sendable {  // immutable after init; shared between frames of one thread
    let bits: [UInt64]
    init(_ code: [UInt8]) {
        var b = [UInt64](repeating: 0, count: code.count / 64 + 1)
        var i = 0
        let n = code.count
        while i < n {
            let op = code[i]
            if op == 0x5b { b[i >> 6] |= 1 << UInt64(i & 63) }
            else if op >= 0x60 && op <= 0x7f { i += Int(op) - 0x5f }
            i += 1
        }
        bits = b
    }
    @inline(__always) func isValid(_ pc: Int) -> Bool { (bits[pc >> 6] >> UInt64(pc & 63)) & 1 == 1 }
}

/// What kind of message a frame runs.
enum CallKind: Sendable, Equatable {
    case call, callCode, delegateCall, staticCall, create, create2

    var traceName: String {
        switch self {
        case .call: return "CALL"
        case .callCode: return "CALLCODE"
        case .delegateCall: return "DELEGATECALL"
        case .staticCall: return "STATICCALL"
        case .create: return "CREATE"
        case .create2: return "CREATE2"
        }
    }
    var isCreate: Bool { self == .create || self == .create2 }
}

/// A message: the input of one frame (Yellow Paper's Θ/Λ parameters).
struct Message {
    var kind: CallKind
    var caller: Address
    /// Whose storage and balance the code runs with (the new contract for a creation).
    var target: Address
    /// Whose code runs.
    var codeAddress: Address
    var value: UInt256
    /// CALL/CALLCODE and creations move `value`; DELEGATECALL only reports it.
    var transfersValue: Bool
    var input: [UInt8]
    var gas: Int
    var isStatic: Bool
    var depth: Int
}

/// One running frame: its message, code, stack, memory, gas and program counter.
final class Frame {
    let message: Message
    let code: [UInt8]
    let jumpdests: JumpDests
    let stack: UnsafeMutablePointer<UInt256>
    var sp = 0
    var pc = 0
    var gas: Int
    var memory = Memory()
    var returnData: [UInt8] = []
    /// Journal position at entry; a failed frame reverts to it.
    let snapshot: EVMState.Snapshot
    /// Where a pending CALL writes its output in this frame's memory.
    var pendingRetOffset = 0
    var pendingRetSize = 0

    static let stackLimit = 1024

    init(message: Message, code: [UInt8], jumpdests: JumpDests, snapshot: EVMState.Snapshot) {
        self.message = message
        self.code = code
        self.jumpdests = jumpdests
        self.gas = message.gas
        self.snapshot = snapshot
        stack = UnsafeMutablePointer<UInt256>.allocate(capacity: Frame.stackLimit)
    }
    deinit { stack.deallocate() }

    @inline(__always) func push(_ v: UInt256) { stack[sp] = v; sp += 1 }
}

/// How a frame's run ended or paused.
enum FrameExit {
    /// The frame finished; gas left is in `frame.gas` (zero after a halt).
    case done(ExecStatus, [UInt8])
    /// The frame asks for a nested message; it resumes when that ends.
    case call(Message, retOffset: Int, retSize: Int)
    case create(value: UInt256, initCode: [UInt8], salt: UInt256?)
}
