import Primitives

// The seam between the interpreter and everything else. The EVM executes against an
// `EVMState` (a journaled view over a `StateBackend`), in a `BlockContext`, and hands calls
// to addresses whose code is Swift to a `NativeCode` implementation. Nothing in this module
// knows about LevelDB, blocks on disk or the Ankr contracts.

/// One account as the EVM sees it.
public struct EVMAccount: Equatable, Sendable {
    public var nonce: UInt64
    public var balance: UInt256
    /// keccak256 of the code; `EVMAccount.emptyCodeHash` for no code.
    public var codeHash: Hash

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, codeHash: Hash = EVMAccount.emptyCodeHash) {
        self.nonce = nonce; self.balance = balance; self.codeHash = codeHash
    }

    /// keccak256 of the empty byte string.
    public static let emptyCodeHash = Hash(hex: "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")!

    /// EIP-161: no code, nonce 0, balance 0.
    public var isEmpty: Bool { nonce == 0 && balance.isZero && codeHash == EVMAccount.emptyCodeHash }
}

/// Committed state the journal reads through. Implementations: the chain's block overlay,
/// the state-test runner's in-memory pre-state.
public protocol StateBackend: AnyObject {
    /// nil when the account does not exist.
    func account(_ a: Address) -> EVMAccount?
    /// The code with this hash (empty for `emptyCodeHash` or unknown).
    func code(_ codeHash: Hash) -> [UInt8]
    /// One storage word (zero when never written).
    func storage(_ a: Address, _ slot: UInt256) -> UInt256
    /// Whether the account has any non-zero storage (EIP-7610: creating over it collides).
    func hasStorage(_ a: Address) -> Bool
}

extension StateBackend {
    /// Backends that cannot enumerate storage answer no: a creation never collides on storage alone.
    public func hasStorage(_ a: Address) -> Bool { false }
}

/// The block a transaction executes in.
public struct BlockContext: Sendable {
    public var number: UInt64
    public var timestamp: UInt64
    public var coinbase: Address
    public var gasLimit: UInt64
    public var baseFee: UInt256
    /// PREVRANDAO (the header's mixHash).
    public var prevRandao: Hash
    public var chainId: UInt64
    /// EIP-4844 blob base fee (BLOBBASEFEE); 1 when there are no blobs.
    public var blobBaseFee: UInt256
    /// BLOCKHASH for the 256 blocks below `number`; nil where unknown.
    public var blockHash: @Sendable (UInt64) -> Hash?
    /// `anvil_impersonateSignature`: a 65-byte signature (r ‖ s ‖ v) the ecrecover precompile
    /// answers with the given address instead of recovering it.
    public var recoverOverrides: [[UInt8]: Address] = [:]

    public init(number: UInt64, timestamp: UInt64, coinbase: Address, gasLimit: UInt64, baseFee: UInt256,
                prevRandao: Hash = .zero, chainId: UInt64, blobBaseFee: UInt256 = .one,
                blockHash: @escaping @Sendable (UInt64) -> Hash? = { _ in nil }) {
        self.number = number; self.timestamp = timestamp; self.coinbase = coinbase; self.gasLimit = gasLimit
        self.baseFee = baseFee; self.prevRandao = prevRandao; self.chainId = chainId
        self.blobBaseFee = blobBaseFee; self.blockHash = blockHash
    }
}

/// A transaction as the EVM executes it: already decoded, sender recovered.
public struct TxEnv: Sendable {
    public var caller: Address
    /// nil: contract creation.
    public var to: Address?
    public var nonce: UInt64
    public var value: UInt256
    public var data: [UInt8]
    public var gasLimit: UInt64
    /// Fee cap and tip; both equal the gas price for legacy and type-1 transactions.
    public var maxFeePerGas: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var accessList: [AccessListEntry]
    /// EIP-4844 versioned hashes (BLOBHASH); empty for every transaction the node accepts.
    public var blobHashes: [Hash]
    public var maxFeePerBlobGas: UInt256?
    /// The chain id the transaction was signed for; nil for a pre-EIP-155 legacy transaction
    /// and for calls and state tests (no chain id to check). Validation refuses any other than
    /// the block's.
    public var chainId: UInt64?

