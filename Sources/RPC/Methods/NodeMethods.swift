import Chain

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
        table.requestScope = storageErrorsFailTheRequest
    }

    /// Each request reads under its own `ReadLatch`: a storage error that a lookup could only
    /// answer as "absent" (a block, a receipt, an account read as empty) turns the answer into
    /// -32603 naming the error, instead of a wrong null or zero.
    @Sendable static func storageErrorsFailTheRequest(_ run: @Sendable () async -> Result<JSON, RPCError>) async -> Result<JSON, RPCError> {
        let latch = ReadLatch()
        let result = await ReadLatch.$request.withValue(latch) { await run() }
        if let e = latch.error, case .success = result { return .failure(.internal(String(describing: e))) }
        return result
    }
}
