import XCTest
import Foundation
import Primitives
import EthCrypto
import Storage
import Contracts
import Chain
@testable import Operator

/// A chain with the operator installed, over an ephemeral (or given) LevelDB directory, on a
/// `--no-wall-clock` clock starting at `genesis`.
final class TestNode: Sendable {
    static let genesis: UInt64 = 1_700_000_000
    static let keys: (dev: [DevAccount], ops: [DevAccount]) = {
        let m = DevAccount.defaultMnemonic
        return (try! DevAccount.devAccounts(mnemonic: m, count: 3),
                try! DevAccount.devAccounts(mnemonic: m, path: "m/44'/60'/1'/0/", count: 3))
    }()

    let dir: DataDirectory
    let chain: Chain
    let op: OperatorService
    let record: OperatorRecord
    var contracts: NativeContracts { chain.reader.contracts }
    var dev: [DevAccount] { Self.keys.dev }

    init(settings: OperatorSettings = OperatorSettings(), path: String? = nil) async throws {
        let (dev, ops) = Self.keys
        let roles = Roles(operator: ops[0].address, feeCollector: ops[1].address, intermediary: ops[2].address)
        var config = ChainConfig(genesisTimestamp: Self.genesis, roles: roles)
        config.useWallClock = false
        config.devKeys = dev.map { SigningKey(address: $0.address, privateKey: $0.privateKey) }
        config.extraKeys = ops.map { SigningKey(address: $0.address, privateKey: $0.privateKey) }
        dir = try path.map { try DataDirectory.open(path: $0) } ?? DataDirectory.ephemeral()
        chain = try Chain(config: config, store: ChainStore(db: dir.database),
                          contracts: NativeContracts(addresses: .mainnet, roles: roles))
        op = try OperatorService(chain: chain, defaults: settings)
        record = try await op.install()
    }

    deinit { dir.cleanup() }

    var head: Block { chain.reader.head }
    var state: StateOverlay { StateOverlay(base: chain.reader.state(at: chain.reader.headNumber)) }
    var ratio: UInt256 { contracts.ratio(state: state) }
    var claims: [PendingClaim] { contracts.claimQueue(state: state) }
    func matic(_ a: Address) -> UInt256 { contracts.maticBalance(of: a, state: state) }

    /// Advances the clock by `seconds` and mines one block (stakenet_warp).
    @discardableResult
    func warp(_ seconds: UInt64) async throws -> Block {
        _ = try await chain.increaseTime(seconds)
        return try await chain.mineBlock()
    }

    /// Sends a signed transaction from dev account `i` (automine) and returns its receipt.
    @discardableResult
    func send(_ i: Int, to: Address, data: [UInt8], value: UInt256 = .zero) async throws -> ReceiptRecord {
        let k = dev[i]
        let nonce = await chain.pendingNonce(k.address)
        let tx = try Transaction.legacy(chainId: 31337, nonce: nonce, gasPrice: UInt256(1_000_000_000_000), gasLimit: 1_000_000,
                                        to: to, value: value, data: data).signed(privateKey: k.privateKey)
        let h = try await chain.submit(PooledTransaction(tx: tx, hash: tx.hash, sender: k.address))
        return try XCTUnwrap(chain.reader.receipt(hash: h))
    }

    func stakeBonds(_ i: Int, _ amount: UInt256) async throws {
        let a = contracts.addresses
        var r = try await send(i, to: a.matic, data: OperatorCalls.approve(spender: a.pool, amount: amount))
        XCTAssertTrue(r.status)
        r = try await send(i, to: a.pool, data: ABI.selector("stakeAndClaimBonds(uint256)") + amount.bytes32)
        XCTAssertTrue(r.status, "stakeAndClaimBonds failed")
    }

    /// unstakeBonds(amount, 0, 0, "") paying the ETH fee; returns the receipt.
    func unstakeBonds(_ i: Int, _ amount: UInt256) async throws -> ReceiptRecord {
        let data = try ABI.encodeCall("unstakeBonds(uint256,uint256,uint256,bytes)",
                                      [.uint(amount), .uint(.zero), .uint(.zero), .bytes([])])
        let r = try await send(i, to: contracts.addresses.pool, data: data, value: contracts.ethUnstakeFee(state: state))
        XCTAssertTrue(r.status, "unstakeBonds failed")
        return r
    }