    public init(caller: Address, to: Address?, nonce: UInt64, value: UInt256, data: [UInt8], gasLimit: UInt64,
                maxFeePerGas: UInt256, maxPriorityFeePerGas: UInt256, accessList: [AccessListEntry] = [],
                blobHashes: [Hash] = [], maxFeePerBlobGas: UInt256? = nil, chainId: UInt64? = nil) {
        self.caller = caller; self.to = to; self.nonce = nonce; self.value = value; self.data = data
        self.gasLimit = gasLimit; self.maxFeePerGas = maxFeePerGas; self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.accessList = accessList; self.blobHashes = blobHashes; self.maxFeePerBlobGas = maxFeePerBlobGas
        self.chainId = chainId
    }

    /// A decoded transaction from `sender` (recovered from its signature, or impersonated).
    public init(_ tx: Transaction, sender: Address) {
        self.init(caller: sender, to: tx.to, nonce: tx.nonce, value: tx.value, data: tx.data, gasLimit: tx.gasLimit,
                  maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas, accessList: tx.accessList,
                  chainId: tx.chainId)
    }
}

/// A message call handed to native (Swift) code.
public struct NativeCall: Sendable {
    /// msg.sender
    public var caller: Address
    /// The native contract's address.
    public var address: Address
    /// msg.value, already moved to `address` by the EVM.
    public var value: UInt256
    public var input: [UInt8]
    /// Gas available to the call.
    public var gas: UInt64
    /// STATICCALL (or inside one): any state change must fail the call.
    public var isStatic: Bool
    public var depth: Int
    public var origin: Address
}

/// What a native call did.
public struct NativeOutcome: Sendable {
    public enum Status: Sendable, Equatable { case success, revert, outOfGas, writeProtection }
    public var status: Status
    public var output: [UInt8]
    public var gasUsed: UInt64
    public init(status: Status, output: [UInt8], gasUsed: UInt64) {
        self.status = status; self.output = output; self.gasUsed = gasUsed
    }
}

/// What native code can ask of the EVM while it runs: a message to another account whose code
/// then runs (Solidity's `payable(to).send(v)` into a contract's `receive`).
public protocol NativeHost: AnyObject {
    /// Runs a message from `from` (the native contract) to `to` with `gas` through the EVM, one
    /// level deeper; reverted on failure. `gasUsed` is what the callee consumed.
    func call(from: Address, to: Address, value: UInt256, input: [UInt8], gas: UInt64)
        -> (success: Bool, output: [UInt8], gasUsed: UInt64)

    /// Native code calls other native code (one Swift contract calling another): a frame one
    /// level deeper, for the tracer. Messages sent from inside it go one level deeper still.
    func nativeFrameEntered(from: Address, to: Address, input: [UInt8], value: UInt256, gas: UInt64, isStatic: Bool)
    /// The innermost native frame entered ended: its output (revert data when it reverted) and gas used.
    func nativeFrameExited(success: Bool, output: [UInt8], gasUsed: UInt64)
}

extension NativeHost {
    public func nativeFrameEntered(from: Address, to: Address, input: [UInt8], value: UInt256, gas: UInt64, isStatic: Bool) {}
    public func nativeFrameExited(success: Bool, output: [UInt8], gasUsed: UInt64) {}
}

/// Accounts whose code is Swift. The EVM asks `isNative` before loading code; a call into one
/// runs `call` against the same journaled state, so an outer revert undoes its effects.
public protocol NativeCode: AnyObject {
    func isNative(_ a: Address) -> Bool
    /// Logs go to `state.addLog`; writes through `state`. The EVM snapshots before the call
    /// and reverts on any status but `.success`.
    func call(_ call: NativeCall, state: EVMState, block: BlockContext, host: NativeHost) -> NativeOutcome
}
