import Primitives
import Chain
import EVM

/// Otterscan's views that need call traces, answered as Anvil answers them: from the flat
/// Parity-style traces (ParityTraceMethods), which re-execute the blocks on demand.
enum OtterscanMethods {
    typealias Flat = ParityTraceMethods.Flat

    static func register(_ t: MethodTable, _ n: NodeContext) {
        t.register("ots_getInternalOperations", maxParams: 1, long: true) { p in
            guard let tt = try ParityTraceMethods.traces(ofTransaction: try p.hash(0), n) else {
                throw RPCError(code: -32603, message: "Required data unavailable")
            }
            // As Anvil: every call with value (the top call too) and every creation.
            return .array(tt.flats.compactMap { f -> JSON? in
                let type: Int
                switch f.call.type {
                case "CALL" where !f.value.isZero: type = 0
                case "CREATE": type = 2
                case "CREATE2": type = 3
                default: return nil
                }
                return .object([("type", JSON(type)), ("from", .address(f.from)), ("to", .address(f.to ?? .zero)),
                                ("value", .quantity(f.value))])
            })
        }
        t.register("ots_traceTransaction", maxParams: 1, long: true) { p in
            guard let tt = try ParityTraceMethods.traces(ofTransaction: try p.hash(0), n) else { return .array([]) }
            // The calls (creations left out, as Anvil), each with its depth in the call tree.
            return .array(tt.flats.filter { !$0.isCreate }.map { f in
                .object([("type", .string(f.call.type)), ("depth", JSON(f.traceAddress.count)), ("from", .address(f.from)),
                         ("to", .address(f.to ?? .zero)), ("value", .quantity(f.value)), ("input", .data(f.call.input)),
                         ("output", .data(ParityTraceMethods.result(f).isNull ? [] : f.call.output))])
            })
        }
        t.register("ots_searchTransactionsBefore", maxParams: 3, long: true) { p in
            let a = try p.address(0), number = try p.uint64(1), size = Int(clamping: try p.uint64(2))
            let best = n.reader.headNumber
            let from = number == 0 ? best : number - 1
            let to: UInt64 = 1
            let firstPage = from >= best
            var lastPage = false
            var found: [Hash] = []
            if from >= to {
                var num = from
                while true {
                    if let b = n.reader.block(number: num) {
                        let hashes = try touching(a, in: b, n).reversed()
                        if found.count >= size { break }
                        found += hashes
                    }
                    if num == to { lastPage = true; break }
                    num -= 1
                }
            }
            return page(found, firstPage: firstPage, lastPage: lastPage, n)
        }
        t.register("ots_searchTransactionsAfter", maxParams: 3, long: true) { p in
            let a = try p.address(0), number = try p.uint64(1), size = Int(clamping: try p.uint64(2))
            let best = n.reader.headNumber
            let first: UInt64 = 1
            let from = number == 0 ? first : number + 1
            var firstPage = from >= best
            var lastPage = false
            var found: [Hash] = []
            var num = from
            while num <= best {
                if num == first { lastPage = true }
                if let b = n.reader.block(number: num) {
                    let hashes = try touching(a, in: b, n).reversed()
                    if found.count >= size { break }
                    found += hashes
                }
                if num == best { firstPage = true }
                num += 1
            }
            // Newest first, as the Otterscan spec wants.
            return page(found.reversed(), firstPage: firstPage, lastPage: lastPage, n)
        }
    }

    /// The hashes of `b`'s transactions in which `a` sends or receives a call or creates or is
    /// created, in block order, each once.
    static func touching(_ a: Address, in b: Block, _ n: NodeContext) throws -> [Hash] {
        let all = try ParityTraceMethods.traces(ofBlock: b, n)
        return all.filter { tt in tt.flats.contains { $0.from == a || $0.to == a } }.map(\.txHash)
    }

    /// Otterscan's page: the transactions, their receipts (without logs, with the block's
    /// timestamp), and whether this is the newest and the oldest page.
    static func page(_ hashes: [Hash], firstPage: Bool, lastPage: Bool, _ n: NodeContext) -> JSON {
        var txs: [JSON] = [], receipts: [JSON] = []
        for h in hashes {
            guard let m = n.reader.transaction(hash: h), let b = n.reader.block(number: m.blockNumber),
                  let r = n.reader.receipt(hash: h) else { continue }
            txs.append(Format.transaction(m.tx, hash: h, sender: m.sender, block: b, index: m.index))
            receipts.append(otsReceipt(r, timestamp: b.header.timestamp))
        }
        return .object([("txs", .array(txs)), ("receipts", .array(receipts)), ("firstPage", .bool(firstPage)),
                        ("lastPage", .bool(lastPage))])
    }

    static func otsReceipt(_ r: ReceiptRecord, timestamp: UInt64) -> JSON {
        guard case .object(var o) = Format.receipt(r) else { return .null }
        o.removeAll { $0.0 == "logs" || $0.0 == "logsBloom" }
        o.append(("timestamp", .quantity(timestamp)))
        return .object(o)
    }
}
