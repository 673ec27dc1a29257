import Primitives
import Chain
import EVM

/// Parity/OpenEthereum's `trace_*`, in the flat shape Anvil answers with. Each transaction is
/// traced with the same call tracer as `debug_traceTransaction` (its block re-executed from the
/// parent's state), and the call tree is flattened depth-first: one entry per call or creation,
/// with its `traceAddress` (the path of child indices from the top call) and `subtraces`.
///
/// As Parity: the top call's `gas` and `gasUsed` are the call's own (intrinsic gas and refund
/// left out); a revert keeps its `result` with error `Reverted`; any other failure has
/// `result: null` and Parity's error words (`Out of gas`, `Bad instruction`, …).
enum ParityTraceMethods {
    /// One call or creation of a transaction's call tree.
    struct Flat {
        let call: CallTracer.Call
        let traceAddress: [Int]
        let gas: UInt64
        let gasUsed: UInt64
        var isCreate: Bool { call.type.hasPrefix("CREATE") }
        var from: Address { call.from }
        /// The callee, or the created contract.
        var to: Address? { call.to }
        var value: UInt256 { call.messageValue }
    }

    /// The traces of one mined transaction, with what localizes them.
    struct TxTraces {
        let block: Block
        let txHash: Hash
        let position: Int
        let flats: [Flat]
    }

