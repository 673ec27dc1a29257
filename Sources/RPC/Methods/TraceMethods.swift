import Primitives
import Chain
import EVM

/// geth's `debug_trace*` with its default struct logger and `{"tracer": "callTracer"}`. A mined
/// transaction is traced by re-executing its block from the parent's state up to it.
enum TraceMethods {
    static func register(_ t: MethodTable, _ n: NodeContext) {
        t.register("debug_traceTransaction", maxParams: 2, long: true) { p in
            let h = try p.hash(0)
            let config = try TraceConfig(try p.optionalObject(1), param: 1)
            guard let m = n.reader.transaction(hash: h), let block = n.reader.block(number: m.blockNumber) else {
                throw RPCError.server("transaction \(h.hex) not found")
            }
            let tracer = config.makeTracer()
            let outcomes = try replay(block, through: Int(m.index), n) { $0 == Int(m.index) ? tracer : nil }
            guard let o = outcomes.last else { throw RPCError.server("transaction \(h.hex) could not be replayed") }
            return config.result(tracer, outcome: o)
        }
        t.register(["debug_traceBlockByNumber", "debug_traceBlockByHash"], maxParams: 2, long: true) { p in
            let block: Block
            if case .string(let s)? = p.raw[0], s.count == 66 {
                guard let b = n.reader.block(hash: try p.hash(0)) else { throw RPCError.server("block \(s) not found") }
                block = b
            } else {
                block = try n.resolve(try p.blockTag(0))
            }
            let config = try TraceConfig(try p.optionalObject(1), param: 1)
            var tracers: [ExecutionTracer] = []
            let outcomes = try replay(block, through: nil, n) { _ in
                let tr = config.makeTracer(); tracers.append(tr); return tr
            }
            return .array(zip(zip(block.transactionHashes, tracers), outcomes).map { pair, o in
                .object([("txHash", .hash(pair.0)), ("result", config.result(pair.1, outcome: o))])
            })
        }
        t.register("debug_traceCall", maxParams: 3, long: true) { p in
            let rawConfig = try p.optionalObject(2)
            let config = try TraceConfig(rawConfig, param: 2)
            var overrides: JSON? = nil
            if let o = rawConfig?["stateOverrides"], o != .null { overrides = o }
            let c = try PreparedCall(p, n, overrides: .some(overrides))
            let tracer = config.makeTracer()
            let o = try c.run(gasLimit: c.req.gas ?? c.env.gasLimit, n, tracer: tracer)
            return config.result(tracer, outcome: TxOutcome(status: o.success, gasUsed: o.gasUsed, logs: o.logs, output: o.output,
                                                           effectiveGasPrice: .zero, contractAddress: o.contractAddress,
                                                           execStatus: o.status))
        }
    }

    static func replay(_ block: Block, through: Int?, _ n: NodeContext,
                       tracer: (Int) -> ExecutionTracer?) throws -> [TxOutcome] {
        do { return try n.reader.replay(block, through: through, tracer: tracer) } catch ChainReader.ReadError.blockRemoved(let b) {
            throw RPCError.server("header not found: block \(b.number) (\(b.hash.hex)) was removed by a revert")
        }
    }
}

/// The tracer options geth takes: `tracer` (absent: the struct logger; `callTracer`), the
/// struct logger's `disableStack`, `disableStorage`, `enableMemory`, `enableReturnData` (geth
/// always reports the return value; accepted), `limit`, and `tracerConfig.withLog` /
/// `onlyTopCall` for the call tracer.
struct TraceConfig {
    enum Kind { case structLogger, callTracer }
    var kind = Kind.structLogger
    var disableStack = false
    var disableStorage = false
    var enableMemory = false
    var limit = 0
    var withLog = false
    var onlyTopCall = false