    /// Logs with topic0 = keccak(`event`) in block `b`.
    func logs(_ b: Block, _ event: String) -> [Log] {
        let topic = ABI.eventTopic(event)
        return chain.reader.receipts(of: b).flatMap(\.logs).filter { $0.topics.first == topic }
    }
}

let e18 = UInt256.pow10(18)
let ratioUpdate = "RatioUpdate(uint256)"
let claimsServed = "ClaimsServed(address[],uint256[],uint256)"

/// The operator's rebase formula, applied `n` times from `start`.
func formula(_ start: UInt256, apr: UInt64 = 450, interval: UInt64 = 86_400, times n: Int) -> UInt256 {
    let growth = UInt256(apr) * UInt256.pow10(14) * UInt256(interval) / UInt256(31_536_000)
    var r = start
    for _ in 0..<n { r = r * e18 / (e18 + growth) }
    return r
}

final class OperatorTests: XCTestCase {
    func testRatioAfterOneAnd365Rebases() async throws {
        let n = try await TestNode()
        XCTAssertEqual(n.ratio, e18)
        XCTAssertEqual(n.record.nextRebase, TestNode.genesis + 86_400)

        var b = try await n.warp(86_399)
        XCTAssertEqual(n.ratio, e18, "a rebase one second early")
        XCTAssertTrue(n.logs(b, ratioUpdate).isEmpty)

        b = try await n.warp(1)
        XCTAssertEqual(n.ratio, formula(e18, times: 1))
        XCTAssertEqual(n.logs(b, ratioUpdate).count, 1)

        b = try await n.warp(364 * 86_400)
        XCTAssertEqual(n.ratio, formula(e18, times: 365))
        XCTAssertEqual(n.logs(b, ratioUpdate).count, 364)
        XCTAssertEqual(n.op.record().rebasesDone, 365)
        XCTAssertEqual(n.op.record().nextRebase, TestNode.genesis + 366 * 86_400)
        // every operator transaction is a signed legacy tx from the operator paying the base fee
        let txs = n.chain.reader.transactions(of: b)
        XCTAssertEqual(txs.count, 364)
        for t in txs {
            XCTAssertEqual(t.sender, n.op.operatorAddress)
            XCTAssertEqual(try t.tx.recoverSender(), n.op.operatorAddress)
            XCTAssertEqual(t.tx.gasPrice, b.header.baseFeePerGas)
        }
        // gas limit = exactly the gas used
        for (t, r) in zip(txs, n.chain.reader.receipts(of: b)) {
            XCTAssertTrue(r.status)
            XCTAssertEqual(r.gasUsed, t.tx.gasLimit)
        }
    }

    func testRatioFormulaWithOtherAprAndInterval() async throws {
        var s = OperatorSettings()
        s.aprBps = 1234; s.rebaseInterval = 3_600
        let n = try await TestNode(settings: s)
        try await n.warp(10 * 3_600 + 5)
        XCTAssertEqual(n.ratio, formula(e18, apr: 1234, interval: 3_600, times: 10))
    }

    func testStakesGoToTheIntermediaryBeforeTheRebase() async throws {
        let n = try await TestNode()
        let amount = e18 * 1_000
        try await n.stakeBonds(0, amount)
        let inter = n.contracts.roles.intermediary
        let before = n.matic(inter)
        XCTAssertEqual(n.contracts.pendingStakesTotal(state: n.state), amount)
        let b = try await n.warp(86_400)
        XCTAssertEqual(n.contracts.pendingStakesTotal(state: n.state), .zero)
        XCTAssertEqual(n.matic(inter), before + amount)
        let txs = n.chain.reader.transactions(of: b)
        XCTAssertEqual(txs.count, 2)
        XCTAssertEqual(Array(txs[0].tx.data.prefix(4)), ABI.selector("claimToIntermediary(address,uint256)"))
        XCTAssertEqual(Array(txs[1].tx.data.prefix(4)), ABI.selector("updateRatio(uint256)"))
        // bonds grew by the rebase: balance = shares·1e18/ratio
        XCTAssertEqual(n.contracts.aMATICbBalance(of: n.dev[0].address, state: n.state), amount * e18 / formula(e18, times: 1))
    }

