import Foundation
import Primitives
import Chain
import Contracts

/// Anvil/Hardhat cheats: mining, time, snapshots, state, impersonation. Result shapes as
/// Anvil's; both `anvil_` and `hardhat_` names where both exist.
enum CheatMethods {
    static func register(_ t: MethodTable, _ n: NodeContext) {
        let chain = n.chain, reader = n.reader

        // MARK: mining

        t.register("evm_mine", maxParams: 1, long: true) { p in
            let (ts, blocks) = try mineOptions(p)
            guard blocks <= n.limits.maxMineBlocks else {
                throw RPCError.invalidParams("param 0.blocks: at most \(n.limits.maxMineBlocks) blocks per call")
            }
            try await rpc {
                if let ts { try await chain.setNextBlockTimestamp(ts) }
                _ = try await chain.mine(count: blocks, interval: nil)
            }
            return .string("0x0")
        }
        t.register(["anvil_mine", "hardhat_mine"], maxParams: 2, long: true) { p in
            let count = try p.optionalUInt64(0) ?? 1
            let interval = try p.optionalUInt64(1)
            guard count <= n.limits.maxMineBlocks else {
                throw RPCError.invalidParams("param 0: at most \(n.limits.maxMineBlocks) blocks per call")
            }
            try await rpc { _ = try await chain.mine(count: count, interval: interval) }
            return .null
        }
        t.register(["evm_setAutomine", "anvil_setAutomine"], maxParams: 1) { p in
            let on = try p.bool(0)
            try await rpc { try await chain.setAutomine(on) }
            return .null
        }
        t.register(["anvil_getAutomine", "hardhat_getAutomine"], maxParams: 0) { _ in .bool(await chain.automine) }
        t.register("anvil_getIntervalMining", maxParams: 0) { _ in (await chain.miningInterval).map { JSON($0) } ?? .null }
        // Seconds, as Anvil and viem's setIntervalMining (Hardhat's takes milliseconds); 0 stops it.
        t.register(["evm_setIntervalMining", "anvil_setIntervalMining"], maxParams: 1) { p in
            await chain.setIntervalMining(try signedSeconds(p, 0))
            return .null
        }
        t.register(["anvil_setNextBlockBaseFeePerGas", "hardhat_setNextBlockBaseFeePerGas"], maxParams: 1) { p in
            await chain.setNextBaseFee(try p.quantity(0))
            return .null
        }
        t.register(["evm_setBlockGasLimit", "anvil_setBlockGasLimit"], maxParams: 1) { p in
            let limit = try p.uint64(0)
            guard limit >= 21_000 else { throw RPCError.invalidParams("param 0: a block gas limit below 21000 cannot hold a transaction") }
            await chain.setBlockGasLimit(limit)
            return .bool(true)
        }

        // MARK: time

        t.register(["evm_increaseTime", "anvil_increaseTime"], maxParams: 1) { p in
            let s = try signedSeconds(p, 0)
            return JSON(Int(try await chain.increaseTime(s)))
        }
        t.register(["evm_setNextBlockTimestamp", "anvil_setNextBlockTimestamp"], maxParams: 1) { p in
            let ts = try p.uint64(0)
            try await rpc { try await chain.setNextBlockTimestamp(ts) }
            return .null
        }
        t.register(["anvil_setTime", "evm_setTime"], maxParams: 1) { p in
            let ts = try p.uint64(0)
            return JSON(Int(try await rpc { try await chain.setTime(ts) }))
        }
        t.register("anvil_setBlockTimestampInterval", maxParams: 1) { p in
            try await chain.setBlockTimestampInterval(try p.uint64(0))
            return .null
        }
        t.register("anvil_removeBlockTimestampInterval", maxParams: 0) { _ in
            let had = await chain.clock.state.interval != nil
            try await chain.setBlockTimestampInterval(nil)
            return .bool(had)
        }

        // MARK: snapshots

        t.register(["evm_snapshot", "anvil_snapshot"], maxParams: 0) { _ in .quantity(try await rpc { try await chain.snapshot() }) }
        t.register(["evm_revert", "anvil_revert"], maxParams: 1, long: true) { p in
            // A malformed id is an error (as Anvil's U256 param); a well-formed unknown one is false.
            let id = try ParamDecoder.quantity(try p.value(0), "param 0 (snapshot id)")
            guard let id64 = id.uint64 else { return .bool(false) }
            return .bool(try await rpc { try await chain.revert(to: id64) })
        }
        t.register(["anvil_reset", "hardhat_reset"], maxParams: 1, long: true) { p in
            if let o = try p.optionalObject(0), o["forking"] != nil, !(o["forking"]!.isNull) {
                throw RPCError.invalidParams("param 0.forking: stakenet does not fork; it emulates the contracts natively")
            }
            try await rpc { try await chain.reset() }
            return .null
        }

        // MARK: state

        t.register(["anvil_setBalance", "hardhat_setBalance", "tenderly_setBalance"], maxParams: 2) { p in
            let a = try p.address(0), v = try p.quantity(1)
            try await rpc { try await chain.setBalance(a, v) }
            return .null
        }
        t.register(["anvil_addBalance", "hardhat_addBalance", "tenderly_addBalance"], maxParams: 2) { p in
            let a = try p.address(0), v = try p.quantity(1)
            try await rpc {
                try await chain.modifyState { s in s.setBalance(s.balance(of: a).saturatingAdd(v), of: a) }
            }
            return .null
        }
        t.register(["anvil_setNonce", "hardhat_setNonce", "evm_setAccountNonce"], maxParams: 2) { p in
            let a = try p.address(0), v = try p.uint64(1)
            try await rpc { try await chain.setNonce(a, v) }
            return .null
        }
        // anvil_setCode(address, code) → null, into the head state as the other state cheats.
        // Refused at the five native contracts, whose code is Swift.
        t.register(["anvil_setCode", "hardhat_setCode"], maxParams: 2) { p in
            let a = try p.address(0), code = try p.bytes(1)
            guard code.count <= maxCheatCodeSize else {
                throw RPCError.invalidParams("param 1: code of \(code.count) bytes is larger than the \(maxCheatCodeSize)-byte limit")
            }
            try await rpc { try await chain.setCode(code, of: a) }
            return .null
        }
        // anvil_setStorageAt(address, slot, value) → true. Any address, the native contracts'
        // solc-layout slots included.
        t.register(["anvil_setStorageAt", "hardhat_setStorageAt"], maxParams: 3) { p in
            let a = try p.address(0)
            let slot = try ParamDecoder.word(try p.value(1), "param 1 (slot)")
            let value = try ParamDecoder.word(try p.value(2), "param 2 (value)")
            try await rpc { try await chain.setStorage(a, Hash(slot), value) }
            return .bool(true)
        }
        t.register(["anvil_dropTransaction", "hardhat_dropTransaction"], maxParams: 1) { p in
            let h = try p.hash(0)
            return await chain.dropTransaction(h) ? .hash(h) : .null
        }
        t.register(["anvil_dropAllTransactions", "hardhat_dropAllTransactions"], maxParams: 0) { _ in
            await chain.dropAllTransactions()
            return .null
        }

        t.register("anvil_removePoolTransactions", maxParams: 1) { p in
            await chain.removePoolTransactions(from: try p.address(0)); return .null
        }
        t.register(["anvil_setCoinbase", "hardhat_setCoinbase"], maxParams: 1) { p in
            await chain.setCoinbase(try p.address(0)); return .null
        }
        t.register(["anvil_setLoggingEnabled", "hardhat_setLoggingEnabled"], maxParams: 1) { p in
            n.logging.enabled = try p.bool(0); return .null
        }
        // As Anvil after London: the base fee, not a minimum gas price, decides.
        t.register(["anvil_setMinGasPrice", "hardhat_setMinGasPrice"], maxParams: 1) { p in
            _ = try p.quantity(0)
            throw RPCError.server("anvil_setMinGasPrice is not supported when EIP-1559 is active")
        }

        // MARK: impersonation

        t.register(["anvil_impersonateAccount", "hardhat_impersonateAccount"], maxParams: 1) { p in
            await chain.impersonate(try p.address(0)); return .null
        }
        t.register(["anvil_stopImpersonatingAccount", "hardhat_stopImpersonatingAccount"], maxParams: 1) { p in
            await chain.stopImpersonating(try p.address(0)); return .null
        }
        t.register(["anvil_autoImpersonateAccount", "hardhat_autoImpersonateAccount"], maxParams: 1) { p in
            await chain.setAutoImpersonate(try p.bool(0)); return .null
        }

        // MARK: info

        t.register("anvil_nodeInfo", maxParams: 0) { _ in
            let head = reader.head
            return .object([
                ("currentBlockNumber", .quantity(head.number)),
                ("currentBlockTimestamp", JSON(head.header.timestamp)),
                ("currentBlockHash", .hash(head.hash)),
                ("hardFork", .string("cancun")),
                ("transactionOrder", .string(n.config.orderByFees ? "fees" : "fifo")),
                ("miningMode", .string(await chain.automine ? "auto" : (await chain.miningInterval).map { "interval \($0)s" } ?? "manual")),
                ("environment", .object([
                    ("baseFee", .quantity(await chain.nextBaseFee)),
                    ("chainId", JSON(n.reader.chainId)),
                    ("gasLimit", .quantity(await chain.currentBlockGasLimit)),
                    ("gasPrice", .quantity(await chain.nextBaseFee &+ EthMethods.gwei)),
                ])),
                ("forkConfig", .object([])),
            ])
        }
        t.register(["anvil_metadata", "hardhat_metadata"], maxParams: 0) { _ in
            let head = reader.head
            return .object([
                ("clientVersion", .string(n.clientVersion)),
                ("chainId", JSON(n.reader.chainId)),
                ("instanceId", .hash(reader.store.blockHash(number: 0) ?? .zero)),
                ("latestBlockNumber", JSON(head.number)),
                ("latestBlockHash", .hash(head.hash)),
                ("forkedNetwork", .null),
                ("snapshots", .object([])),
            ])
        }
    }

