import XCTest
import Foundation
import Primitives
import EVM
@testable import Conformance
import TestSupport

final class ConformanceTests: XCTestCase {
    /// A hand-written state test in the filled format: two data entries (the second with an
    /// access list), two gas limits, a "0x:bigint" value that does not fit, and one invalid case.
    static let sample = """
    {
      "transferTest": {
        "_info": { "comment": "hand-written" },
        "env": {
          "currentBaseFee": "0x0a",
          "currentCoinbase": "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba",
          "currentDifficulty": "0x020000",
          "currentExcessBlobGas": "0x00",
          "currentGasLimit": "0xff112233445566",
          "currentNumber": "0x01",
          "currentRandom": "0x0000000000000000000000000000000000000000000000000000000000020000",
          "currentTimestamp": "0x03e8"
        },
        "pre": {
          "0x095e7baea6a6c7c4c2dfeb977efac326af552d87": {
            "balance": "0x0de0b6b3a7640000", "code": "0x600160010160005500", "nonce": "0x00",
            "storage": { "0x01": "0x02", "0x03": "0x00" }
          },
          "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b": {
            "balance": "0x0de0b6b3a7640000", "code": "0x", "nonce": "0x00", "storage": {}
          }
        },
        "transaction": {
          "data": ["0x", "0x1234"],
          "accessLists": [null, [{ "address": "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
                                   "storageKeys": ["0x0000000000000000000000000000000000000000000000000000000000000001"] }]],
          "gasLimit": ["0x061a80", "0x5207"],
          "maxFeePerGas": "0x14",
          "maxPriorityFeePerGas": "0x02",
          "nonce": "0x00",
          "secretKey": "0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8",
          "to": "0x095e7baea6a6c7c4c2dfeb977efac326af552d87",
          "value": ["0x0186a0", "0x:bigint 0x10000000000000000000000000000000000000000000000000000000000000001"]
        },
        "post": {
          "Cancun": [
            { "hash": "0xe8010ce590f401c9d61fef8ab05bea9bcec24281b795e5868809bc4e515aa530",
              "indexes": { "data": 1, "gas": 0, "value": 0 },
              "logs": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", "txbytes": "0x" },
            { "expectException": "TransactionException.INTRINSIC_GAS_TOO_LOW",
              "hash": "0x0000000000000000000000000000000000000000000000000000000000000000",
              "indexes": { "data": 0, "gas": 1, "value": 0 },
              "logs": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", "txbytes": "0x" }
          ],
          "Shanghai": []
        }
      }
    }
    """