    func testClaimServedExactlyAtDueTimeNotASecondEarlier() async throws {
        let n = try await TestNode()
        let user = n.dev[1].address
        try await n.stakeBonds(1, e18 * 1_000)
        let r = try await n.unstakeBonds(1, e18 * 100)
        let queuedAt = try XCTUnwrap(n.chain.reader.block(number: r.blockNumber)).header.timestamp
        XCTAssertEqual(n.claims.count, 1)
        let burn = n.contracts.pendingBurn(of: user, state: n.state)
        XCTAssertFalse(burn.isZero)
        let status = n.op.status()
        XCTAssertEqual(status.claims.first?.queuedAt, queuedAt)
        XCTAssertEqual(status.claims.first?.dueAt, queuedAt + 604_800)
        let maticBefore = n.matic(user)

        var b = try await n.warp(queuedAt + 604_799 - n.head.header.timestamp)
        XCTAssertEqual(b.header.timestamp, queuedAt + 604_799)
        XCTAssertEqual(n.claims.count, 1, "served a second early")
        XCTAssertEqual(n.matic(user), maticBefore)
        XCTAssertEqual(n.contracts.pendingBurn(of: user, state: n.state), burn)
        XCTAssertTrue(n.logs(b, claimsServed).isEmpty)

        b = try await n.warp(1)
        XCTAssertEqual(n.claims.count, 0)
        XCTAssertEqual(n.matic(user), maticBefore + e18 * 100)
        XCTAssertEqual(n.contracts.pendingBurn(of: user, state: n.state), .zero)
        XCTAssertEqual(n.logs(b, claimsServed).count, 1)
        XCTAssertEqual(n.op.report(for: b.number).claimsServed, 1)
        // rebase 7 falls due at the same second and goes first; then the intermediary pays the
        // pool and the operator serves
        let txs = n.chain.reader.transactions(of: b)
        XCTAssertEqual(queuedAt, TestNode.genesis)
        XCTAssertEqual(txs.map(\.sender), [n.op.operatorAddress, n.contracts.roles.intermediary, n.op.operatorAddress])
        XCTAssertEqual(Array(txs[0].tx.data.prefix(4)), ABI.selector("updateRatio(uint256)"))
        XCTAssertEqual(Array(txs[1].tx.data.prefix(4)), ABI.selector("transfer(address,uint256)"))
        XCTAssertEqual(Array(txs[2].tx.data.prefix(4)), ABI.selector("serveClaims(uint256,address,uint256)"))

        b = try await n.warp(86_400 * 2)
        XCTAssertTrue(n.logs(b, claimsServed).isEmpty, "served twice")
    }

    func testClaimsServedInFifoOrderAcrossALongWarp() async throws {
        let n = try await TestNode()
        for i in 0..<3 { try await n.stakeBonds(i, e18 * 100) }
        var expected: [Address] = []
        for day in 0..<3 {
            for i in [2, 0, 1] {
                _ = try await n.unstakeBonds(i, e18 * UInt256(UInt64(day + 1)))
                expected.append(n.dev[i].address)
            }
            try await n.warp(86_400)
        }
        let b = try await n.warp(365 * 86_400)
        XCTAssertTrue(n.claims.isEmpty)
        let served = n.logs(b, claimsServed)
        // one serve per distinct due time, each before the next rebase
        XCTAssertEqual(served.count, 3)
        var recipients: [Address] = []
        for l in served {
            let out = try ABI.decode([.array(.address), .array(.uint(256)), .uint(256)], l.data)
            guard case .array(let as_) = out[0] else { return XCTFail() }
            for case .address(let a) in as_ { recipients.append(a) }
        }
        XCTAssertEqual(recipients, expected)
        XCTAssertEqual(n.ratio, formula(e18, times: 368))
    }

