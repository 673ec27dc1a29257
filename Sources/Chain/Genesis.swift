import Primitives
import Contracts
import Storage

/// Block 0: dev and operator accounts funded, the five contracts initialised, their
/// placeholder code installed as account code.
enum Genesis {
    static func build(config: ChainConfig, contracts: NativeContracts)
        -> (block: Block, writes: [([UInt8], [UInt8]?)], codes: [(hash: Hash, code: [UInt8])]) {
        let state = StateOverlay(base: EmptyState())
        for k in config.devKeys + config.extraKeys { state.setBalance(config.devBalance, of: k.address) }
        contracts.genesis(state: state, holders: config.devKeys.map(\.address), maticEach: config.maticPerAccount,
                          ankrEach: config.ankrPerAccount, intermediaryReserve: config.intermediaryReserve)
        // Real account code, so eth_getCode and the EVM's EXTCODE* see the same bytes.
        for (_, a) in contracts.addresses.all {
            if let code = contracts.code(at: a) { state.setCode(code, of: a) }
        }
        let writes = state.stateWrites()
        let header = BlockHeader(
            parentHash: .zero, miner: config.coinbase,
            stateRoot: Chain.stateCommitment(parent: .zero, writes: writes),
            transactionsRoot: Trie.orderedRoot([]), receiptsRoot: Trie.orderedRoot([]),
            logsBloom: Bloom(), number: 0, gasLimit: config.gasLimit, gasUsed: 0,
            timestamp: config.genesisTimestamp, mixHash: .zero, baseFeePerGas: config.genesisBaseFee)
        let block = Block(header: header, transactionHashes: [], transactions: [])
        return (block, writes, state.codeWrites())
    }

    static func write(config: ChainConfig, store: ChainStore, contracts: NativeContracts) throws -> Block {
        let (block, writes, codes) = build(config: config, contracts: contracts)
        var batch = WriteBatch()
        store.stage(block: block, transactions: [], receipts: [], stateWrites: writes, codes: codes, clock: ClockState(),
                    into: &batch)
        try store.db.write(batch, sync: config.syncWrites)
        return block
    }

    /// A database written before accounts carried code has the native contracts without it.
    /// Rewrites every stored version of each such account (and adds one at block 0 when its
    /// history starts later or not at all) to carry the placeholder code's hash, and stores the
    /// code, in one batch: then eth_getCode shows the code at every block, as on a new chain.
    /// Block headers keep the state commitments they were mined with. Does nothing when the
    /// head already has the code. Returns the number of accounts it changed.
    @discardableResult
    static func installNativeCode(store: ChainStore, contracts: NativeContracts, head: UInt64, sync: Bool) throws -> Int {
        let atHead = StateAtBlock(store: store.state, codes: store.codes, block: head)
        var batch = WriteBatch()
        var changed = 0
        for (_, a) in contracts.addresses.all {
            guard let code = contracts.code(at: a) else { continue }
            let h = Hash.keccak(code)
            guard atHead.account(a).codeHash != h else { continue }
            let key = StateKey.account(a)
            let versions = try store.state.versions(of: key)
            for (b, v) in versions {
                var acct: Account
                if let v {
                    guard let decoded = Account(encoded: v) else { continue }
                    acct = decoded
                } else {
                    acct = .empty       // a deletion (an empty account): now an account with code
                }
                guard acct.codeHash != h else { continue }
                acct.codeHash = h
                store.state.stage(key, acct.encoded, block: b, into: &batch)
            }
            if !versions.contains(where: { $0.block == 0 }) {
                store.state.stage(key, Account(codeHash: h).encoded, block: 0, into: &batch)
            }
            store.codes.stage(code, hash: h, into: &batch)
            changed += 1
        }
        try atHead.checkReads()
        if changed > 0 { try store.db.write(batch, sync: sync) }
        return changed
    }
}
