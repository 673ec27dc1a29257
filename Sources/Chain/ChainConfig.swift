import Primitives
import Contracts

/// A key the node signs with: dev accounts, operator keys, impersonation aside.
public struct SigningKey: Sendable, Hashable {
    public let address: Address
    public let privateKey: [UInt8]
    public init(address: Address, privateKey: [UInt8]) { self.address = address; self.privateKey = privateKey }
}

/// Everything fixed when the node starts.
public struct ChainConfig: Sendable {
    public var chainId: UInt64 = 31337
    public var gasLimit: UInt64 = 30_000_000
    public var genesisBaseFee: UInt256 = 1_000_000_000
    public var genesisTimestamp: UInt64
    public var useWallClock = true
    public var coinbase = Address(hex: "0x0000000000000000000000000000000000000000")!
    /// Dev accounts (listed by `eth_accounts`) and their starting ETH balance.
    public var devKeys: [SigningKey] = []
    public var devBalance: UInt256 = UInt256.pow10(18) * 10_000
    /// Keys the node signs with but does not list (operator, fee collector, intermediary).
    public var extraKeys: [SigningKey] = []
    public var addresses = ContractAddresses.mainnet
    public var roles: Roles
    public var maticPerAccount: UInt256 = UInt256.pow10(18) * 100_000
    public var ankrPerAccount: UInt256 = UInt256.pow10(18) * 100_000
    public var intermediaryReserve: UInt256 = UInt256.pow10(18) * 10_000_000
    /// Durable commits (fsync) — on with `--data-dir`.
    public var syncWrites = false
    /// Block order of pooled transactions: highest fee cap first (Anvil's `--order fees`)
    /// instead of arrival order; each sender's nonces stay in order either way.
    public var orderByFees = false

    public init(genesisTimestamp: UInt64, roles: Roles) {
        self.genesisTimestamp = genesisTimestamp
        self.roles = roles
    }
}
