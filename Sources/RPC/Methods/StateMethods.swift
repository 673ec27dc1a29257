import Foundation
import Primitives
import Chain
import Contracts
import EVM

/// State cheats: `anvil_dealERC20`/`anvil_setERC20Balance` and `anvil_setERC20Allowance` (the
/// four native tokens), `anvil_dumpState`, `anvil_loadState`,
/// and the file forms the CLI uses for `--dump-state` / `--load-state` / `--state`.
///
/// A dump is JSON in Anvil's spirit:
///
///     {"stakenet":"state/2","chainId":31337,
///      "block":{"number":"0x…","timestamp":"0x…"},"time":"0x…",
///      "accounts":{"0x…":{"nonce":"0x…","balance":"0x…","code":"0x…","storage":{"0xslot":"0xvalue"}}},
///      "raw":{"0xkey":"0xvalue"}}
///
/// `code` is the account's code, present for accounts that have any; in `state/2` an account
/// without it has none (loading sets that), and the five native contracts keep their own code
/// whatever a dump says. `state/1` (before accounts had code) still loads: its `code` fields
/// (the native contracts' placeholders) are ignored and every account keeps the code it has.
///
/// `anvil_dumpState` returns it hex-encoded (`0x` + hex of the JSON text), as Anvil returns its
/// blob; `anvil_loadState` takes that hex string (or the JSON object itself). Files hold the
/// JSON text.
public enum StateMethods {
    public static let format = "state/2"
    /// Earlier formats the loader still reads.
    public static let formatWithoutCode = "state/1"

    static func register(_ t: MethodTable, _ n: NodeContext) {
        // anvil_dealERC20(holder, token, amount) as Anvil orders them (anvil_setERC20Balance is
        // Anvil's other name for it); (token, holder, amount) is accepted too: whichever of the
        // two addresses is a native token is the token. aMATICb's amount is in bonds (what
        // balanceOf returns), stored as shares.
        t.register(["anvil_dealERC20", "anvil_dealErc20", "hardhat_dealERC20", "anvil_setERC20Balance"], maxParams: 3) { p in
            try p.requirePositional()
            let a0 = try p.address(0), a1 = try p.address(1)
            let amount = try p.quantity(2)
            let (holder, token) = isToken(a1, n) || !isToken(a0, n) ? (a0, a1) : (a1, a0)
            guard isToken(token, n) else {
                // Any other token, as Anvil: the balanceOf slot found by tracing, then set.
                let call = [0x70, 0xa0, 0x82, 0x31] + word(holder)
                try await setFoundSlot(token, call, amount, n, param: 1, what: "balance")
                return .null
            }
            let contracts = n.reader.contracts
            do {
                try await rpc {
                    try await n.chain.modifyState { s in
                        try contracts.dealERC20(token: token, holder: holder, amount: amount, state: s)
                    }
                }
            } catch let e as ContractsError {
                throw RPCError.invalidParams("param 2: \(e.description)")
            }
            return .null
        }
        // anvil_setERC20Allowance(owner, spender, token, amount), Anvil's order.
        t.register("anvil_setERC20Allowance", maxParams: 4) { p in
            try p.requirePositional()
            let owner = try p.address(0), spender = try p.address(1), token = try p.address(2)
            let amount = try p.quantity(3)
            guard isToken(token, n) else {
                let call = [0xdd, 0x62, 0xed, 0x3e] + word(owner) + word(spender)
                try await setFoundSlot(token, call, amount, n, param: 2, what: "allowance")
                return .null
            }
            let contracts = n.reader.contracts
            try await rpc {
                try await n.chain.modifyState { s in
                    try contracts.setERC20Allowance(token: token, owner: owner, spender: spender, amount: amount, state: s)
                }
            }
            return .null
        }
        t.register(["anvil_dumpState", "hardhat_dumpState"], maxParams: 1, long: true) { p in
            try p.requirePositional()
            return .data(try await dump(n))
        }
        t.register(["anvil_loadState", "hardhat_loadState"], maxParams: 1, long: true) { p in
            try p.requirePositional()
            let v = try p.value(0)
            let doc: JSON
            switch v {
            case .object: doc = v
            case .string:
                doc = try parse(try ParamDecoder.bytes(v, "param 0"), what: "param 0")
            default:
                throw RPCError.invalidParams("param 0: expected the hex string anvil_dumpState returned, got \(v.kindName)")
            }
            try await load(doc, n)
            return .bool(true)
        }
    }

