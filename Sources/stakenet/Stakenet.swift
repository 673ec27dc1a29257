import ArgumentParser
import Foundation
import Logging
import Primitives
import EthCrypto
import Storage
import Contracts
import Chain
import Operator
import RPC

@main
struct Stakenet: AsyncParsableCommand {
    static let version = "0.1.0"
    static let configuration = CommandConfiguration(
        commandName: "stakenet",
        abstract: "A local Ethereum devnet with Ankr's Polygon liquid staking emulated natively.",
        usage: """
            stakenet [<options>]
            stakenet statetest [--fork <fork>] [--verbose] <paths> ...
            """,
        version: version,
        // Without a subcommand stakenet runs the node with the options below (unchanged);
        // `statetest` is the conformance runner.
        subcommands: [StateTestCommand.self])

    // Anvil's names where Anvil has one.
    @Option(name: [.short, .long], help: "Port to listen on (0 picks a free one).") var port: Int = 8545
    @Option(name: .customLong("host"), help: "Address(es) to listen on: comma-separated or repeated (default: $ANVIL_IP_ADDR, else 127.0.0.1).") var hostList: [String] = []
    @Option(name: [.customLong("chain-id"), .customLong("chain")], help: "Chain id: a number or a chain name (mainnet, sepolia, polygon, …).") var chainIdText: String = "31337"
    @Option(name: [.short, .long], help: "Number of dev accounts.") var accounts: Int = 10
    @Option(help: "Starting ETH balance of each dev account.") var balance: String = "10000"
    @Option(name: [.short, .long], help: "BIP-39 mnemonic of the dev accounts.") var mnemonic: String = DevAccount.defaultMnemonic
    @Option(name: .customLong("derivation-path"), help: "Derivation path prefix of the dev accounts.") var derivationPath: String = DevAccount.defaultPath
    @Option(help: "Genesis block timestamp (default: now).") var timestamp: UInt64?
    @Option(name: [.short, .customLong("block-time"), .customLong("blockTime")], help: "Mine a block every SECS seconds (interval mining; fractions allowed).") var blockTimeText: String?
    @Flag(name: [.customLong("no-mining"), .customLong("no-mine")], help: "Do not mine on transactions; wait for evm_mine.") var noMining = false
    @Option(name: [.customLong("base-fee"), .customLong("block-base-fee-per-gas")], help: "Genesis base fee per gas (wei).") var baseFee: String = "1000000000"
    @Option(name: [.customLong("gas-limit"), .customLong("block-gas-limit")], help: "Block gas limit.") var gasLimit: UInt64 = 30_000_000
    @Flag(name: [.customLong("disable-block-gas-limit"), .customLong("disable-gas-limit")], help: "No block gas limit (it becomes 2^64-1), as Anvil.") var disableBlockGasLimit = false
    @Option(help: "Order of pooled transactions in a block: fifo (arrival) or fees (highest fee cap first, as Anvil's default).") var order: String = "fifo"
    @Flag(name: [.customLong("auto-impersonate"), .customLong("auto-unlock")], help: "Accept eth_sendTransaction from any address (anvil_autoImpersonateAccount true).") var autoImpersonate = false
    @Option(help: "EVM rules: cancun (the only ones stakenet implements; `latest` means cancun).") var hardfork: String?
    @Option(name: [.customShort("f"), .customLong("fork-url"), .customLong("rpc-url")], help: "Refused: stakenet does not fork (it emulates the contracts natively).") var forkUrl: String?
    @Option(name: .customLong("allow-origin"), help: "Access-Control-Allow-Origin value.") var allowOrigin: String = "*"
    @Flag(name: .customLong("no-cors"), help: "Send no CORS headers.") var noCors = false
    @Option(name: .customLong("data-dir"), help: "Persistent LevelDB directory (default: a temporary one, removed on exit).") var dataDir: String?
    @Option(name: .customLong("config-out"), help: "Write url, chain id, accounts, keys and contract addresses as JSON to FILE.") var configOut: String?
    @Flag(name: [.short, .long, .customLong("silent")], help: "Do not log requests and transactions.") var quiet = false
    @Option(help: "Operator APR in basis points.") var apr: UInt64 = 450
    @Option(name: .customLong("rebase-interval"), help: "Seconds between rebases.") var rebaseInterval: UInt64 = 86_400
    @Option(name: .customLong("unbond-period"), help: "Seconds from unstake to claim.") var unbondPeriod: UInt64 = 604_800
    @Option(help: "Operator mode: auto or manual.") var `operator`: String = "auto"
    @Option(help: "Contract addresses: mainnet or a JSON file.") var addresses: String = "mainnet"
    @Flag(name: .customLong("no-wall-clock"), help: "Chain time = genesis timestamp + offset (reproducible runs).") var noWallClock = false
    @Flag(name: .customLong("no-dashboard"), help: "Do not serve the browser dashboard on GET / (Accept: text/html).") var noDashboard = false
    @Option(name: .customLong("max-body-bytes"), help: "Largest request body.") var maxBodyBytes: Int = 2 * 1024 * 1024
    @Option(name: .customLong("max-batch"), help: "Most requests in one batch.") var maxBatch: Int = 1000
    @Option(name: .customLong("max-ws-frame-bytes"), help: "Largest WebSocket frame.") var maxWebSocketFrame: Int = 4 * 1024 * 1024
    @Option(name: .customLong("max-subscriptions"), help: "Most subscriptions per WebSocket connection.") var maxSubscriptions: Int = 1_000
    @Option(name: .customLong("max-filters"), help: "Most installed filters.") var maxFilters: Int = 10_000
    @Option(name: .customLong("max-logs-range"), help: "Most blocks an eth_getLogs query without address/topic may cover.") var maxLogsRange: UInt64 = 100_000
    @Option(name: .customLong("max-logs-results"), help: "Most logs one eth_getLogs answer may hold.") var maxLogsResults: Int = 10_000
    @Option(name: .customLong("max-mine-blocks"), help: "Most blocks one anvil_mine/evm_mine call may mine.") var maxMineBlocks: UInt64 = 10_000_000
    @Option(name: .customLong("dump-state"), help: "Write the state (JSON) to FILE on exit.") var dumpState: String?
    @Option(name: .customLong("load-state"), help: "Load a state written by --dump-state or anvil_dumpState at start.") var loadState: String?
    @Option(name: .customLong("state"), help: "--load-state FILE when FILE exists, and --dump-state FILE on exit.") var state: String?

