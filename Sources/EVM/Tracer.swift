import Primitives

/// Observes execution: every instruction (geth's struct logger) and every message (the call
/// tracer). Native contracts appear as messages with no steps.
protocol Tracer: AnyObject {
    /// Before the instruction at `frame.pc` runs; `gasCost` is its static part.
    func onStep(frame: Frame, op: UInt8, gasCost: Int, depth: Int)
    /// The frame halted exceptionally at `frame.pc`.
    func onFault(frame: Frame, error: HaltReason)
    func onEnter(_ message: Message, createdAddress: Address?)
    func onExit(status: ExecStatus, output: [UInt8], gasUsed: Int)
}
