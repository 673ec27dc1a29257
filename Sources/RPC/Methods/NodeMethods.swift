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
    }
}