    func testManualModeDoesNothingUntilOperatorTick() async throws {
        var s = OperatorSettings()
        s.mode = .manual
        let n = try await TestNode(settings: s)
        try await n.stakeBonds(0, e18 * 10)
        _ = try await n.unstakeBonds(0, e18)
        let b = try await n.warp(30 * 86_400)
        XCTAssertEqual(n.ratio, e18)
        XCTAssertEqual(n.claims.count, 1)
        XCTAssertTrue(n.chain.reader.transactions(of: b).isEmpty)

        let (tb, report) = try await n.op.perform(.tick)
        XCTAssertEqual(report.rebases, 30)
        XCTAssertEqual(report.claimsServed, 1)
        XCTAssertEqual(n.ratio, formula(e18, times: 30))
        XCTAssertTrue(n.claims.isEmpty)
        XCTAssertEqual(tb.header.timestamp, b.header.timestamp)

        // still manual: the next warp does nothing
        try await n.warp(5 * 86_400)
        XCTAssertEqual(n.ratio, formula(e18, times: 30))
    }

    func testForcedRebaseAndServeClaims() async throws {
        let n = try await TestNode()
        let (_, r1) = try await n.op.perform(.rebase)
        XCTAssertEqual(r1.rebases, 1)
        XCTAssertEqual(n.ratio, formula(e18, times: 1))
        XCTAssertEqual(n.op.record().nextRebase, TestNode.genesis + 2 * 86_400, "the forced rebase takes the next slot")
        try await n.warp(86_400)
        XCTAssertEqual(n.ratio, formula(e18, times: 1), "the slot at genesis + 1 day was taken by the forced rebase")
        try await n.warp(86_400)
        XCTAssertEqual(n.ratio, formula(e18, times: 2))

        try await n.stakeBonds(2, e18 * 50)
        _ = try await n.unstakeBonds(2, e18 * 5)
        _ = try await n.unstakeBonds(2, e18 * 6)
        let before = n.matic(n.dev[2].address)
        let (_, r2) = try await n.op.perform(.serveClaims)
        XCTAssertEqual(r2.claimsServed, 2)
        XCTAssertEqual(r2.rebases, 0)
        XCTAssertTrue(n.claims.isEmpty)
        XCTAssertEqual(n.matic(n.dev[2].address), before + e18 * 11)
    }

