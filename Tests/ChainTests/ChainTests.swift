import XCTest
import Primitives
import EthCrypto
import Contracts
import Storage
@testable import Chain

/// A chain over a temporary LevelDB with Anvil's first two dev accounts.
struct TestChain {
    let dir: DataDirectory
    let chain: Chain
    let keys: [SigningKey]

    static func make(dir: DataDirectory? = nil, automine: Bool = true, sync: Bool = false,
                     genesis: UInt64 = 1_700_000_000) async throws -> TestChain {
        let d = try dir ?? DataDirectory.ephemeral()
        let dev = try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic, count: 2)
        let ops = try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic, path: "m/44'/60'/1'/0/", count: 3)
        let roles = Roles(operator: ops[0].address, feeCollector: ops[1].address, intermediary: ops[2].address)
        var config = ChainConfig(genesisTimestamp: genesis, roles: roles)
        config.useWallClock = false
        config.syncWrites = sync
        config.devKeys = dev.map { SigningKey(address: $0.address, privateKey: $0.privateKey) }
        config.extraKeys = ops.map { SigningKey(address: $0.address, privateKey: $0.privateKey) }
        let chain = try Chain(config: config, store: ChainStore(db: d.database),
                              contracts: NativeContracts(addresses: .mainnet, roles: roles))
        if !automine { try await chain.setAutomine(false) }
        return TestChain(dir: d, chain: chain, keys: config.devKeys)
    }

    func transfer(from k: Int, to: Address, value: UInt256, nonce: UInt64, tip: UInt256 = 1_000_000_000,
                  cap: UInt256 = 100_000_000_000, gasLimit: UInt64 = 21_000) throws -> PooledTransaction {
        let tx = try Transaction.dynamicFee(chainId: 31337, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap,
                                            gasLimit: gasLimit, to: to, value: value, data: [])
            .signed(privateKey: keys[k].privateKey)
        return PooledTransaction(tx: tx, hash: tx.hash, sender: keys[k].address)
    }
}

final class ChainTests: XCTestCase {
    let bob = Address(hex: "0x0000000000000000000000000000000000000b0b")!