    /// Anvil's `find_erc20_storage_slot`: runs the view `call` (balanceOf/allowance) on `token`
    /// with a struct logger, then tries the slots it read, last first, each set to `value` over
    /// the head state, until the view returns `value`; that slot is then written (only that
    /// slot: the token's total supply is not touched, as with Anvil).
    static func setFoundSlot(_ token: Address, _ call: [UInt8], _ value: UInt256, _ n: NodeContext,
                             param: Int, what: String) async throws {
        let reader = n.reader
        let head = reader.head
        guard reader.account(token, at: head.number).hasCode, reader.contracts.addresses.name(of: token) == nil else {
            throw notToken(token, n, param: param)
        }
        let env = reader.env(of: head)
        let slot: Hash? = try n.read(head) { state in
            let logger = StructLogger(withStack: true, withMemory: false, withStorage: false, limit: 100_000)
            let first = reader.executor.run(from: .zero, to: token, value: .zero, data: call, gasLimit: 10_000_000,
                                            state: StateOverlay(base: state), env: env, tracer: logger)
            guard first.success else { return nil }
            var seen = Set<UInt256>(), keys: [UInt256] = []
            for step in logger.steps.reversed() where step.op == "SLOAD" {
                if let k = step.stack?.last, seen.insert(k).inserted { keys.append(k) }
            }
            for k in keys {
                let overlay = StateOverlay(base: state)
                overlay.setStorage(token, Hash(k), value)
                let o = reader.executor.run(from: .zero, to: token, value: .zero, data: call, gasLimit: 10_000_000,
                                            state: overlay, env: env)
                if o.success, o.output.count >= 32, UInt256(bigEndian: Array(o.output.prefix(32))) == value { return Hash(k) }
            }
            return nil
        }
        guard let slot else {
            throw RPCError.server("Unable to set ERC20 \(what), no slot found")
        }
        try await rpc { try await n.chain.setStorage(token, slot, value) }
    }

    static func isToken(_ a: Address, _ n: NodeContext) -> Bool {
        let addrs = n.config.addresses
        return a == addrs.matic || a == addrs.ankr || a == addrs.aMATICb || a == addrs.aMATICc
    }

    /// Neither a native token (whose layout stakenet knows: tracing cannot see inside Swift
    /// contracts) nor an account with code to trace.
    static func notToken(_ a: Address, _ n: NodeContext, param: Int) -> RPCError {
        let addrs = n.config.addresses
        return RPCError.invalidParams("param \(param): \(a.checksummed) is neither one of stakenet's native tokens, MATIC (\(addrs.matic.checksummed)), aMATICb (\(addrs.aMATICb.checksummed)), aMATICc (\(addrs.aMATICc.checksummed)) or ANKR (\(addrs.ankr.checksummed)), nor a contract with code whose storage slot can be found by tracing")
    }

    /// An address as a 32-byte ABI word.
    static func word(_ a: Address) -> [UInt8] { [UInt8](repeating: 0, count: 12) + a.bytes }

    // MARK: dump

    /// The head state as JSON text.
    public static func dump(_ n: NodeContext) async throws -> [UInt8] {
        let d = try await rpc { try await n.chain.dumpState() }
        return json(d, n).serialized()
    }

    /// A state file (`--dump-state`, `--state`): the dump plus `history`, every database entry
    /// of the chain as `{"0xkey": "0xvalue"}`, so loading it into a fresh node restores blocks,
    /// transactions, receipts and logs too (see `historyEntries` and `ChainStore.importHistory`).
    public static func dumpFile(_ n: NodeContext) async throws -> [UInt8] {
        let d = try await rpc { try await n.chain.dumpState() }
        let history = try await rpc { try await n.chain.exportHistory() }
        guard case .object(var fields) = json(d, n) else { return [] }
        fields.append(("history", .object(history.map { (Hex.encode($0.key), .data($0.value)) })))
        return JSON.object(fields).serialized()
    }

    /// A state file's `history` entries, nil when it has none (an `anvil_dumpState` blob, an
    /// Anvil state file); `ChainStore.importHistory` writes them into an empty database before
    /// the chain opens.
    public static func historyEntries(_ doc: JSON) throws -> [(key: [UInt8], value: [UInt8])]? {
        guard let h = doc["history"], !h.isNull else { return nil }
        guard let pairs = h.objectValue else { throw RPCError.invalidParams("state.history: expected an object") }
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(pairs.count)
        for (k, v) in pairs {
            guard let key = Hex.decode(k), !key.isEmpty else { throw RPCError.invalidParams("state.history: bad key \(k)") }
            entries.append((key, try ParamDecoder.bytes(v, "state.history.\(k)")))
        }
        return entries
    }