    /// A forced action is carried out by the block its own call mines, and reported for it,
    /// while other clients' transactions are mining blocks at the same time.
    func testForcedRebasesReportTheirOwnBlockUnderConcurrentTraffic() async throws {
        let n = try await TestNode()
        let sink = Address(hex: "0x00000000000000000000000000000000000000Aa")!
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<n.dev.count {
                group.addTask { for _ in 0..<25 { _ = try await n.send(i, to: sink, data: [], value: .one) } }
            }
            group.addTask {
                for k in 1...10 {
                    let (b, r) = try await n.op.perform(.rebase)
                    XCTAssertEqual(r.blockNumber, b.number)
                    XCTAssertEqual(r.rebases, 1, "forced rebase \(k) was not reported for its own block")
                    XCTAssertEqual(n.logs(b, ratioUpdate).count, 1)
                }
            }
            try await group.waitForAll()
        }
        XCTAssertEqual(n.ratio, formula(e18, times: 10))
    }

    func testSnapshotRevertRestoresOperatorState() async throws {
        let n = try await TestNode()
        try await n.stakeBonds(0, e18 * 100)
        let id = try await n.chain.snapshot()
        let rec = n.op.record()
        let head = n.head

        try await n.op.updateSettings { $0.aprBps = 5_000; $0.unbondPeriod = 10 }   // at the snapshot's head
        XCTAssertEqual(n.op.record().settings.aprBps, 5_000)
        _ = try await n.unstakeBonds(0, e18)
        try await n.warp(3 * 86_400)
        XCTAssertNotEqual(n.op.record(), rec)
        XCTAssertTrue(n.claims.isEmpty)

        let reverted = try await n.chain.revert(to: id)
        XCTAssertTrue(reverted)
        XCTAssertEqual(n.op.record(), rec)
        XCTAssertEqual(n.head.hash, head.hash)
        XCTAssertEqual(n.ratio, e18)
        let again = try await n.chain.revert(to: id)
        XCTAssertFalse(again)

        // the APR change is gone: the next rebase uses 450 bps
        try await n.warp(86_400)
        XCTAssertEqual(n.ratio, formula(e18, times: 1))
    }

    func testResetAndRestartKeepOperatorState() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stakenet-op-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var claimIndex = 0
        do {
            let n = try await TestNode(path: path)
            try await n.stakeBonds(0, e18 * 100)
            _ = try await n.unstakeBonds(0, e18)
            claimIndex = n.claims[0].index
            try await n.op.updateSettings { $0.aprBps = 900 }
            try await n.warp(3 * 86_400)
            XCTAssertEqual(n.ratio, formula(e18, apr: 900, times: 3))
            n.dir.cleanup()
        }
        var other = OperatorSettings()
        other.aprBps = 1
        let n = try await TestNode(settings: other, path: path)
        XCTAssertEqual(n.record.settings.aprBps, 900, "a restart keeps the runtime settings")
        XCTAssertEqual(n.claims.first?.index, claimIndex)
        let b = try await n.warp(4 * 86_400)
        XCTAssertEqual(n.logs(b, claimsServed).count, 1)
        XCTAssertTrue(n.claims.isEmpty)
        XCTAssertEqual(n.ratio, formula(e18, apr: 900, times: 7))
        let b2 = try await n.warp(7 * 86_400)
        XCTAssertTrue(n.logs(b2, claimsServed).isEmpty)

        // anvil_reset: back to genesis, operator state as at genesis
        try await n.chain.reset()
        XCTAssertEqual(n.op.record().nextRebase, TestNode.genesis + 86_400)
        XCTAssertEqual(n.op.record().rebasesDone, 0)
    }

    func testSettingsChanges() async throws {
        let n = try await TestNode()
        try await n.op.updateSettings { $0.rebaseInterval = 3_600 }
        // the scheduled rebase keeps its time; later ones are an hour apart; each grows the
        // ratio by the interval in force
        try await n.warp(86_399)
        XCTAssertEqual(n.ratio, e18)
        try await n.warp(1)
        XCTAssertEqual(n.op.record().nextRebase, TestNode.genesis + 86_400 + 3_600)
        XCTAssertEqual(n.ratio, formula(e18, interval: 3_600, times: 1))
        try await n.warp(2 * 3_600)
        XCTAssertEqual(n.ratio, formula(e18, interval: 3_600, times: 3))

        // a shorter unbond period applies to queued claims too
        try await n.stakeBonds(0, e18 * 10)
        _ = try await n.unstakeBonds(0, e18)
        try await n.op.updateSettings { $0.unbondPeriod = 60 }
        try await n.warp(59)
        XCTAssertEqual(n.claims.count, 1)
        try await n.warp(1)
        XCTAssertTrue(n.claims.isEmpty)
    }

    func testNotarySignatureVerifies() async throws {
        let n = try await TestNode()
        let staker = n.dev[0].address
        let fee = e18 * 3, before = UInt256(1_000)
        let sig = try n.op.unstakeFeeSignature(fee: fee, useBeforeBlock: before, staker: staker)
        XCTAssertEqual(sig.count, 65)
        let digest = n.contracts.unstakeFeeDigest(chainId: 31337, fee: fee, useBeforeBlock: before, staker: staker)
        let s = try XCTUnwrap(Secp256k1.Signature(bytes65: sig))
        XCTAssertEqual(Secp256k1.recover(hash: digest.bytes, r: s.r, s: s.s, recoveryId: s.recoveryId), n.contracts.notary(state: n.state))

        // and the pool accepts it: unstake paying the fee in ANKR
        try await n.stakeBonds(0, e18 * 10)
        let a = n.contracts.addresses
        try await n.send(0, to: a.ankr, data: OperatorCalls.approve(spender: a.pool, amount: fee))
        let data = try ABI.encodeCall("unstakeBonds(uint256,uint256,uint256,bytes)", [.uint(e18), .uint(fee), .uint(before), .bytes(sig)])
        let r = try await n.send(0, to: a.pool, data: data)
        XCTAssertTrue(r.status)
        XCTAssertEqual(n.contracts.ankrBalance(of: n.contracts.roles.feeCollector, state: n.state), fee)
    }

    func testClaimsServedByHandAreSkippedAndLaterOnesStillServedOnTime() async throws {
        let n = try await TestNode()
        try await n.stakeBonds(0, e18 * 100)
        _ = try await n.unstakeBonds(0, e18 * 2)
        try await n.warp(3_600)
        let r2 = try await n.unstakeBonds(0, e18 * 3)
        let second = try XCTUnwrap(n.chain.reader.block(number: r2.blockNumber)).header.timestamp
        // the operator serves the first claim by hand (as a test would in manual mode)
        let (_, ops) = TestNode.keys
        let a = n.contracts.addresses
        func operatorTx(_ k: DevAccount, _ to: Address, _ data: [UInt8]) async throws {
            let nonce = await n.chain.pendingNonce(k.address)
            let tx = try Transaction.legacy(chainId: 31337, nonce: nonce, gasPrice: UInt256(1_000_000_000_000), gasLimit: 500_000,
                                            to: to, value: .zero, data: data).signed(privateKey: k.privateKey)
            try await n.chain.submit(PooledTransaction(tx: tx, hash: tx.hash, sender: k.address))
            XCTAssertEqual(n.chain.reader.receipt(hash: tx.hash)?.status, true)
        }
        try await operatorTx(ops[2], a.matic, OperatorCalls.transfer(to: a.pool, amount: e18 * 2))
        try await operatorTx(ops[0], a.pool, OperatorCalls.serveClaims(amountToUse: e18 * 2, residue: ops[2].address, minThreshold: .zero))
        XCTAssertEqual(n.claims.map(\.amount), [e18 * 3])

        // the first claim's due time passes: nothing to serve, nothing breaks
        try await n.warp(604_800 - 3_600)
        XCTAssertEqual(n.claims.count, 1)
        try await n.warp(second + 604_799 - n.head.header.timestamp)
        XCTAssertEqual(n.claims.count, 1)
        let b = try await n.warp(1)
        XCTAssertTrue(n.claims.isEmpty)
        XCTAssertEqual(n.logs(b, claimsServed).count, 1)
    }

    func testEmptyBlocksCostOneReadAndRecordNothing() async throws {
        let n = try await TestNode()
        let before = n.op.record()
        XCTAssertEqual(before.wake, TestNode.genesis + 86_400)
        _ = try await n.chain.mine(count: 50, interval: 60)
        XCTAssertEqual(n.op.record(), before)
        XCTAssertEqual(n.ratio, e18)
        var s = OperatorSettings(); s.mode = .manual
        let m = try await TestNode(settings: s)
        XCTAssertEqual(m.record.wake, .max)
    }

    /// The performance target: a ten-year warp (3 650 rebases, claims served); timed, never asserted on.
    func testTenYearWarpTiming() async throws {
        let n = try await TestNode()
        try await n.stakeBonds(0, e18 * 1_000)
        _ = try await n.unstakeBonds(0, e18 * 10)
        let start = Date()
        let b = try await n.warp(3_650 * 86_400)
        let ms = Date().timeIntervalSince(start) * 1000
        print("ten-year warp: \(String(format: "%.1f", ms)) ms for \(b.transactionHashes.count) transactions (debug build unless -c release)")
        XCTAssertEqual(n.op.report(for: b.number).rebases, 3_650)
        XCTAssertEqual(n.ratio, formula(e18, times: 3_650))
        XCTAssertTrue(n.claims.isEmpty)
        // the next block is ordinary again
        let b2 = try await n.warp(1)
        XCTAssertTrue(b2.transactionHashes.isEmpty)
    }
}