    func testTransferChargesGasAndPaysTip() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        let alice = t.keys[0].address
        let before = t.chain.reader.account(alice, at: 0).balance
        let baseFee = await t.chain.nextBaseFee
        try await t.chain.submit(t.transfer(from: 0, to: bob, value: 5, nonce: 0))
        let head = t.chain.reader.head
        XCTAssertEqual(head.number, 1)
        let r = try XCTUnwrap(t.chain.reader.receipt(hash: head.transactionHashes[0]))
        XCTAssertTrue(r.status)
        XCTAssertEqual(r.gasUsed, 21_000)
        XCTAssertEqual(r.effectiveGasPrice, baseFee + 1_000_000_000)
        let after = t.chain.reader.account(alice, at: 1)
        XCTAssertEqual(after.nonce, 1)
        XCTAssertEqual(after.balance, before - 5 - UInt256(21_000) * r.effectiveGasPrice)
        XCTAssertEqual(t.chain.reader.account(bob, at: 1).balance, 5)
        XCTAssertEqual(t.chain.reader.account(.zero, at: 1).balance, UInt256(21_000) * 1_000_000_000, "tip to the coinbase")
        // History stays readable.
        XCTAssertEqual(t.chain.reader.account(bob, at: 0).balance, 0)
        XCTAssertEqual(head.header.transactionsRoot, Trie.orderedRoot([t.chain.reader.transaction(hash: r.txHash)!.tx.encoded()]))
        XCTAssertEqual(head.hash, head.header.hash)
    }

    func testValidationErrorsChangeNothing() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        try await t.chain.submit(t.transfer(from: 0, to: bob, value: 1, nonce: 0))
        let head = t.chain.reader.head
        do {
            try await t.chain.submit(t.transfer(from: 0, to: bob, value: 1, nonce: 0))
            XCTFail("expected nonce too low")
        } catch let e as TxValidationError {
            XCTAssertTrue(e.message.hasPrefix("nonce too low"), e.message)
        }
        do {
            try await t.chain.submit(t.transfer(from: 0, to: bob, value: UInt256.pow10(18) * 1_000_000, nonce: 1))
            XCTFail("expected insufficient funds")
        } catch let e as TxValidationError {
            XCTAssertTrue(e.message.hasPrefix("insufficient funds for gas * price + value"), e.message)
        }
        do {
            try await t.chain.submit(t.transfer(from: 0, to: bob, value: 1, nonce: 1, tip: 0, cap: 1))
            XCTFail("expected fee cap error")
        } catch let e as TxValidationError {
            XCTAssertTrue(e.message.hasPrefix("max fee per gas less than block base fee"), e.message)
        }
        XCTAssertEqual(t.chain.reader.head.hash, head.hash)
    }

    func testFutureNonceIsQueuedThenMined() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        try await t.chain.submit(t.transfer(from: 0, to: bob, value: 1, nonce: 1))
        XCTAssertEqual(t.chain.reader.headNumber, 0, "a gapped nonce waits without mining a block, as in Anvil")
        let v1 = await t.chain.pool.count
        XCTAssertEqual(v1, 1)
        try await t.chain.submit(t.transfer(from: 0, to: bob, value: 1, nonce: 0))
        let v2 = await t.chain.pool.count
        XCTAssertEqual(v2, 0)
        XCTAssertEqual(t.chain.reader.account(t.keys[0].address, at: t.chain.reader.headNumber).nonce, 2)
    }

    func testNoMiningKeepsPendingUntilMine() async throws {
        let t = try await TestChain.make(automine: false)
        defer { t.dir.cleanup() }
        try await t.chain.submit(t.transfer(from: 0, to: bob, value: 1, nonce: 0))
        try await t.chain.submit(t.transfer(from: 1, to: bob, value: 2, nonce: 0))
        XCTAssertEqual(t.chain.reader.headNumber, 0)
        let v3 = await t.chain.pendingNonce(t.keys[0].address)
        XCTAssertEqual(v3, 1)
        let b = try await t.chain.mineBlock()
        XCTAssertEqual(b.transactionHashes.count, 2)
        XCTAssertEqual(t.chain.reader.account(bob, at: 1).balance, 3)
        let receipts = t.chain.reader.receipts(of: b)
        XCTAssertEqual(receipts.map(\.cumulativeGasUsed), [21_000, 42_000])
    }

    func testSnapshotRevertRestoresStateHeadClockAndPool() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        let id = try await t.chain.snapshot()
        try await t.chain.setBalance(bob, 77)                // a cheat at the snapshot's own head
        _ = try await t.chain.increaseTime(3_600)
        try await t.chain.submit(t.transfer(from: 0, to: bob, value: 1, nonce: 0))
        XCTAssertEqual(t.chain.reader.account(bob, at: t.chain.reader.headNumber).balance, 78)
        let id2 = try await t.chain.snapshot()
        let v4 = try await t.chain.revert(to: id)
        XCTAssertTrue(v4)
        XCTAssertEqual(t.chain.reader.headNumber, 0)
        XCTAssertEqual(t.chain.reader.account(bob, at: 0).balance, 0)
        let v5 = await t.chain.clock.state.offset
        XCTAssertEqual(v5, 0)
        XCTAssertNil(t.chain.reader.transaction(hash: try t.transfer(from: 0, to: bob, value: 1, nonce: 0).hash))
        let v6 = try await t.chain.revert(to: id)
        XCTAssertFalse(v6, "ids are single-use")
        let v7 = try await t.chain.revert(to: id2)
        XCTAssertFalse(v7, "later snapshots are dropped too")
        // The chain goes on from the snapshot.
        try await t.chain.submit(t.transfer(from: 0, to: bob, value: 9, nonce: 0))
        XCTAssertEqual(t.chain.reader.account(bob, at: 1).balance, 9)
    }

    func testRestartResumesHeadStateAndClock() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stakenet-chain-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var hash: Hash
        do {
            let t = try await TestChain.make(dir: try DataDirectory.open(path: path))
            try await t.chain.submit(t.transfer(from: 0, to: bob, value: 4, nonce: 0))
            _ = try await t.chain.increaseTime(500)
            hash = t.chain.reader.head.hash
            t.dir.database.close()
        }
        // A different --timestamp on restart does not move a resumed chain's genesis.
        let t = try await TestChain.make(dir: try DataDirectory.open(path: path), genesis: 1_800_000_000)
        XCTAssertEqual(t.chain.reader.head.hash, hash)
        let now = await t.chain.now
        XCTAssertEqual(now, 1_700_000_500)
        XCTAssertEqual(t.chain.reader.account(bob, at: 1).balance, 4)
        let v8 = await t.chain.clock.state.offset
        XCTAssertEqual(v8, 500)
        t.dir.database.close()
    }

    func testTimestampsNeverGoBackwards() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        try await t.chain.setNextBlockTimestamp(1_700_000_100)
        let b = try await t.chain.mineBlock()
        XCTAssertEqual(b.header.timestamp, 1_700_000_100)
        do {
            try await t.chain.setNextBlockTimestamp(1_700_000_050)
            XCTFail("expected an error")
        } catch let e as ChainError {
            XCTAssertEqual(e, .timestampBeforeHead(requested: 1_700_000_050, head: 1_700_000_100))
        }
    }

    func testDeterministicHashesWithoutWallClock() async throws {
        var hashes: [Hash] = []
        for _ in 0..<2 {
            let t = try await TestChain.make()
            try await t.chain.submit(t.transfer(from: 0, to: bob, value: 1, nonce: 0))
            _ = try await t.chain.increaseTime(86_400)
            try await t.chain.mineBlock()
            hashes.append(t.chain.reader.head.hash)
            t.dir.cleanup()
        }
        XCTAssertEqual(hashes[0], hashes[1])
    }

    func testGroupCommitMakesEveryAcknowledgedTransactionVisible() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stakenet-gc-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let t = try await TestChain.make(dir: try DataDirectory.open(path: path), sync: true)
        let txs = try (0..<40).map { try t.transfer(from: $0 % 2, to: bob, value: 1, nonce: UInt64($0 / 2)) }
        // Two senders submitting concurrently: each submit returns only once its block is
        // durable, and then a reader must see the receipt.
        try await withThrowingTaskGroup(of: Void.self) { g in
            for k in 0..<2 {
                g.addTask {
                    for p in txs where p.sender == t.keys[k].address {
                        let h = try await t.chain.submit(p)
                        XCTAssertNotNil(t.chain.reader.receipt(hash: h), "acknowledged but not visible")
                    }
                }
            }
            try await g.waitForAll()
        }
        XCTAssertEqual(t.chain.reader.account(bob, at: t.chain.reader.headNumber).balance, 40)
        t.dir.database.close()
    }

    func testResetUndoesCheatsAtGenesis() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        try await t.chain.sealBaseline()
        try await t.chain.setBalance(bob, 5)          // written into block 0's state
        try await t.chain.submit(t.transfer(from: 0, to: bob, value: 1, nonce: 0))
        try await t.chain.reset()
        XCTAssertEqual(t.chain.reader.headNumber, 0)
        XCTAssertEqual(t.chain.reader.account(bob, at: 0).balance, 0)
        XCTAssertEqual(t.chain.reader.account(t.keys[0].address, at: 0).nonce, 0)
    }
}
