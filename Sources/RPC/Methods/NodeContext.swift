import Foundation
import Primitives
import EthCrypto
import Chain
import Contracts

/// What every method implementation needs: the chain actor for mutations, its reader for
/// committed data, and the keys the node signs with.
public final class NodeContext: Sendable {
    public let chain: Chain
    public let reader: ChainReader
    public let config: ChainConfig
    /// Dev accounts first (in `eth_accounts` order), then the operator's keys.
    public let keys: [Address: SigningKey]
    public let clientVersion: String
    public let limits: Limits
    /// The console's logging switch (`anvil_setLoggingEnabled`).
    public let logging: LoggingSwitch

    public struct Limits: Sendable {
        public var maxLogBlockRange: UInt64 = 100_000
        public var maxLogResults = 10_000
        public var maxMineBlocks: UInt64 = 10_000_000
        public var maxFeeHistory: UInt64 = 1024
        public var maxFilters = 10_000
        public var maxSubscriptionsPerConnection = 1_000
        public init() {}
    }

    public init(chain: Chain, clientVersion: String, limits: Limits = Limits(), logging: LoggingSwitch = LoggingSwitch()) {
        self.logging = logging
        self.chain = chain
        self.reader = chain.reader
        self.config = chain.config
        var keys: [Address: SigningKey] = [:]
        for k in chain.config.devKeys + chain.config.extraKeys { keys[k.address] = k }
        self.keys = keys
        self.clientVersion = clientVersion
        self.limits = limits
    }

    public var devAddresses: [Address] { config.devKeys.map(\.address) }

    // MARK: block resolution

    /// The block a tag names; `pending` is the head (the next block is not built ahead).
    func resolve(_ tag: BlockTag) throws(RPCError) -> Block {
        switch tag {
        case .latest, .pending, .safe, .finalized: return reader.head
        case .earliest: return try blockOrError(0)
        case .number(let n): return try blockOrError(n)
        case .hash(let h, _):
            guard let b = reader.block(hash: h) else { throw RPCError.server("header for hash \(h.hex) not found") }
            return b
        }
    }

    private func blockOrError(_ n: UInt64) throws(RPCError) -> Block {
        guard let b = reader.block(number: n) else {
            throw RPCError.server("header not found: block \(n) is above the current head \(reader.headNumber)")
        }
        return b
    }

    /// For the wallet-facing reads (balance, nonce): a block number above the head reads the
    /// head. A wallet keeps asking at the last block it saw after `anvil_reset` or a restart
    /// of an ephemeral node, and MetaMask cannot send until it gets an answer.
    func resolveForWallet(_ tag: BlockTag) throws(RPCError) -> Block {
        if case .number(let n) = tag, n > reader.headNumber { return reader.head }
        return try resolve(tag)
    }

    /// Reads the state at `block` consistently: never across a concurrent `evm_revert`; a block
    /// the revert removed answers "not found", as if the request had come a moment later.
    func read<T>(_ block: Block, _ body: (StateAtBlock) throws -> T) throws -> T {
        do { return try reader.read(at: block, body) } catch ChainReader.ReadError.blockRemoved(let b) {
            throw RPCError.server("header not found: block \(b.number) (\(b.hash.hex)) was removed by a revert")
        }
    }

    /// Like `resolve`, but a number above the head or an unknown hash gives nil (for
    /// methods that answer null, such as eth_getBlockByNumber).
    func resolveOptional(_ tag: BlockTag) -> Block? {
        switch tag {
        case .number(let n): return reader.block(number: n)
        case .hash(let h, _): return reader.block(hash: h)
        default: return try? resolve(tag)
        }
    }
}

extension TxValidationError {
    var rpcError: RPCError {
        switch self {
        case .invalid(let e) where e.kind == .insufficientFunds: return RPCError.server(message, code: -32003)
        default: return RPCError.server(message)
        }
    }
}

extension ChainError {
    var rpcError: RPCError {
        switch self {
        case .timestampBeforeHead: return RPCError.invalidParams(message)
        case .nativeContractCode: return RPCError.invalidParams("param 0: " + message)
        case .invalid: return RPCError.server(message)
        }
    }
}

/// Runs `body`, mapping the chain's typed errors to JSON-RPC errors.
func rpc<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() }
    catch let e as RPCError { throw e }
    catch let e as TxValidationError { throw e.rpcError }
    catch let e as ChainError { throw e.rpcError }
}

/// Whether the console prints requests and mined transactions (`anvil_setLoggingEnabled`).
public final class LoggingSwitch: @unchecked Sendable {  // `on` is guarded by `lock`
    private let lock = NSLock()
    private var on = true
    public init() {}
    public var enabled: Bool {
        get { lock.withLock { on } }
        set { lock.withLock { on = newValue } }
    }
}