    static func register(_ t: MethodTable, _ n: NodeContext) {
        t.register("trace_transaction", maxParams: 1, long: true) { p in
            guard let tt = try traces(ofTransaction: try p.hash(0), n) else { return .array([]) }
            return .array(localized(tt))
        }
        t.register("trace_get", maxParams: 2, long: true) { p in
            let h = try p.hash(0)
            let indices = try p.array(1)
            // As Anvil: a single index picks that entry of the flat list; any other count gives null.
            guard indices.count == 1 else { return .null }
            let i = try ParamDecoder.uint64(indices[0], "param 1[0]")
            guard let tt = try traces(ofTransaction: h, n) else { return .null }
            let all = localized(tt)
            return i < UInt64(all.count) ? all[Int(i)] : .null
        }
        t.register("trace_block", maxParams: 1, long: true) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { return .array([]) }
            return .array(try traces(ofBlock: b, n).flatMap(localized))
        }
        t.register("trace_filter", maxParams: 1, long: true) { p in try filter(try p.object(0), n) }
        t.register("trace_replayTransaction", maxParams: 2, long: true) { p in
            let h = try p.hash(0)
            try checkTraceTypes(try p.array(1), param: 1)
            guard let m = n.reader.transaction(hash: h), let b = n.reader.block(number: m.blockNumber) else {
                throw RPCError.server("transaction not found")
            }
            let tracer = CallTracer()
            let outcomes = try TraceMethods.replay(b, through: Int(m.index), n) { $0 == Int(m.index) ? tracer : nil }
            return traceResults(tracer, output: outcomes.last?.output ?? [], wanted: try p.array(1))
        }
        t.register("trace_replayBlockTransactions", maxParams: 2, long: true) { p in
            try checkTraceTypes(try p.array(1), param: 1)
            guard let b = n.resolveOptional(try p.blockTag(0)) else { throw RPCError.server("block not found", code: -32001) }
            var tracers: [CallTracer] = []
            let outcomes = try TraceMethods.replay(b, through: nil, n) { _ in let tr = CallTracer(); tracers.append(tr); return tr }
            let wanted = try p.array(1)
            return .array(zip(zip(b.transactionHashes, tracers), outcomes).map { pair, o in
                guard case .object(var f) = traceResults(pair.1, output: o.output, wanted: wanted) else { return .null }
                f.append(("transactionHash", .hash(pair.0)))
                return .object(f)
            })
        }
        t.register("trace_call", maxParams: 3, long: true) { p in
            try checkTraceTypes(try p.array(1), param: 1)
            // eth_call's request and block (pending included), with no state overrides.
            var raw: [JSON] = [try p.object(0)]
            raw.append(p.count > 2 && !(p[2]?.isNull ?? true) ? p[2]! : .string("latest"))
            let c = try await PreparedCall.make(Params(.array(raw), method: "trace_call"), n)
            let tracer = CallTracer()
            let o = try c.run(gasLimit: c.req.gas ?? c.env.gasLimit, n, tracer: tracer)
            return traceResults(tracer, output: o.output, wanted: try p.array(1))
        }
        t.register("trace_rawTransaction", maxParams: 3, long: true) { p in
            // A signed transaction traced as a call from its signer, without pooling it.
            let raw = try p.bytes(0)
            if raw.isEmpty { throw RPCError.invalidParams("param 0: empty raw transaction data") }
            let wanted = try p.array(1)
            try checkTraceTypes(wanted, param: 1)
            let ptx = try EthMethods.decodeUnpooled(raw, chainId: n.reader.chainId)
            var req = try CallRequest(.object([]))
            req.from = ptx.sender; req.to = ptx.tx.to; req.value = ptx.tx.value; req.data = ptx.tx.data
            req.gas = ptx.tx.gasLimit; req.accessList = ptx.tx.accessList
            let r = try await runCalls([req], at: try p.optionalBlockTag(2) ?? .latest, n)[0]
            return traceResults(r.1, output: r.0.output, wanted: wanted)
        }
        t.register("trace_callMany", maxParams: 2, long: true) { p in
            // Each call sees the state the previous ones left; the default block is pending, as Anvil.
            var reqs: [CallRequest] = [], types: [[JSON]] = []
            for (i, item) in try p.array(0).enumerated() {
                guard case .array(let pair) = item, pair.count == 2 else {
                    throw RPCError.invalidParams("param 0[\(i)]: expected [call, traceTypes]")
                }
                reqs.append(try CallRequest(try ParamDecoder.object(pair[0], "param 0[\(i)][0]")))
                let ts = try ParamDecoder.array(pair[1], "param 0[\(i)][1]")
                try checkTraceTypes(ts, param: 0)
                types.append(ts)
            }
            let results = try await runCalls(reqs, at: try p.optionalBlockTag(1) ?? .pending, n)
            return .array(zip(results, types).map { r, ts in traceResults(r.1, output: r.0.output, wanted: ts) })
        }
        t.register("trace_transactionOpcodeGas", maxParams: 1, long: true) { p in
            let h = try p.hash(0)
            guard let m = n.reader.transaction(hash: h), let b = n.reader.block(number: m.blockNumber) else { return .null }
            let logger = opcodeLogger()
            _ = try TraceMethods.replay(b, through: Int(m.index), n) { $0 == Int(m.index) ? logger : nil }
            return opcodeGas(h, logger)
        }
        t.register("trace_blockOpcodeGas", maxParams: 1, long: true) { p in
            guard let b = n.resolveOptional(try p.blockTag(0)) else { throw RPCError.server("block not found", code: -32001) }
            var loggers: [StructLogger] = []
            if !b.transactionHashes.isEmpty {
                _ = try TraceMethods.replay(b, through: nil, n) { _ in let l = opcodeLogger(); loggers.append(l); return l }
            }
            return .object([("blockHash", .hash(b.hash)), ("blockNumber", JSON(b.number)),
                            ("transactions", .array(zip(b.transactionHashes, loggers).map { opcodeGas($0.0, $0.1) }))])
        }
    }

    // MARK: opcode gas

    static func opcodeLogger() -> StructLogger {
        StructLogger(withStack: false, withMemory: false, withStorage: false, limit: Int.max)
    }

    /// Per opcode (in order of first use): how often it ran and the gas it charged (for calls
    /// and creations, the gas handed on included, as the struct logger's gasCost).
    static func opcodeGas(_ h: Hash, _ l: StructLogger) -> JSON {
        var order: [String] = [], count: [String: UInt64] = [:], gas: [String: UInt64] = [:]
        for s in l.steps {
            if count[s.op] == nil { order.append(s.op) }
            count[s.op, default: 0] += 1
            gas[s.op, default: 0] &+= s.gasCost
        }
        return .object([("transactionHash", .hash(h)), ("opcodeGas", .array(order.map { op in
            .object([("opcode", .string(op)), ("count", JSON(count[op]!)), ("gasUsed", JSON(gas[op]!))])
        }))])
    }

    /// Runs `reqs` in turn over one state (the block `tag` names, or the pending block), each
    /// traced; nothing is written.
    static func runCalls(_ reqs: [CallRequest], at tag: BlockTag, _ n: NodeContext) async throws -> [(CallOutcome, CallTracer)] {
        func run(_ base: StateSource, _ env: BlockEnv) throws -> [(CallOutcome, CallTracer)] {
            let overlay = StateOverlay(base: base)
            return try reqs.map { r in
                let from = r.from ?? .zero
                if overlay.balance(of: from) < r.value {
                    throw RPCError.server("insufficient funds for gas * price + value: address \(from.checksummed) have \(overlay.balance(of: from)) want \(r.value)", code: -32003)
                }
                let tracer = CallTracer()
                let o = n.reader.executor.run(from: from, to: r.to, value: r.value, data: r.data, gasLimit: r.gas ?? env.gasLimit,
                                              accessList: r.accessList, state: overlay, env: env, tracer: tracer)
                overlay.commitCheckpoints()
                return (o, tracer)
            }
        }
        if tag == .pending {
            let (state, env, _) = await n.chain.pendingState()
            return try run(FrozenOverlay(state), env)
        }
        let b = try n.resolve(tag)
        return try n.read(b) { st in try run(st, n.reader.env(of: b)) }
    }

    // MARK: tracing

    /// The flat traces of a mined transaction; nil when the hash is not a mined transaction.
    static func traces(ofTransaction h: Hash, _ n: NodeContext) throws -> TxTraces? {
        guard let m = n.reader.transaction(hash: h), let b = n.reader.block(number: m.blockNumber) else { return nil }
        let tracer = CallTracer()
        _ = try TraceMethods.replay(b, through: Int(m.index), n) { $0 == Int(m.index) ? tracer : nil }
        return TxTraces(block: b, txHash: h, position: Int(m.index), flats: flatten(tracer))
    }

    /// The flat traces of every transaction of a block, in block order.
    static func traces(ofBlock b: Block, _ n: NodeContext) throws -> [TxTraces] {
        if b.transactionHashes.isEmpty { return [] }
        var tracers: [CallTracer] = []
        _ = try TraceMethods.replay(b, through: nil, n) { _ in let tr = CallTracer(); tracers.append(tr); return tr }
        return zip(b.transactionHashes, tracers).enumerated().map { i, pair in
            TxTraces(block: b, txHash: pair.0, position: i, flats: flatten(pair.1))
        }
    }

    static func flatten(_ tracer: CallTracer) -> [Flat] {
        guard let root = tracer.root else { return [] }
        let own = tracer.rootFrameGas ?? (root.gas, root.gasUsed)
        var out = [Flat(call: root, traceAddress: [], gas: own.gas, gasUsed: own.gasUsed)]
        func walk(_ c: CallTracer.Call, _ path: [Int]) {
            for (i, sub) in c.calls.enumerated() {
                out.append(Flat(call: sub, traceAddress: path + [i], gas: sub.gas, gasUsed: sub.gasUsed))
                walk(sub, path + [i])
            }
        }
        walk(root, [])
        return out
    }

    // MARK: shapes

    /// Parity's words for a failure (revm-inspectors' table); nil for success.
    static func parityError(_ c: CallTracer.Call) -> String? {
        guard let e = c.error else { return nil }
        if e == "execution reverted" { return "Reverted" }
        if e.hasPrefix("out of gas") || e == "contract creation code storage out of gas" { return "Out of gas" }
        if e.hasPrefix("invalid opcode") { return "Bad instruction" }
        if e == "invalid jump destination" { return "Bad jump destination" }
        if e.hasPrefix("stack limit reached") { return "Out of stack" }
        if e.hasPrefix("stack underflow") { return "StackUnderflow" }
        switch e {
        case "write protection": return "StateChangeDuringStaticCall"
        case "return data out of bounds": return "OutOfOffset"
        case "max code size exceeded": return "CreateContractSizeLimit"
        case "max initcode size exceeded": return "CreateInitCodeSizeLimit"
        case "contract address collision": return "CreateCollision"
        case "invalid code: must not begin with 0xef": return "CreateContractStartingWithEF"
        case "max call depth exceeded": return "CallTooDeep"
        case "insufficient balance for transfer": return "OutOfFunds"
        case "nonce uint64 overflow": return "NonceOverflow"
        default: return "Built-in failed"
        }
    }

    static func action(_ f: Flat) -> JSON {
        let c = f.call
        if f.isCreate {
            return .object([("from", .address(c.from)), ("gas", .quantity(f.gas)), ("init", .data(c.input)),
                            ("value", .quantity(f.value)), ("creationMethod", .string(c.type.lowercased()))])
        }
        return .object([("from", .address(c.from)), ("callType", .string(c.type.lowercased())), ("gas", .quantity(f.gas)),
                        ("input", .data(c.input)), ("to", .address(c.to ?? .zero)), ("value", .quantity(f.value))])
    }

    /// The result: null for a failure other than a revert.
    static func result(_ f: Flat) -> JSON {
        let c = f.call
        if c.error != nil && c.error != "execution reverted" { return .null }
        if f.isCreate {
            return .object([("address", .address(c.to ?? .zero)), ("code", .data(c.output)), ("gasUsed", .quantity(f.gasUsed))])
        }
        return .object([("gasUsed", .quantity(f.gasUsed)), ("output", .data(c.output))])
    }

    /// A trace without its block and transaction (trace_call, trace_replay*).
    static func plain(_ f: Flat) -> JSON {
        var o: [(String, JSON)] = [("action", action(f))]
        if let e = parityError(f.call) { o.append(("error", .string(e))) }
        o += [("result", result(f)), ("subtraces", JSON(f.call.calls.count)),
              ("traceAddress", .array(f.traceAddress.map { JSON($0) })), ("type", .string(f.isCreate ? "create" : "call"))]
        return .object(o)
    }

    static func localized(_ tt: TxTraces) -> [JSON] {
        tt.flats.map { f in
            var o: [(String, JSON)] = [("action", action(f)), ("blockHash", .hash(tt.block.hash)),
                                       ("blockNumber", JSON(tt.block.number))]
            if let e = parityError(f.call) { o.append(("error", .string(e))) }
            o += [("result", result(f)), ("subtraces", JSON(f.call.calls.count)),
                  ("traceAddress", .array(f.traceAddress.map { JSON($0) })), ("transactionHash", .hash(tt.txHash)),
                  ("transactionPosition", JSON(tt.position)), ("type", .string(f.isCreate ? "create" : "call"))]
            return .object(o)
        }
    }

    /// Only the `trace` part of Parity's replay results is built; `vmTrace` and `stateDiff`
    /// are refused rather than answered empty.
    static func checkTraceTypes(_ types: [JSON], param: Int) throws {
        for (i, v) in types.enumerated() {
            guard case .string(let s) = v else { throw RPCError.invalidParams("param \(param)[\(i)]: expected a trace type string") }
            switch s {
            case "trace": continue
            case "vmTrace", "stateDiff":
                throw RPCError.invalidParams("param \(param): trace type \(s) is not served; stakenet builds the `trace` part only (use debug_traceTransaction's struct logger for opcode-level detail)")
            default: throw RPCError.invalidParams("param \(param)[\(i)]: unknown trace type \(s); expected trace, vmTrace or stateDiff")
            }
        }
    }

    static func traceResults(_ tracer: CallTracer, output: [UInt8], wanted: [JSON]) -> JSON {
        let withTrace = wanted.contains(.string("trace"))
        return .object([("output", .data(output)), ("stateDiff", .null),
                        ("trace", .array(withTrace ? flatten(tracer).map(plain) : [])), ("vmTrace", .null)])
    }

    // MARK: trace_filter

    /// Anvil's trace_filter: at most 300 blocks; `fromAddress`/`toAddress` match a call's
    /// sender/callee (a creation's creator/created contract), joined by `mode` (`union`, the
    /// default, or `intersection`); `after` skips, `count` limits.
    static func filter(_ o: JSON, _ n: NodeContext) throws -> JSON {
        func number(_ k: String, default d: UInt64) throws -> UInt64 {
            guard let v = o[k], !v.isNull else { return d }
            switch try ParamDecoder.blockTag(v, "param 0.\(k)") {
            case .number(let x): return x
            case .earliest: return 0
            case .hash(let h, _):
                guard let b = n.reader.block(hash: h) else { throw RPCError.server("block \(h.hex) not found") }
                return b.number
            default: return n.reader.headNumber
            }
        }
        func addresses(_ k: String) throws -> Set<Address> {
            guard let v = o[k], !v.isNull else { return [] }
            if case .string = v { return [try ParamDecoder.address(v, "param 0.\(k)")] }
            return Set(try ParamDecoder.array(v, "param 0.\(k)").enumerated().map { i, a in
                try ParamDecoder.address(a, "param 0.\(k)[\(i)]")
            })
        }
        let start = try number("fromBlock", default: 0)
        let end = try number("toBlock", default: n.reader.headNumber)
        guard start <= end else {
            throw RPCError.invalidParams("invalid block range, ensure that to block is greater than from block")
        }
        guard end - start <= 300 else { throw RPCError.invalidParams("block range too large, currently limited to 300") }
        let from = try addresses("fromAddress"), to = try addresses("toAddress")
        var intersection = false
        if let m = o["mode"], !m.isNull {
            switch try ParamDecoder.string(m, "param 0.mode") {
            case "union": intersection = false
            case "intersection": intersection = true
            case let other: throw RPCError.invalidParams("param 0.mode: expected union or intersection, got \(other)")
            }
        }
        let after = try o["after"].flatMap { $0.isNull ? nil : try ParamDecoder.uint64($0, "param 0.after") } ?? 0
        let count = try o["count"].flatMap { $0.isNull ? nil : try ParamDecoder.uint64($0, "param 0.count") }

        func matches(_ f: Flat) -> Bool {
            // A failed creation has no created address: it matches only an empty `toAddress`.
            let target = f.isCreate && f.call.error != nil ? nil : f.to
            let fromHit = from.isEmpty || from.contains(f.from)
            let toHit = to.isEmpty || (target.map { to.contains($0) } ?? false)
            if intersection { return fromHit && toHit }
            if from.isEmpty { return toHit }
            if to.isEmpty { return fromHit }
            return fromHit || toHit
        }
        var out: [JSON] = []
        var skipped: UInt64 = 0
        var num = start
        while num <= end, num <= n.reader.headNumber {
            guard let b = n.reader.block(number: num) else { break }
            for tt in try traces(ofBlock: b, n) {
                let local = localized(tt)
                for (f, j) in zip(tt.flats, local) where matches(f) {
                    if skipped < after { skipped += 1; continue }
                    if let count, UInt64(out.count) >= count { return .array(out) }
                    out.append(j)
                }
            }
            if num == UInt64.max { break }
            num += 1
        }
        return .array(out)
    }
}