    init(_ o: JSON?, param: Int) throws {
        guard let o else { return }
        guard case .object = o else { throw RPCError.invalidParams("param \(param): expected a tracer config object") }
        if let t = o["tracer"] {
            switch t {
            case .string("callTracer"): kind = .callTracer
            case .null: break
            case .string(let other):
                throw RPCError.invalidParams("param \(param).tracer: \(other) is not supported; stakenet has the default struct logger and callTracer")
            default: throw RPCError.invalidParams("param \(param).tracer: expected a string")
            }
        }
        func flag(_ k: String, in obj: JSON) throws -> Bool {
            switch obj[k] {
            case nil, .null?: return false
            case .bool(let b)?: return b
            default: throw RPCError.invalidParams("param \(param).\(k): expected a boolean")
            }
        }
        disableStack = try flag("disableStack", in: o)
        disableStorage = try flag("disableStorage", in: o)
        enableMemory = try flag("enableMemory", in: o)
        _ = try flag("enableReturnData", in: o)
        if case .number(let s)? = o["limit"], let v = Int(s), v >= 0 { limit = v }
        if let tc = o["tracerConfig"], case .object = tc {
            withLog = try flag("withLog", in: tc)
            onlyTopCall = try flag("onlyTopCall", in: tc)
        }
    }

    func makeTracer() -> ExecutionTracer {
        switch kind {
        case .structLogger:
            return StructLogger(withStack: !disableStack, withMemory: enableMemory, withStorage: !disableStorage,
                                limit: limit > 0 ? limit : 1_000_000)
        case .callTracer:
            return CallTracer(withLog: withLog, onlyTopCall: onlyTopCall)
        }
    }

    func result(_ tracer: ExecutionTracer, outcome: TxOutcome) -> JSON {
        if let s = tracer as? StructLogger { return TraceFormat.structLogs(s, outcome) }
        if let c = tracer as? CallTracer, let root = c.root { return TraceFormat.call(root) }
        return .null
    }
}

enum TraceFormat {
    static func word(_ v: UInt256) -> String { String(Hex.encode(v.bytes32).dropFirst(2)) }

    static func structLogs(_ s: StructLogger, _ o: TxOutcome) -> JSON {
        let logs: [JSON] = s.steps.map { step in
            var f: [(String, JSON)] = [
                ("pc", JSON(step.pc)), ("op", .string(step.op)), ("gas", JSON(step.gas)), ("gasCost", JSON(step.gasCost)),
                ("depth", JSON(step.depth)),
            ]
            if let st = step.stack { f.append(("stack", .array(st.map { .quantity($0) }))) }
            if let m = step.memory {
                var words: [JSON] = []
                var i = 0
                while i < m.count { words.append(.string(String(Hex.encode(m[i..<min(i + 32, m.count)]).dropFirst(2)))); i += 32 }
                f.append(("memory", .array(words)))
            }
            if let st = step.storage { f.append(("storage", .object(st.map { (word($0.0), .string(word($0.1))) }))) }
            if step.refund > 0 { f.append(("refund", JSON(step.refund))) }
            if let e = step.error { f.append(("error", .string(e))) }
            return .object(f)
        }
        return .object([("gas", JSON(o.gasUsed)), ("failed", .bool(!o.status)), ("returnValue", .data(o.output)),
                        ("structLogs", .array(logs))])
    }

    static func call(_ c: CallTracer.Call) -> JSON {
        var f: [(String, JSON)] = [("type", .string(c.type)), ("from", .address(c.from))]
        f.append(("to", c.to.map { .address($0) } ?? .null))
        if let v = c.value { f.append(("value", .quantity(v))) }
        f.append(("gas", .quantity(c.gas)))
        f.append(("gasUsed", .quantity(c.gasUsed)))
        f.append(("input", .data(c.input)))
        if !c.output.isEmpty || c.error == nil { f.append(("output", .data(c.output))) }
        if let e = c.error { f.append(("error", .string(e))) }
        if let r = c.revertReason { f.append(("revertReason", .string(r))) }
        if !c.logs.isEmpty {
            f.append(("logs", .array(c.logs.map { l in
                .object([("address", .address(l.log.address)), ("topics", .array(l.log.topics.map { .hash($0) })),
                         ("data", .data(l.log.data)), ("position", .quantity(UInt64(l.position)))])
            })))
        }
        if !c.calls.isEmpty { f.append(("calls", .array(c.calls.map(call)))) }
        return .object(f)
    }
}