    /// The largest code `anvil_setCode` takes: 256 KiB, over ten times EIP-170's 24 KiB deployed-code
    /// limit (room for unoptimised builds, which Anvil lets tests install), and well inside the
    /// 2 MiB request body.
    static let maxCheatCodeSize = 256 * 1024

    /// A seconds count that must not be negative (JSON number or hex).
    static func signedSeconds(_ p: Params, _ i: Int) throws -> UInt64 {
        let v = try p.value(i)
        if let t = v.numberText, t.hasPrefix("-") {
            throw RPCError.invalidParams("param \(i): time cannot go backwards (got \(t) seconds)")
        }
        if let s = v.stringValue, s.hasPrefix("-") {
            throw RPCError.invalidParams("param \(i): time cannot go backwards (got \(s) seconds)")
        }
        return try p.uint64(i)
    }

    /// evm_mine's param: nothing, a timestamp, or `{timestamp, blocks}` (Ganache's form, as
    /// Anvil takes it). One block unless `blocks` says otherwise.
    static func mineOptions(_ p: Params) throws -> (timestamp: UInt64?, blocks: UInt64) {
        guard let v = p[0], !v.isNull else { return (nil, 1) }
        guard v.isObject else { return (try p.uint64(0), 1) }
        var ts: UInt64? = nil
        var blocks: UInt64 = 1
        if let t = v["timestamp"], !t.isNull { ts = try ParamDecoder.uint64(t, "param 0.timestamp") }
        if let b = v["blocks"], !b.isNull { blocks = try ParamDecoder.uint64(b, "param 0.blocks") }
        return (ts, blocks)
    }
}
