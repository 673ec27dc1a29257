/// Every method the node serves, registered into one table.
public enum NodeMethods {
    public static func register(_ table: MethodTable, _ context: NodeContext) {
        EthMethods.register(table, context)
        CheatMethods.register(table, context)
        ClientMethods.register(table, context)
        TraceMethods.register(table, context)
        ParityTraceMethods.register(table, context)
        OtterscanMethods.register(table, context)
        DebugTraceBlock.register(table, context)
        AnvilMethods.register(table, context)
        table.limitParams(MethodArity.atMost)
        // Off the connection's event loop: these can hold the chain (or a core) for long.
        table.markLongRunning([
            "evm_mine", "anvil_mine", "hardhat_mine", "evm_revert", "anvil_revert", "anvil_reset", "hardhat_reset",
            "anvil_dumpState", "hardhat_dumpState", "anvil_loadState", "hardhat_loadState",
            "eth_getLogs", "eth_getFilterLogs", "stakenet_warp",
            "debug_traceTransaction", "debug_traceCall", "debug_traceBlockByNumber", "debug_traceBlockByHash",
            "anvil_mine_detailed", "evm_mine_detailed", "anvil_rollback", "anvil_reorg", "eth_simulateV1", "eth_callMany",
            "eth_sendRawTransactionSync", "eth_sendTransactionSync",
            "trace_transaction", "trace_get", "trace_block", "trace_filter", "trace_call", "trace_replayTransaction",
            "trace_replayBlockTransactions", "trace_rawTransaction", "trace_callMany", "trace_transactionOpcodeGas",
            "trace_blockOpcodeGas", "debug_traceBlock", "ots_getInternalOperations", "ots_traceTransaction",
            "ots_searchTransactionsBefore", "ots_searchTransactionsAfter",
        ])
    }
}