    /// Anvil's rule for state paths: an existing directory means `DIR/state.json`.
    public static func statePath(_ path: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return (path as NSString).appendingPathComponent("state.json")
        }
        return path
    }

    static func json(_ d: StateDump, _ n: NodeContext) -> JSON {
        var entries: [Address: (Account?, [(Hash, UInt256)]?)] = [:]
        for (a, acct) in d.accounts { entries[a, default: (nil, nil)].0 = acct }
        for c in d.storage { entries[c.address, default: (nil, nil)].1 = c.slots.map { ($0.slot, $0.value) } }
        let accounts: [(String, JSON)] = entries.keys.sorted().map { a in
            let (acct, slots) = entries[a]!
            let account = acct ?? .empty
            var o: [(String, JSON)] = [("nonce", .quantity(account.nonce)), ("balance", .quantity(account.balance))]
            if account.hasCode { o.append(("code", .data(d.codes[account.codeHash] ?? []))) }
            if let slots { o.append(("storage", .object(slots.map { ($0.0.hex, .data($0.1.bytes32)) }))) }
            return (a.hex, .object(o))
        }
        var doc: [(String, JSON)] = [
            ("stakenet", .string(format)),
            ("chainId", JSON(n.reader.chainId)),
            ("block", .object([("number", .quantity(d.headNumber)), ("timestamp", .quantity(d.headTimestamp))])),
            ("time", .quantity(d.chainTime)),
            ("accounts", .object(accounts)),
        ]
        if !d.raw.isEmpty { doc.append(("raw", .object(d.raw.map { (Hex.encode($0.key), .data($0.value)) }))) }
        return .object(doc)
    }

    // MARK: load

    /// Parses a dump: JSON text, or `0x` hex of it.
    public static func parse(_ bytes: [UInt8], what: String = "state") throws -> JSON {
        var body = bytes
        while let f = body.first, f == 0x20 || f == 0x0a || f == 0x0d || f == 0x09 { body.removeFirst() }
        if body.starts(with: [0x30, 0x78]) {     // "0x…": hex of the JSON text
            let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let decoded = Hex.decode(text) else { throw RPCError.invalidParams("\(what): not valid hex") }
            body = decoded
        }
        if body.starts(with: [0x1f, 0x8b]) {
            throw RPCError.invalidParams("\(what): a gzip blob (an Anvil dump?) is not a stakenet state dump")
        }
        do { return try JSON.parse(body) } catch {
            throw RPCError.invalidParams("\(what): not a stakenet state dump (JSON expected: \(error))")
        }
    }

    /// Merges a parsed dump into the head state.
    public static func load(_ doc: JSON, _ n: NodeContext) async throws {
        let d = try decode(doc)
        try await rpc { try await n.chain.loadState(d) }
    }

    /// Loads a dump file's contents (JSON text or hex of it).
    public static func load(bytes: [UInt8], _ n: NodeContext) async throws {
        try await load(try parse(bytes), n)
    }

    static func decode(_ doc: JSON) throws -> StateDump {
        guard case .object = doc else { throw RPCError.invalidParams("state dump: expected an object") }
        var d = StateDump()
        if let f = doc["stakenet"], f != .string(format) {
            guard f == .string(formatWithoutCode) else {
                throw RPCError.invalidParams("state dump: unsupported format \(f.jsonString) (this node reads \"\(format)\" and \"\(formatWithoutCode)\")")
            }
            d.carriesCode = false
        }
        if let t = doc["time"], !t.isNull { d.chainTime = try ParamDecoder.uint64(t, "state.time") }
        if let b = doc["block"], let ts = b["timestamp"], !ts.isNull { d.headTimestamp = try ParamDecoder.uint64(ts, "state.block.timestamp") }
        guard let accounts = doc["accounts"]?.objectValue else { throw RPCError.invalidParams("state dump: missing \"accounts\" object") }
        for (key, entry) in accounts {
            let what = "state.accounts.\(key)"
            guard let a = Address(hex: key), key.utf8.count == 42 else { throw RPCError.invalidParams("\(what): not an address") }
            guard case .object = entry else { throw RPCError.invalidParams("\(what): expected an object") }
            let nonce = try entry["nonce"].map { try ParamDecoder.uint64($0, "\(what).nonce") } ?? 0
            let balance = try entry["balance"].map { try ParamDecoder.quantity($0, "\(what).balance") } ?? .zero
            var account = Account(nonce: nonce, balance: balance)
            if d.carriesCode, let c = entry["code"], !c.isNull {
                let code = try ParamDecoder.bytes(c, "\(what).code")
                guard code.count <= CheatMethods.maxCheatCodeSize else {
                    throw RPCError.invalidParams("\(what).code: \(code.count) bytes is larger than the \(CheatMethods.maxCheatCodeSize)-byte limit")
                }
                if !code.isEmpty {
                    account.codeHash = Hash.keccak(code)
                    d.codes[account.codeHash] = code
                }
            }
            d.accounts.append((a, account))
            if let storage = entry["storage"], !storage.isNull {
                guard let pairs = storage.objectValue else { throw RPCError.invalidParams("\(what).storage: expected an object") }
                var slots: [(slot: Hash, value: UInt256)] = []
                for (k, v) in pairs {
                    guard let slotValue = UInt256(hex: k), k.hasPrefix("0x") else { throw RPCError.invalidParams("\(what).storage: bad slot \(k)") }
                    let value = try ParamDecoder.quantity(v, "\(what).storage.\(k)")
                    slots.append((Hash(slotValue), value))
                }
                d.storage.append(StateDump.ContractStorage(address: a, slots: slots))
            }
        }
        if let raw = doc["raw"]?.objectValue {
            for (k, v) in raw {
                guard let key = Hex.decode(k), StateDump.isRawKey(key) else {
                    throw RPCError.invalidParams("state.raw: bad key \(k)")
                }
                d.raw.append((key, try ParamDecoder.bytes(v, "state.raw.\(k)")))
            }
        }
        return d
    }
}
