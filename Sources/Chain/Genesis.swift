import Primitives
import Contracts
import Storage

/// Block 0: dev and operator accounts funded, the five contracts initialised.
enum Genesis {
    static func build(config: ChainConfig, contracts: NativeContracts) -> (Block, [([UInt8], [UInt8]?)]) {
        let state = StateOverlay(base: EmptyState())
        for k in config.devKeys + config.extraKeys { state.setBalance(config.devBalance, of: k.address) }
        contracts.genesis(state: state, holders: config.devKeys.map(\.address), maticEach: config.maticPerAccount,
                          ankrEach: config.ankrPerAccount, intermediaryReserve: config.intermediaryReserve)
        let writes = state.stateWrites()
        let header = BlockHeader(
            parentHash: .zero, miner: config.coinbase,
            stateRoot: Chain.stateCommitment(parent: .zero, writes: writes),
            transactionsRoot: Trie.orderedRoot([]), receiptsRoot: Trie.orderedRoot([]),
            logsBloom: Bloom(), number: 0, gasLimit: config.gasLimit, gasUsed: 0,
            timestamp: config.genesisTimestamp, mixHash: .zero, baseFeePerGas: config.genesisBaseFee)
        let block = Block(header: header, transactionHashes: [], transactions: [])
        return (block, writes)
    }

    static func write(config: ChainConfig, store: ChainStore, contracts: NativeContracts) throws -> Block {
        let (block, writes) = build(config: config, contracts: contracts)
        var batch = WriteBatch()
        store.stage(block: block, transactions: [], receipts: [], stateWrites: writes, clock: ClockState(), into: &batch)
        try store.db.write(batch, sync: config.syncWrites)
        return block
    }
}
