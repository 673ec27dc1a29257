import Primitives
import Contracts
import EVM

// The Chain's side of the EVM seam: the block overlay as the EVM's state backend, the EVM's
// journal as the native contracts' world state, and the five native contracts as accounts
// whose code is Swift.

/// A `StateOverlay` as the EVM reads it. Empty accounts are not stored, so they read as absent.
final class OverlayBackend: StateBackend {
    let overlay: StateOverlay
    init(_ overlay: StateOverlay) { self.overlay = overlay }

    func account(_ a: Address) -> EVMAccount? {
        let acct = overlay.account(a)
        if acct.isEmpty { return nil }
        return EVMAccount(nonce: acct.nonce, balance: acct.balance, codeHash: acct.codeHash)
    }
    func code(_ h: Hash) -> [UInt8] { overlay.code(hash: h) }
    func storage(_ a: Address, _ slot: UInt256) -> UInt256 { overlay.storage(a, Hash(slot)) }
}

extension StateOverlay {
    /// Writes one transaction's changes. A deleted account (self-destructed in the transaction
    /// that created it, or touched and empty) becomes empty, which the store does not keep;
    /// the storage such an account wrote is not in `changes`.
    func apply(_ changes: StateChanges) {
        for (a, acct) in changes.accounts {
            guard let acct else { setAccount(.empty, of: a); continue }
            if let code = changes.codes[acct.codeHash], account(a).codeHash != acct.codeHash { setCode(code, of: a) }
            setAccount(Account(nonce: acct.nonce, balance: acct.balance, codeHash: acct.codeHash), of: a)
        }
        for (a, slots) in changes.storage {
            for (k, v) in slots { setStorage(a, Hash(k), v) }
        }
    }
}

/// The EVM's journal as the world state the native contracts read and write. Under a static
/// call any write is recorded, and the call fails as an EVM write in a static context does.
final class JournalWorld: WorldState {
    let state: EVMState
    let isStatic: Bool
    let host: NativeHost
    private(set) var wroteInStaticContext = false
    func noteStaticWrite() { wroteInStaticContext = true }

    init(_ state: EVMState, isStatic: Bool, host: NativeHost) { self.state = state; self.isStatic = isStatic; self.host = host }

    /// A receiver with code (or a precompile) runs through the EVM; a plain account is credited directly.
    func send(from: Address, to: Address, value: UInt256, gas: UInt64) -> Bool? {
        if isStatic { wroteInStaticContext = true; return false }
        // A precompile runs too: ecrecover's 3 000 gas does not fit in the stipend, so `send` fails.
        if state.code(to).isEmpty && !Precompiles.isPrecompile(to) { return nil }
        return host.call(from: from, to: to, value: value, input: [], gas: gas).success
    }

    func balance(of a: Address) -> UInt256 { state.balance(a) }
    func setBalance(_ v: UInt256, of a: Address) {
        if isStatic { wroteInStaticContext = true; return }
        state.setBalance(a, v)
    }
    func storage(_ c: Address, _ slot: Hash) -> UInt256 { state.storage(c, slot.value) }
    func setStorage(_ c: Address, _ slot: Hash, _ v: UInt256) {
        if isStatic { wroteInStaticContext = true; return }
        state.setStorage(c, slot.value, v)
    }
}

/// MATIC, PolygonPool, aMATICb, aMATICc and ANKR as EVM accounts whose code is Swift.
final class NativeBridge: NativeCode, Sendable {
    let contracts: NativeContracts
    init(_ contracts: NativeContracts) { self.contracts = contracts }

    func isNative(_ a: Address) -> Bool { contracts.isContract(a) }

    func call(_ c: NativeCall, state: EVMState, block: BlockContext, host: NativeHost) -> NativeOutcome {
        let world = JournalWorld(state, isStatic: c.isStatic, host: host)
        let ctx = CallContext(caller: c.caller, origin: c.origin, value: c.value, blockNumber: block.number,
                              timestamp: block.timestamp, chainId: block.chainId, coinbase: block.coinbase)
        // Events go into the journal as they are emitted (the EVM drops them if the call fails),
        // so a call tracer sees each in the frame that emitted it.
        let observer = NativeFrames(state: state, world: world, host: host)
        let r = contracts.call(to: c.address, calldata: c.input, context: ctx, state: world, gas: c.gas, observer: observer)
        if r.gasUsed > c.gas { return NativeOutcome(status: .outOfGas, output: [], gasUsed: c.gas) }
        if world.wroteInStaticContext { return NativeOutcome(status: .writeProtection, output: [], gasUsed: c.gas) }
        guard r.success else { return NativeOutcome(status: .revert, output: r.output, gasUsed: r.gasUsed) }
        return NativeOutcome(status: .success, output: r.output, gasUsed: r.gasUsed)
    }
}

/// The calls between native contracts as EVM frames: each becomes a message with no steps
/// for the EVM's tracer, one level deeper than its caller; events go to the journal.
final class NativeFrames: CallObserver {
    let state: EVMState
    let world: JournalWorld
    let host: NativeHost

    init(state: EVMState, world: JournalWorld, host: NativeHost) { self.state = state; self.world = world; self.host = host }

    func entered(_ c: ContractCall) {
        host.nativeFrameEntered(from: c.from, to: c.to, input: c.input, value: c.value, gas: c.gas, isStatic: c.isStatic)
    }
    func exited(success: Bool, output: [UInt8], gasUsed: UInt64) {
        host.nativeFrameExited(success: success, output: output, gasUsed: gasUsed)
    }
    func emitted(_ log: Log) {
        // LOG in a static context fails the call as any write does
        if world.isStatic { world.noteStaticWrite(); return }
        state.addLog(log)
    }
}
