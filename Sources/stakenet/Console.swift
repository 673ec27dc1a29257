import Foundation
import Primitives
import EthCrypto
import Contracts
import Chain
import RPC

/// What the startup banner shows.
struct Banner {
    let config: ChainConfig
    let dev: [DevAccount]
    let ops: [DevAccount]
    let roles: Roles
    let mnemonic: String
    let path: String
    let head: Block
    let dataDir: String?
    let apr: UInt64
    let rebaseInterval: UInt64
    let unbondPeriod: UInt64
    let mode: String
    let host: String
    let port: Int
    let startup: TimeInterval
}

/// The node's console output: the banner, requests and mined transactions. Lines are queued
/// in order and written by one serial writer, which writes everything queued since its last
/// write in one system call: under load a JSON-RPC batch of 100 calls costs one write, not 100
/// (a write per request line was a tenth of the node's time in an `eth_call` batch). Lines
/// appear at most a few milliseconds after they are printed; `drain()` waits for them (shutdown).
final class Console: ChainObserver, @unchecked Sendable {  // `pending` guarded by `lock`
    let quiet: Bool
    let contracts: NativeContracts
    /// `anvil_setLoggingEnabled`: requests and mined transactions are printed only while on.
    let logging: LoggingSwitch
    private let lock = NSLock()
    private var pending: [UInt8] = []
    private let writer = DispatchQueue(label: "stakenet.console")
    /// How long a printed line may wait for the lines printed after it.
    static let delayMs = 5

    init(quiet: Bool, contracts: NativeContracts, logging: LoggingSwitch) {
        self.quiet = quiet; self.contracts = contracts; self.logging = logging
    }

    func print(_ line: String) {
        let first: Bool = lock.withLock {
            let first = pending.isEmpty
            pending.append(contentsOf: line.utf8)
            pending.append(10)
            return first
        }
        // The line that finds the queue empty schedules the write, a few milliseconds later,
        // of everything queued by then (writing at once would hand each line to the writer
        // thread on its own: a wake-up per line instead of a system call per line).
        if first { writer.asyncAfter(deadline: .now() + .milliseconds(Console.delayMs)) { self.writeQueued() } }
    }

    /// Waits until every line printed so far is written.
    func drain() { writer.sync { writeQueued() } }

    private func writeQueued() {
        let bytes: [UInt8] = lock.withLock {
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Foundation.write(1, buf.baseAddress! + off, buf.count - off)
                if n > 0 { off += n } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
    }

    func banner(_ b: Banner) {
        var s = """

                 _        _              _
             ___| |_ __ _| | _____ _ __ | |_
            / __| __/ _` | |/ / _ \\ '_ \\| __|
            \\__ \\ || (_| |   <  __/ | | | |_
            |___/\\__\\__,_|_|\\_\\___|_| |_|\\__|   \(Stakenet.version)

            Ankr Polygon liquid staking, emulated natively.


            Available Accounts
            ==================

            """
        let eth = b.config.devBalance.formatted(decimals: 18)
        let matic = b.config.maticPerAccount.formatted(decimals: 18)
        let ankr = b.config.ankrPerAccount.formatted(decimals: 18)
        for (i, a) in b.dev.enumerated() {
            s += "(\(i)) \(a.address.checksummed) (\(eth) ETH, \(matic) MATIC, \(ankr) ANKR)\n"
        }
        s += "\nPrivate Keys\n==================\n\n"
        for (i, a) in b.dev.enumerated() { s += "(\(i)) \(Hex.encode(a.privateKey))\n" }
        s += """

            Wallet
            ==================
            Mnemonic:          \(b.mnemonic)
            Derivation path:   \(b.path.hasSuffix("/") ? b.path + "{i}" : b.path + "/{i}")


            Chain ID
            ==================

            \(b.config.chainId)

            Base Fee
            ==================

            \(b.config.genesisBaseFee)

            Gas Limit
            ==================

            \(b.config.gasLimit)

            Genesis Timestamp
            ==================

            \(b.config.genesisTimestamp)\(b.config.useWallClock ? "" : " (no wall clock: time moves only by warps)")

            Emulated Contracts
            ==================
            MATIC              \(b.config.addresses.matic.checksummed)
            PolygonPool        \(b.config.addresses.pool.checksummed)
            aMATICb            \(b.config.addresses.aMATICb.checksummed)
            aMATICc            \(b.config.addresses.aMATICc.checksummed)
            ANKR               \(b.config.addresses.ankr.checksummed)

            Operator
            ==================
            Mode:              \(b.mode)
            APR:               \(b.apr) bps (\(Double(b.apr) / 100)%)
            Rebase interval:   \(b.rebaseInterval) s
            Unbond period:     \(b.unbondPeriod) s
            Operator / owner / notary: \(b.roles.operator.checksummed)  key \(Hex.encode(b.ops[0].privateKey))
            Fee collector:     \(b.roles.feeCollector.checksummed)  key \(Hex.encode(b.ops[1].privateKey))
            Intermediary:      \(b.roles.intermediary.checksummed)  key \(Hex.encode(b.ops[2].privateKey))
                               (holds \(b.config.intermediaryReserve.formatted(decimals: 18)) MATIC of reserve that pays rewards)

            State
            ==================
            \(b.dataDir.map { "Data directory:    \($0) (head block \(b.head.number))" } ?? "Ephemeral (a temporary LevelDB, removed on exit)")


            """
        if !isLoopback(b.host) {
            s += "WARNING: listening on \(b.host), not loopback: the dev keys above are public; anyone who can reach this port can use them.\n\n"
        }
        s += "Listening on \(b.host):\(b.port)\n"
        print(s)
    }

    func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    // MARK: ChainObserver

    func blockMined(_ block: Block, transactions: [PooledTransaction], receipts: [ReceiptRecord]) {
        guard !quiet, logging.enabled else { return }
        var out = ""
        for (p, r) in zip(transactions, receipts) {
            let what: String
            if let to = p.tx.to, let d = contracts.describe(to: to, calldata: p.tx.data) { what = d }
            else if let to = p.tx.to { what = "transfer \(p.tx.value.formatted(decimals: 18)) ETH to \(to.short)" }
            else { what = "contract creation" }
            out += "    \(what) \(r.status ? "ok" : "reverted") gas \(Self.grouped(r.gasUsed))  from \(p.sender.short)  \(p.hash.hex)\n"
        }
        out += "    Block #\(block.number) \(block.hash.hex) time \(block.header.timestamp) txs \(transactions.count)"
        print(out)
    }

    func transactionPending(_ hash: Hash) {}
    func chainReorganized(to head: UInt64) {
        guard !quiet else { return }
        print("    Head reset to block #\(head)")
    }

    /// `52013` → `52 013`.
    static func grouped(_ v: UInt64) -> String {
        let s = String(v)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(" ") }
            out.append(c)
        }
        return out
    }
}