    // Anvil's value forms (see AnvilOptions).
    var hosts: [String] { AnvilOptions.hosts(hostList) }
    var host: String { hosts[0] }
    var chainId: UInt64 { AnvilOptions.chainId(chainIdText) ?? 31337 }
    var blockTime: UInt64? { blockTimeText.flatMap(AnvilOptions.blockTimeNanos) }   // nanoseconds

    func validate() throws {
        guard AnvilOptions.chainId(chainIdText) != nil else { throw ValidationError("--chain-id \(chainIdText): expected a number or a chain name (\(AnvilOptions.namedChains.keys.sorted().joined(separator: ", ")))") }
        if let t = blockTimeText, AnvilOptions.blockTimeNanos(t) == nil { throw ValidationError("--block-time \(t): expected seconds (a non-negative number, fractions allowed)") }
        guard AnvilOptions.orderByFees(order) != nil else { throw ValidationError("--order \(order): expected fees or fifo") }
        if let h = hardfork { try AnvilOptions.checkHardfork(h) }
        try AnvilOptions.refuseFork(forkUrl)
        if noMining && blockTimeText != nil { throw ValidationError("--no-mining cannot be used with --block-time") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard accounts >= 0 && accounts <= 10_000 else { throw ValidationError("--accounts must be between 0 and 10000") }
        guard UInt256(decimal: balance) != nil else { throw ValidationError("--balance must be a whole number of ETH") }
        guard UInt256(decimal: baseFee) != nil else { throw ValidationError("--base-fee must be a whole number of wei") }
        guard gasLimit >= 21_000 else { throw ValidationError("--gas-limit must be at least 21000") }
        guard ["auto", "manual"].contains(`operator`) else { throw ValidationError("--operator must be auto or manual") }
        guard rebaseInterval > 0 else { throw ValidationError("--rebase-interval must be positive") }
        guard apr <= 100_000 else { throw ValidationError("--apr is in basis points and must be at most 100000") }
        guard maxBodyBytes > 0, maxBatch > 0, maxWebSocketFrame > 0, maxSubscriptions > 0, maxFilters > 0,
              maxLogsRange > 0, maxLogsResults > 0, maxMineBlocks > 0 else {
            throw ValidationError("the --max-… limits must be positive")
        }
    }

    func run() async throws {
        let started = Date()
        LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: .info) }

        // Keys.
        let dev: [DevAccount], ops: [DevAccount]
        do {
            dev = try DevAccount.devAccounts(mnemonic: mnemonic, path: derivationPath, count: accounts)
            ops = try DevAccount.devAccounts(mnemonic: mnemonic, path: "m/44'/60'/1'/0/", count: 3)
        } catch {
            throw ValidationError("cannot derive accounts: \(error)")
        }
        let roles = Roles(operator: ops[0].address, feeCollector: ops[1].address, intermediary: ops[2].address)

