import Foundation
import Primitives
import EthCrypto
import Chain
import Contracts
import Operator

/// stakenet's own methods: the operator's status, time warps, settings,
/// forced operator actions and the notary's unstake-fee signature. Quantities (token
/// amounts, the ratio, block numbers) are hex; times, APR and counts are JSON numbers.
enum StakenetMethods {
    static func register(_ t: MethodTable, _ n: NodeContext, _ op: OperatorService) {
        let chain = n.chain

        t.register("stakenet_status", maxParams: 0) { _ in status(op, n) }

        t.register("stakenet_warp", maxParams: 1, long: true) { p in
            let s = try nonNegative(p, 0, "seconds")
            let block = try await rpc { () async throws -> Block in
                _ = try await chain.increaseTime(s)
                return try await chain.mineBlock()
            }
            return JSON(block.header.timestamp)
        }

        t.register("stakenet_setApr", maxParams: 1) { p in
            let bps = try nonNegative(p, 0, "bps")
            guard bps <= OperatorSettings.maxAprBps else {
                throw RPCError.invalidParams("param 0 (bps): the APR is in basis points and must be at most \(OperatorSettings.maxAprBps), got \(bps)")
            }
            try await rpc { _ = try await op.updateSettings { $0.aprBps = bps } }
            return .null
        }
        t.register("stakenet_setUnbondPeriod", maxParams: 1) { p in
            let s = try nonNegative(p, 0, "seconds")
            try await rpc { _ = try await op.updateSettings { $0.unbondPeriod = s } }
            return .null
        }
        t.register("stakenet_setRebaseInterval", maxParams: 1) { p in
            let s = try nonNegative(p, 0, "seconds")
            guard s > 0 else { throw RPCError.invalidParams("param 0 (seconds): the rebase interval must be positive, got 0") }
            try await rpc { _ = try await op.updateSettings { $0.rebaseInterval = s } }
            return .null
        }
        t.register("stakenet_setOperatorMode", maxParams: 1) { p in
            let v = try p.value(0)
            guard let s = v.stringValue, let mode = OperatorSettings.Mode(rawValue: s) else {
                throw RPCError.invalidParams("param 0 (mode): expected \"auto\" or \"manual\", got \(v.jsonString)")
            }
            try await rpc { _ = try await op.updateSettings { $0.mode = mode } }
            return .null
        }

        t.register("stakenet_rebase", maxParams: 0) { p in try await forced(.rebase, p, op) }
        t.register("stakenet_serveClaims", maxParams: 0) { p in try await forced(.serveClaims, p, op) }
        t.register("stakenet_operatorTick", maxParams: 0) { p in try await forced(.tick, p, op) }

        t.register("stakenet_unstakeFeeSignature", maxParams: 3) { p in
            let fee = try named(p, 0, "fee") { try p.quantity(0) }
            let useBefore = try named(p, 1, "useBeforeBlock") { try p.quantity(1) }
            let staker = try named(p, 2, "staker") { try p.address(2) }
            let head = n.reader.head
            let notary = n.reader.contracts.notary(state: StateOverlay(base: n.reader.state(at: head.number)))
            guard let key = n.keys[notary] else {
                throw RPCError.server("the pool's notary \(notary.checksummed) is not a key this node holds")
            }
            do {
                return .data(try op.unstakeFeeSignature(fee: fee, useBeforeBlock: useBefore, staker: staker, key: key))
            } catch {
                throw RPCError.internal("signing failed: \(error)")
            }
        }
    }

    // MARK: helpers

    /// A non-negative integer (hex or decimal string, or JSON number) that fits 64 bits;
    /// the error names the parameter, e.g. `param 0 (seconds): must not be negative (got -5)`.
    static func nonNegative(_ p: Params, _ i: Int, _ name: String) throws(RPCError) -> UInt64 {
        let v = try p.value(i)
        let text = v.numberText ?? v.stringValue
        if let text, text.hasPrefix("-") {
            throw RPCError.invalidParams("param \(i) (\(name)): must not be negative (got \(text))")
        }
        return try ParamDecoder.uint64(v, "param \(i) (\(name))")
    }

    /// Runs a `Params` accessor, adding the parameter's name to its error.
    static func named<T>(_ p: Params, _ i: Int, _ name: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch var e as RPCError {
            let prefix = "invalid params: param \(i)"
            if e.message.hasPrefix(prefix) {
                e.message = "invalid params: param \(i) (\(name))" + e.message.dropFirst(prefix.count)
            }
            throw e
        }
    }

    static func forced(_ a: OperatorAction, _ p: Params, _ op: OperatorService) async throws -> JSON {
        try p.requirePositional()
        let (block, r) = try await rpc { try await op.perform(a) }
        let s = op.status()
        return .object([
            ("blockNumber", .quantity(block.number)),
            ("blockHash", .hash(block.hash)),
            ("timestamp", JSON(block.header.timestamp)),
            ("rebases", JSON(r.rebases)),
            ("claimsServed", JSON(r.claimsServed)),
            ("transactions", JSON(r.transactions)),
            ("ratio", .quantity(s.ratio)),
            ("nextRebaseTime", JSON(s.record.nextRebase)),
        ])
    }

    static func status(_ op: OperatorService, _ n: NodeContext) -> JSON {
        let s = op.status()
        let set = s.record.settings
        let roles = op.contracts.roles
        let notary = op.contracts.notary(state: StateOverlay(base: n.reader.state(at: s.blockNumber)))
        return .object([
            ("blockNumber", .quantity(s.blockNumber)),
            ("timestamp", JSON(s.timestamp)),
            ("ratio", .quantity(s.ratio)),
            ("apr", JSON(set.aprBps)),
            ("mode", .string(set.mode.rawValue)),
            ("rebaseInterval", JSON(set.rebaseInterval)),
            ("nextRebaseTime", JSON(s.record.nextRebase)),
            ("rebasesDone", JSON(s.record.rebasesDone)),
            ("unbondPeriod", JSON(set.unbondPeriod)),
            ("pendingClaims", .array(s.claims.map { c in
                .object([
                    ("index", JSON(c.claim.index)),
                    ("recipient", .string(c.claim.recipient.checksummed)),
                    ("amount", .quantity(c.claim.amount)),
                    ("queuedAt", JSON(c.queuedAt)),
                    ("dueTime", JSON(c.dueAt)),
                ])
            })),
            ("pendingStakes", .array(s.stakes.map { st in
                .object([("staker", .string(st.staker.checksummed)), ("amount", .quantity(st.amount))])
            })),
            ("totalPendingStakes", .quantity(s.pendingStakesTotal)),
            ("poolMaticBalance", .quantity(s.poolMatic)),
            ("intermediaryMaticBalance", .quantity(s.intermediaryMatic)),
            ("contracts", .object(op.contracts.addresses.all.map { ($0.name, .string($0.address.checksummed)) })),
            ("operator", .string(roles.operator.checksummed)),
            ("feeCollector", .string(roles.feeCollector.checksummed)),
            ("intermediary", .string(roles.intermediary.checksummed)),
            ("notary", .string(notary.checksummed)),
            ("stateAccount", .string(OperatorRecord.account.checksummed)),
        ])
    }
}

extension NodeMethods {
    /// Every method the node serves, the operator's `stakenet_` methods included.
    public static func register(_ table: MethodTable, _ context: NodeContext, operator op: OperatorService) {
        register(table, context)
        StakenetMethods.register(table, context, op)
    }
}