/// `--config-out`: what a CI script needs to talk to this node: stakenet's keys, then Anvil's
/// (`available_accounts`, `private_keys`, `wallet`, `base_fee`, `gas_price`, `gas_limit`,
/// `genesis_timestamp`, the numbers as decimal strings as Anvil writes them) so scripts written
/// for Anvil's file read it too.
enum ConfigOut {
    static func json(url: String, config: ChainConfig, contracts: ContractAddresses, roles: Roles,
                     mnemonic: String, derivationPath: String, gasPrice: UInt256) -> JSON {
        guard case .object(var o) = stakenetJSON(url: url, config: config, contracts: contracts, roles: roles) else { return .null }
        o.append(contentsOf: [
            ("available_accounts", .array(config.devKeys.map { .string($0.address.checksummed) })),
            ("private_keys", .array(config.devKeys.map { .string(Hex.encode($0.privateKey)) })),
            ("wallet", .object([("derivation_path", .string(derivationPath)), ("mnemonic", .string(mnemonic))])),
            ("base_fee", .string(config.genesisBaseFee.decimalString)),
            ("gas_price", .string(gasPrice.decimalString)),
            ("gas_limit", .string(String(config.gasLimit))),
            ("genesis_timestamp", .string(String(config.genesisTimestamp))),
        ])
        return .object(o)
    }

    static func stakenetJSON(url: String, config: ChainConfig, contracts: ContractAddresses, roles: Roles) -> JSON {
        .object([
            ("url", .string(url)),
            ("wsUrl", .string(url.replacingOccurrences(of: "http://", with: "ws://"))),
            ("chainId", JSON(config.chainId)),
            ("accounts", .array(config.devKeys.map { .string($0.address.checksummed) })),
            ("privateKeys", .array(config.devKeys.map { .string(Hex.encode($0.privateKey)) })),
            ("contracts", .object([
                ("MATIC", .string(contracts.matic.checksummed)),
                ("PolygonPool", .string(contracts.pool.checksummed)),
                ("aMATICb", .string(contracts.aMATICb.checksummed)),
                ("aMATICc", .string(contracts.aMATICc.checksummed)),
                ("ANKR", .string(contracts.ankr.checksummed)),
            ])),
            ("operator", .object([
                ("operator", .string(roles.operator.checksummed)),
                ("feeCollector", .string(roles.feeCollector.checksummed)),
                ("intermediary", .string(roles.intermediary.checksummed)),
                ("privateKeys", .array(config.extraKeys.map { .string(Hex.encode($0.privateKey)) })),
            ])),
        ])
    }
}