        let contractAddresses: ContractAddresses
        if addresses == "mainnet" { contractAddresses = .mainnet } else {
            do { contractAddresses = try ContractAddresses(contentsOf: addresses) } catch {
                throw ValidationError("--addresses \(addresses): \(error)")
            }
        }

        // Storage.
        var storageOptions = Database.Options()
        if let faults = StorageFaults.fromEnvironment() {
            // Test-only: the integration tests make storage fail on demand (StorageFaults).
            storageOptions.faults = faults
            FileHandle.standardError.write(Data(("WARNING: \(StorageFaults.environmentVariable) is set: storage faults are injected "
                + "from \(faults.controlFile ?? "?") (a test harness only; unset it for real use)\n").utf8))
        }
        let dir: DataDirectory
        do {
            dir = try dataDir.map { try DataDirectory.open(path: $0, options: storageOptions) }
                ?? DataDirectory.ephemeral(options: storageOptions)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        defer { dir.cleanup() }

        var config = ChainConfig(genesisTimestamp: timestamp ?? UInt64(Date().timeIntervalSince1970), roles: roles)
        config.chainId = chainId
        config.gasLimit = disableBlockGasLimit ? UInt64.max : gasLimit
        config.orderByFees = AnvilOptions.orderByFees(order) ?? false
        config.genesisBaseFee = UInt256(decimal: baseFee)!
        config.useWallClock = !noWallClock
        config.devKeys = dev.map { SigningKey(address: $0.address, privateKey: $0.privateKey) }
        config.extraKeys = ops.map { SigningKey(address: $0.address, privateKey: $0.privateKey) }
        config.devBalance = UInt256(decimal: balance)!.saturatingMul(UInt256.pow10(18))
        config.addresses = contractAddresses
        config.syncWrites = dataDir != nil

        // --load-state/--state: a state file written with its history restores the whole chain
        // (blocks, receipts, logs) into a fresh database before it opens, as Anvil's do; other
        // dumps (anvil_dumpState blobs, Anvil's own files) merge their accounts further down.
        let loadPath = loadState.map(StateMethods.statePath)
            ?? state.map(StateMethods.statePath).flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
        var loadDoc: JSON? = nil
        var historyRestored = false
        if let path = loadPath {
            do {
                let doc = try StateMethods.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
                loadDoc = doc
                if let entries = try StateMethods.historyEntries(doc) {
                    historyRestored = try ChainStore.importHistory(entries, into: dir.database, sync: dataDir != nil)
                }
            } catch {
                FileHandle.standardError.write(Data("error: cannot load the state from \(path): \(error)\n".utf8))
                throw ExitCode(1)
            }
        }

        let contracts = NativeContracts(addresses: contractAddresses, roles: roles)
        let chain: Chain
        do {
            chain = try Chain(config: config, store: ChainStore(db: dir.database), contracts: contracts)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let logging = LoggingSwitch()
        let console = Console(quiet: quiet, contracts: contracts, logging: logging)
        await chain.addObserver(console)

        let methods = MethodTable(maxBatch: maxBatch)
        if !quiet { methods.requestLogger = { m in if logging.enabled { console.print(m) } } }
        // Ankr's operator: the flags are the genesis values; a resumed --data-dir keeps its own.
        let operatorSettings = OperatorSettings(aprBps: apr, rebaseInterval: rebaseInterval, unbondPeriod: unbondPeriod,
                                                mode: `operator` == "manual" ? .manual : .auto)
        let operatorService: OperatorService
        let operatorRecord: OperatorRecord
        do {
            operatorService = try OperatorService(chain: chain, defaults: operatorSettings)
            operatorRecord = try await operatorService.install()
        } catch {
            FileHandle.standardError.write(Data("error: cannot start the operator: \(error)\n".utf8))
            throw ExitCode(1)
        }
        if operatorRecord.settings != operatorSettings {
            // A resumed --data-dir keeps the settings stored in its chain; say so, so a changed
            // flag is not silently ignored.
            let kept = operatorRecord.settings
            FileHandle.standardError.write(Data(("note: this data directory keeps its operator settings (apr \(kept.aprBps), "
                + "rebase interval \(kept.rebaseInterval) s, unbond period \(kept.unbondPeriod) s, \(kept.mode.rawValue)); "
                + "--apr/--rebase-interval/--unbond-period/--operator apply to new chains. Change them with "
                + "stakenet_setApr, stakenet_setRebaseInterval, stakenet_setUnbondPeriod, stakenet_setOperatorMode.\n").utf8))
        }
        var limits = NodeContext.Limits()
        limits.maxLogBlockRange = maxLogsRange
        limits.maxLogResults = maxLogsResults
        limits.maxMineBlocks = maxMineBlocks
        limits.maxFilters = maxFilters
        limits.maxSubscriptionsPerConnection = maxSubscriptions
        let context = NodeContext(chain: chain, clientVersion: "anvil/stakenet/\(Self.version)", limits: limits, logging: logging)
        NodeMethods.register(methods, context, operator: operatorService)
        if let path = loadPath, let doc = loadDoc, !historyRestored {
            do {
                try await StateMethods.load(doc, context)
            } catch {
                FileHandle.standardError.write(Data("error: cannot load the state from \(path): \(error)\n".utf8))
                throw ExitCode(1)
            }
        }

        // What anvil_reset comes back to: genesis plus the node's own setup above.
        try await chain.sealBaseline()

        if noMining { try await chain.setAutomine(false) }
        if blockTime != nil { try await chain.setAutomine(false) }
        if autoImpersonate { await chain.setAutoImpersonate(true) }

        var serverConfig = RPCServerConfig(host: host, port: port, allowOrigin: noCors ? nil : allowOrigin,
                                           maxBodyBytes: maxBodyBytes, maxBatch: maxBatch,
                                           maxWebSocketFrame: maxWebSocketFrame)
        serverConfig.dashboard = noDashboard ? nil : Dashboard(wallClock: !noWallClock)
        let server = RPCServer(config: serverConfig, methods: methods)
        let boundPort: Int
        do { boundPort = try await server.start() } catch {
            FileHandle.standardError.write(Data("error: cannot listen on \(host):\(port): \(error)\n".utf8))
            throw ExitCode(1)
        }
        let url = "http://\(host.contains(":") ? "[\(host)]" : host):\(boundPort)"
        // --host a,b: the same node on every address, one port.
        let extraServers: [RPCServer]
        do {
            extraServers = try await AnvilOptions.startExtraServers(
                hosts: hosts, port: boundPort, methods: methods,
                like: RPCServerConfig(host: host, port: boundPort, allowOrigin: noCors ? nil : allowOrigin,
                                      maxBodyBytes: maxBodyBytes, maxBatch: maxBatch, maxWebSocketFrame: maxWebSocketFrame))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }

        if let path = configOut {
            let doc = ConfigOut.json(url: url, config: chain.config, contracts: contractAddresses, roles: roles,
                                     mnemonic: mnemonic, derivationPath: derivationPath,
                                     gasPrice: (await chain.nextBaseFee).saturatingAdd(UInt256(1_000_000_000)))
            try Data(doc.serialized()).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        let head = chain.reader.head
        console.banner(Banner(config: chain.config, dev: dev, ops: ops, roles: roles, mnemonic: mnemonic,
                              path: derivationPath, head: head, dataDir: dataDir, apr: operatorRecord.settings.aprBps,
                              rebaseInterval: operatorRecord.settings.rebaseInterval,
                              unbondPeriod: operatorRecord.settings.unbondPeriod,
                              mode: operatorRecord.settings.mode.rawValue,
                              host: host, port: boundPort, startup: Date().timeIntervalSince(started)))
        if !noDashboard { console.print("Dashboard: open \(url)/ in a browser (--no-dashboard turns it off)\n") }

        for h in hosts.dropFirst() {
            if !console.isLoopback(h) { console.print("WARNING: listening on \(h), not loopback: the dev keys above are public; anyone who can reach this port can use them.\n") }
            console.print("Listening on \(h):\(boundPort)")
        }
        if let nanos = blockTime, nanos > 0 { await chain.setIntervalMining(nanoseconds: nanos) }

        await waitForTermination()
        await chain.stopIntervalMining()
        await server.stop()
        for s in extraServers { await s.stop() }
        if let path = (dumpState ?? state).map(StateMethods.statePath) {
            do {
                try Data(try await StateMethods.dumpFile(context)).write(to: URL(fileURLWithPath: path), options: .atomic)
                if !quiet { console.print("state written to \(path)") }
            } catch {
                FileHandle.standardError.write(Data("error: cannot write the state to \(path): \(error)\n".utf8))
            }
        }
        if !quiet { console.print("stakenet stopped") }
        console.drain()
    }
}

/// Blocks until SIGINT or SIGTERM.
func waitForTermination() async {
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
        let once = OnceFlag()
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { if once.set() { c.resume() } }
            s.resume()
            sources.append(s)
        }
        SignalSources.keep(sources)
    }
}

final class OnceFlag: @unchecked Sendable {  // `done` is guarded by `lock`
    private let lock = NSLock()
    private var done = false
    func set() -> Bool { lock.lock(); defer { lock.unlock() }; if done { return false }; done = true; return true }
}

enum SignalSources {
    nonisolated(unsafe) static var all: [DispatchSourceSignal] = []  // appended once, by waitForTermination's one call; never read (it keeps the sources alive)
    static func keep(_ s: [DispatchSourceSignal]) { all.append(contentsOf: s) }
}
