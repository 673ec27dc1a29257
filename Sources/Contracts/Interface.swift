import Primitives

/// The state the emulated contracts read and write. The chain hands in a journaled view;
/// writes made during a call that reverts are discarded by the chain, so contract code
/// may write as it goes, like Solidity does.
public protocol WorldState: AnyObject {
    /// ETH balance (wei) of an account.
    func balance(of account: Address) -> UInt256
    func setBalance(_ value: UInt256, of account: Address)
    /// One 32-byte storage word of `contract` (zero when never written).
    func storage(_ contract: Address, _ slot: Hash) -> UInt256
    func setStorage(_ contract: Address, _ slot: Hash, _ value: UInt256)
    /// Solidity's `payable(to).send(value)` from `from` with `gas` (the 2 300 stipend): when `to`
    /// has EVM code it runs (its `receive`), and a failure undoes it and answers false. nil: this
    /// state has no EVM, and the caller moves the balance itself.
    func send(from: Address, to: Address, value: UInt256, gas: UInt64) -> Bool?
}

extension WorldState {
    public func send(from: Address, to: Address, value: UInt256, gas: UInt64) -> Bool? { nil }
}

/// What a call sees of its environment (`msg.*`, `block.*`).
public struct CallContext: Sendable {
    public var caller: Address          // msg.sender
    public var origin: Address          // tx.origin
    public var value: UInt256           // msg.value (wei), already moved to the callee by the chain
    public var blockNumber: UInt64
    public var timestamp: UInt64
    public var chainId: UInt64
    public var coinbase: Address

    public init(caller: Address, origin: Address, value: UInt256, blockNumber: UInt64,
                timestamp: UInt64, chainId: UInt64, coinbase: Address = .zero) {
        self.caller = caller; self.origin = origin; self.value = value
        self.blockNumber = blockNumber; self.timestamp = timestamp; self.chainId = chainId
        self.coinbase = coinbase
    }
}

/// The outcome of one call into an emulated contract.
public struct CallResult: Sendable {
    /// false: the call reverted; `output` is then the revert data (`0x08c379a0…` for
    /// `Error(string)`, empty when Solidity gives no reason) and the chain drops every
    /// write the call made (its ETH value transfer included).
    public var success: Bool
    public var output: [UInt8]
    /// Events in emission order (empty on revert).
    public var logs: [Log]
    /// Execution gas on top of intrinsic gas, from the gas table.
    public var gasUsed: UInt64

    public init(success: Bool, output: [UInt8], logs: [Log], gasUsed: UInt64) {
        self.success = success; self.output = output; self.logs = logs; self.gasUsed = gasUsed
    }
}

/// A call one emulated contract makes to another, as Solidity would make it: `STATICCALL` for
/// a `view` function of the callee's interface, `CALL` otherwise, with the calldata ABI-encoded.
public struct ContractCall: Sendable {
    public var isStatic: Bool
    /// The calling contract (msg.sender of the callee).
    public var from: Address
    public var to: Address
    public var input: [UInt8]
    /// Always zero: none of the contracts sends ETH with a call to another.
    public var value: UInt256
    /// Gas given: the caller's gas left minus 1/64 (EIP-150), as a Solidity call gives.
    public var gas: UInt64
}

/// Told of every call between the emulated contracts while a call runs, and of every event
/// where it is emitted, so a tracer can show the nested frames (the chain adapts it to the EVM's
/// call tracer). `exited` follows each `entered`, innermost first; `gasUsed` is the callee's
/// share of its caller's gas-table figure (README, "Tracing").
public protocol CallObserver: AnyObject {
    func entered(_ call: ContractCall)
    func exited(success: Bool, output: [UInt8], gasUsed: UInt64)
    /// An event, in the frame that emitted it; the observer owns putting it in the state's log.
    func emitted(_ log: Log)
}