    func testParsesHandWrittenStateTest() throws {
        let file = try StateTestFile(json: Data(Self.sample.utf8))
        XCTAssertEqual(file.tests.map(\.name), ["transferTest"])
        let t = file.tests[0].test

        XCTAssertEqual(t.env.coinbase, Address(hex: "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba"))
        XCTAssertEqual(t.env.gasLimit, 0xff11_2233_4455_66)
        XCTAssertEqual(t.env.number, 1)
        XCTAssertEqual(t.env.timestamp, 1000)
        XCTAssertEqual(t.env.baseFee, UInt256(10))
        XCTAssertEqual(t.env.random, Hash(UInt256(0x020000)))
        XCTAssertEqual(t.env.excessBlobGas, 0)
        let block = t.env.blockContext
        XCTAssertEqual(block.prevRandao, Hash(UInt256(0x020000)))
        XCTAssertEqual(block.chainId, 1)
        XCTAssertEqual(block.blobBaseFee, .one)
        XCTAssertNil(block.blockHash(1), "BLOCKHASH of the current block is unknown")
        XCTAssertEqual(block.blockHash(0), Hash.keccak(Array("0".utf8)))

        let contract = try XCTUnwrap(Address(hex: "0x095e7baea6a6c7c4c2dfeb977efac326af552d87"))
        let sender = try XCTUnwrap(Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"))
        XCTAssertEqual(t.pre.count, 2)
        XCTAssertEqual(t.pre[contract]?.code, [0x60, 0x01, 0x60, 0x01, 0x01, 0x60, 0x00, 0x55, 0x00])
        XCTAssertEqual(t.pre[contract]?.storage, [UInt256(1): UInt256(2), UInt256(3): .zero])
        XCTAssertEqual(t.pre[contract]?.balance, UInt256(1_000_000_000_000_000_000 as UInt64))

        // The sender comes from the secret key when "sender" is absent.
        XCTAssertEqual(t.transaction.sender, sender)
        XCTAssertEqual(t.transaction.value.count, 2)
        XCTAssertNil(t.transaction.value[1], "a value beyond 256 bits")

        XCTAssertEqual(t.post["Cancun"]?.count, 2)
        XCTAssertEqual(t.post["Shanghai"]?.count, 0)
        let p0 = try XCTUnwrap(t.post["Cancun"]?[0]), p1 = try XCTUnwrap(t.post["Cancun"]?[1])
        XCTAssertEqual(p0.indexes, StateTestPost.Indexes(data: 1, gas: 0, value: 0))
        XCTAssertNil(p0.expectException)
        XCTAssertEqual(p1.expectException, "TransactionException.INTRINSIC_GAS_TOO_LOW")

        let tx0 = try t.transaction.txEnv(p0.indexes)
        XCTAssertEqual(tx0.caller, sender)
        XCTAssertEqual(tx0.to, contract)
        XCTAssertEqual(tx0.data, [0x12, 0x34])
        XCTAssertEqual(tx0.gasLimit, 400_000)
        XCTAssertEqual(tx0.value, UInt256(100_000))
        XCTAssertEqual(tx0.maxFeePerGas, UInt256(20))
        XCTAssertEqual(tx0.maxPriorityFeePerGas, UInt256(2))
        XCTAssertEqual(tx0.accessList, [AccessListEntry(address: contract, storageKeys: [Hash(.one)])])
        XCTAssertNil(tx0.maxFeePerBlobGas)
        let tx1 = try t.transaction.txEnv(p1.indexes)
        XCTAssertEqual(tx1.accessList, [], "a null access list is none")
        XCTAssertEqual(tx1.gasLimit, 0x5207)
        XCTAssertThrowsError(try t.transaction.txEnv(.init(data: 0, gas: 0, value: 1))) { e in
            XCTAssert(e is StateTestTransaction.Unencodable)
        }
        XCTAssertThrowsError(try t.transaction.txEnv(.init(data: 2, gas: 0, value: 0))) { e in
            XCTAssert(e is StateTestFormatError)
        }
    }

    func testLegacyGasPriceIsFeeCapAndTip() throws {
        let json = Self.sample
            .replacingOccurrences(of: "\"maxFeePerGas\": \"0x14\",", with: "\"gasPrice\": \"0x0a\",")
            .replacingOccurrences(of: "\"maxPriorityFeePerGas\": \"0x02\",", with: "")
        let t = try StateTestFile(json: Data(json.utf8)).tests[0].test
        let tx = try t.transaction.txEnv(.init(data: 0, gas: 0, value: 0))
        XCTAssertEqual(tx.maxFeePerGas, UInt256(10))
        XCTAssertEqual(tx.maxPriorityFeePerGas, UInt256(10))
    }

    func testMalformedFilesAreErrors() {
        XCTAssertThrowsError(try StateTestFile(json: Data("[1]".utf8)))
        XCTAssertThrowsError(try StateTestFile(json: Data("{\"t\": {\"env\": {}}}".utf8)))
        XCTAssertThrowsError(try StateTestFile(json: Data("not json".utf8)))
        let badAddress = Self.sample.replacingOccurrences(of: "\"0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b\": {",
                                                          with: "\"0xa94f\": {")
        XCTAssertThrowsError(try StateTestFile(json: Data(badAddress.utf8))) { e in
            XCTAssert("\(e)".contains("bad address"), "\(e)")
        }
    }

    // MARK: roots

    func testEmptyStateRoot() {
        XCTAssertEqual(MemoryState().stateRoot.hex, "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
        XCTAssertEqual(MemoryState.storageRoot([:]), Trie.emptyRoot)
        XCTAssertEqual(MemoryState.storageRoot([UInt256(5): .zero]), Trie.emptyRoot, "zero slots are absent")
    }

    /// One account, no storage: the trie is a single leaf, written out here by hand.
    func testSingleAccountRootByHand() throws {
        let a = try XCTUnwrap(Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b"))
        let state = MemoryState([a: StateTestAccount(balance: UInt256(1_000_000_000_000_000_000 as UInt64), nonce: 1)])

        // RLP([nonce 1, balance 10^18 (8 bytes), emptyRoot, emptyCodeHash])
        var account: [UInt8] = [0x01, 0x88] + [0x0d, 0xe0, 0xb6, 0xb3, 0xa7, 0x64, 0x00, 0x00]
        account += [0xa0] + Trie.emptyRoot.bytes + [0xa0] + EVMAccount.emptyCodeHash.bytes
        XCTAssertEqual(account.count, 1 + 9 + 33 + 33)
        let accountRLP: [UInt8] = [0xf8, UInt8(account.count)] + account
        XCTAssertEqual(MemoryState.accountRLP(EVMAccount(nonce: 1, balance: UInt256(1_000_000_000_000_000_000 as UInt64)),
                                              storageRoot: Trie.emptyRoot), accountRLP)
        // Leaf: [hex-prefix(0x20 ‖ keccak(address)), RLP(account) as a byte string]
        let path: [UInt8] = [0x20] + keccak256(a.bytes)
        let payload: [UInt8] = [0x80 + 33] + path + [0xb8, UInt8(accountRLP.count)] + accountRLP
        let leaf: [UInt8] = [0xf8, UInt8(payload.count)] + payload
        XCTAssertEqual(state.stateRoot, Hash.keccak(leaf))

        // A storage slot changes the root; writing it back to zero restores it.
        var changes = StateChanges()
        changes.storage[a] = [UInt256(7): UInt256(9)]
        state.apply(changes)
        XCTAssertNotEqual(state.stateRoot, Hash.keccak(leaf))
        XCTAssertEqual(state.storageRoot(a), singleSlotRoot(UInt256(7), UInt256(9)))
        changes.storage[a] = [UInt256(7): .zero]
        state.apply(changes)
        XCTAssertEqual(state.stateRoot, Hash.keccak(leaf))
        XCTAssertNil(state.storage[a])

        // Deleting the account empties the state.
        var gone = StateChanges()
        gone.accounts[a] = .some(nil)
        state.apply(gone)
        XCTAssertEqual(state.stateRoot, Trie.emptyRoot)
    }

    /// A one-slot storage trie by hand: leaf [0x20 ‖ keccak(slot), RLP(value)].
    private func singleSlotRoot(_ slot: UInt256, _ value: UInt256) -> Hash {
        let path: [UInt8] = [0x20] + keccak256(slot.bytes32)
        let v = RLP.encode(value)
        let payload: [UInt8] = [0x80 + 33] + path + RLP.encode(bytes: v)
        return Hash.keccak([0xc0 + UInt8(payload.count)] + payload)
    }

    func testSingleSlotStorageRootByHand() {
        XCTAssertEqual(MemoryState.storageRoot([UInt256(7): UInt256(9)]), singleSlotRoot(UInt256(7), UInt256(9)))
        XCTAssertEqual(MemoryState.storageRoot([UInt256(7): UInt256(0xbeef)]), singleSlotRoot(UInt256(7), UInt256(0xbeef)))
    }

    /// stSpecialTest/eoaEmptyParis: its invalid cases (INSUFFICIENT_ACCOUNT_FUNDS) leave the
    /// pre-state, so their post hash is the root of this pre-state (code, storage, seven accounts).
    func testKnownPreStateRoot() throws {
        func acct(_ balance: UInt64, _ nonce: UInt64, _ code: String = "0x", _ storage: [UInt256: UInt256] = [:]) -> StateTestAccount {
            StateTestAccount(balance: UInt256(balance), nonce: nonce, code: Hex.decode(code)!, storage: storage)
        }
        let pre: [Address: StateTestAccount] = [
            Address(hex: "0x000000000000000000000000000000000000bad1")!: acct(1, 0),
            Address(hex: "0x000000000000000000000000000000000000bad2")!: acct(0, 1),
            Address(hex: "0x000000000000000000000000000000000000bad3")!: acct(1, 1),
            Address(hex: "0x000000000000000000000000000000000000bad4")!: acct(10, 0, "0x", [UInt256(0xdead): UInt256(0xbeef)]),
            Address(hex: "0x000000000000000000000000000000000000c0de")!: acct(0, 1,
                "0x32806000558031603155803b603b55803f603f55600181013f61013f5561bad13f61bad15561bad23f61bad25561bad33f61bad3"
                + "5561bad43f61bad45561bad53f61bad55560008080805a94600435905af1505a900360f1555a60008080808061dead5af1505a900360ff5500"),
            Address(hex: "0x000000000000000000000000000000000000dead")!: acct(10_000, 1, "0x32ff"),
            Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")!: acct(1_000_000_000, 0),
        ]
        XCTAssertEqual(MemoryState(pre).stateRoot.hex, "0xc601c9ea84c29e00a812de5a2d544aa64473d4a1d2bc4821ea5bd3f16ee3ad98")
    }

    func testLogsHash() throws {
        XCTAssertEqual(MemoryState.logsHash([]).hex, "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
        // One log, by hand: [[address, [topic], data]]
        let a = try XCTUnwrap(Address(hex: "0x095e7baea6a6c7c4c2dfeb977efac326af552d87"))
        let topic = Hash(UInt256(1))
        let log: [UInt8] = [0x94] + a.bytes + [0xe1, 0xa0] + topic.bytes + [0x82, 0xab, 0xcd]
        XCTAssertEqual(log.count, 58)
        let expected = Hash.keccak([0xf8, 60, 0xf8, 58] + log) // long list headers: payloads ≥ 56 bytes
        XCTAssertEqual(MemoryState.logsHash([Log(address: a, topics: [topic], data: [0xab, 0xcd])]), expected)
    }

    func testBlobBaseFee() {
        let d = UInt256(UInt64(3_338_477))
        XCTAssertEqual(StateTestEnv.fakeExponential(factor: .one, numerator: .zero, denominator: d), .one)
        // e^1 ≈ 2.718 → 2; e^2 ≈ 7.389 → 7 (EIP-4844's integer approximation).
        XCTAssertEqual(StateTestEnv.fakeExponential(factor: .one, numerator: d, denominator: d), UInt256(2))
        XCTAssertEqual(StateTestEnv.fakeExponential(factor: .one, numerator: d * UInt256(2), denominator: d), UInt256(7))
        XCTAssertEqual(StateTestEnv.fakeExponential(factor: UInt256(1000), numerator: d, denominator: d), UInt256(2718))
    }

    func testBlockHashIsKeccakOfDecimal() {
        XCTAssertEqual(StateTestEnv.testBlockHash(255), Hash.keccak(Array("255".utf8)))
        let env = StateTestEnv(coinbase: .zero, gasLimit: 1, number: 300, timestamp: 0, baseFee: nil, random: nil,
                               excessBlobGas: nil)
        let block = env.blockContext
        XCTAssertNil(block.blockHash(43))
        XCTAssertEqual(block.blockHash(44), StateTestEnv.testBlockHash(44))
        XCTAssertEqual(block.blockHash(299), StateTestEnv.testBlockHash(299))
        XCTAssertNil(block.blockHash(300))
        XCTAssertEqual(block.baseFee, UInt256(10), "geth's default base fee when the file has none")
    }

    // MARK: runner (with a stand-in executor)

    func testRunnerJudgesInvalidTransactions() throws {
        var t = try StateTestFile(json: Data(Self.sample.utf8)).tests[0].test
        let preRoot = MemoryState(t.pre).stateRoot
        // The expected-exception case must see the pre-state root.
        t.post["Cancun"]![1].hash = preRoot
        let reject: StateTestRunner.Execute = { (_: TxEnv, _: BlockContext, _: StateBackend) throws(TxError) -> TxResult in
            throw TxError("intrinsic gas too low: have 20999, want 21000")
        }
        let results = StateTestRunner.run(t, name: "transferTest", file: "x.json", fork: "Cancun", execute: reject)
        XCTAssertEqual(results.map(\.name), ["x.json:transferTest:Cancun:1/0/0", "x.json:transferTest:Cancun:0/1/0"])
        XCTAssertFalse(results[0].passed)
        XCTAssertEqual(results[0].reason, "unexpected exception: intrinsic gas too low: have 20999, want 21000")
        XCTAssertTrue(results[1].passed, results[1].reason ?? "")

        // A wrong root for the invalid case fails it.
        t.post["Cancun"]![1].hash = .zero
        let again = StateTestRunner.run(t, name: "transferTest", file: "x.json", fork: "Cancun", execute: reject)
        XCTAssertFalse(again[1].passed)
        XCTAssert(again[1].reason?.hasPrefix("root mismatch got \(preRoot.hex) want 0x0000") == true, again[1].reason ?? "")

        // No entry for the fork: no cases.
        XCTAssertEqual(StateTestRunner.run(t, name: "t", file: "x", fork: "Prague", execute: reject), [])
        XCTAssertEqual(StateTestRunner.run(t, name: "t", file: "x", fork: "Shanghai", execute: reject), [])
    }

    func testRunnerOrdersFilesAndReportsMalformedOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.sample.utf8).write(to: dir.appendingPathComponent("b.json"))
        try Data(Self.sample.utf8).write(to: dir.appendingPathComponent("sub/a.json"))
        try Data("{ broken".utf8).write(to: dir.appendingPathComponent("a.json"))
        try Data("ignored".utf8).write(to: dir.appendingPathComponent("notes.txt"))

        let files = StateTestRunner.collectFiles([dir.path, dir.appendingPathComponent("missing.json").path])
        XCTAssertEqual(files.map(\.name), ["a.json", "b.json", "sub/a.json", dir.appendingPathComponent("missing.json").path])

        let reject: StateTestRunner.Execute = { (_: TxEnv, _: BlockContext, _: StateBackend) throws(TxError) -> TxResult in
            throw TxError("nope")
        }
        var reported: [[StateTestCaseResult]] = []
        StateTestRunner.run(files: files, fork: "Cancun", threads: 2, execute: reject) { reported.append($0) }
        XCTAssertEqual(reported.count, 4)
        XCTAssertEqual(reported[0].count, 1)
        XCTAssertFalse(reported[0][0].passed)
        XCTAssertEqual(reported[0][0].name, "a.json")
        XCTAssert(reported[0][0].reason?.hasPrefix("malformed file") == true)
        XCTAssertEqual(reported[1].map(\.name), ["b.json:transferTest:Cancun:1/0/0", "b.json:transferTest:Cancun:0/1/0"])
        XCTAssertEqual(reported[2].first?.name, "sub/a.json:transferTest:Cancun:1/0/0")
        XCTAssertEqual(reported[3].first?.reason, "no such file or folder")
    }

    // MARK: end to end (the real EVM on one vector)

    func testAdd11WithTheEVM() throws {
        let url = Vectors.root.appendingPathComponent("ethereum-tests/GeneralStateTests/stExample/add11.json")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("vectors not found at \(url.path)") }
        let results = StateTestRunner.run(file: url, name: "stExample/add11.json", fork: "Cancun")
        XCTAssertEqual(results.count, 1)
        for r in results { XCTAssertTrue(r.passed, "\(r.name): \(r.reason ?? "")") }
    }
}
