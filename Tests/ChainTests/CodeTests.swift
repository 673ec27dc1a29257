import XCTest
import Foundation
import Primitives
import EthCrypto
import Contracts
import Storage
@testable import Chain

/// Accounts with code: the encoding, the overlay's code accessors, code stored by hash with its
/// block, genesis code at the native contracts, the setCode/setStorage cheats, dumps and the
/// call-only state overrides.
final class CodeTests: XCTestCase {
    let bob = Address(hex: "0x0000000000000000000000000000000000000b0b")!
    let code: [UInt8] = [0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xf3]   // return 42

    func tempPath(_ tag: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("stakenet-\(tag)-\(UUID())").path
    }

    // MARK: encoding

    func testEmptyCodeHashIsKeccakOfNothing() {
        XCTAssertEqual(Account.emptyCodeHash, Hash.keccak([UInt8]()))
        XCTAssertEqual(Account().codeHash, Account.emptyCodeHash)
    }

    func testAccountWithoutCodeKeepsThe40ByteEncoding() throws {
        let a = Account(nonce: 7, balance: UInt256(123_456_789))
        XCTAssertEqual(a.encoded.count, 40)
        // Exactly what earlier versions wrote: nonce ‖ balance.
        XCTAssertEqual(a.encoded, UInt64(7).bigEndianBytes + UInt256(123_456_789).bytes32)
        let back = try XCTUnwrap(Account(encoded: a.encoded))
        XCTAssertEqual(back, a)
        XCTAssertFalse(back.hasCode)
    }

    func testAccountWithCodeIs72Bytes() throws {
        let h = Hash.keccak(code)
        let a = Account(nonce: 1, balance: 5, codeHash: h)
        XCTAssertEqual(a.encoded.count, 72)
        XCTAssertEqual(Array(a.encoded[40...]), h.bytes)
        XCTAssertEqual(try XCTUnwrap(Account(encoded: a.encoded)), a)
        XCTAssertNil(Account(encoded: [UInt8](repeating: 0, count: 41)))
        XCTAssertNil(Account(encoded: [UInt8](repeating: 0, count: 71)))
    }

    func testAnAccountWithOnlyCodeIsNotEmpty() {
        XCTAssertTrue(Account().isEmpty)
        XCTAssertFalse(Account(codeHash: Hash.keccak(code)).isEmpty)
        XCTAssertTrue(Account(codeHash: Account.emptyCodeHash).isEmpty)
    }

    // MARK: overlay

    func testOverlaySetCodeIsJournaled() {
        let s = StateOverlay(base: EmptyState())
        XCTAssertEqual(s.code(of: bob), [])
        let cp = s.checkpoint()
        s.setCode(code, of: bob)
        XCTAssertEqual(s.code(of: bob), code)
        XCTAssertEqual(s.account(bob).codeHash, Hash.keccak(code))
        XCTAssertEqual(s.code(hash: Hash.keccak(code)), code)
        XCTAssertEqual(s.codeWrites().map(\.hash), [Hash.keccak(code)])
        XCTAssertEqual(s.stateWrites().first?.1?.count, 72, "an account with only code is stored")
        s.revert(to: cp)
        XCTAssertEqual(s.code(of: bob), [])
        XCTAssertTrue(s.account(bob).isEmpty)
        XCTAssertTrue(s.codeWrites().isEmpty, "reverted code is not written")
        // Clearing code.
        s.setCode(code, of: bob)
        s.setCode([], of: bob)
        XCTAssertEqual(s.account(bob).codeHash, Account.emptyCodeHash)
        XCTAssertEqual(s.stateWrites().first?.1 == nil, true, "no code, no nonce, no balance: deleted")
    }

    // MARK: genesis

    func testGenesisInstallsTheNativeContractsCode() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        let contracts = t.chain.reader.contracts
        for (name, a) in contracts.addresses.all {
            let want = try XCTUnwrap(contracts.code(at: a))
            XCTAssertEqual(t.chain.reader.code(of: a, at: 0), want, name)
            XCTAssertEqual(t.chain.reader.account(a, at: 0).codeHash, Hash.keccak(want), name)
        }
        XCTAssertEqual(t.chain.reader.code(of: t.keys[0].address, at: 0), [])
    }

    // MARK: cheats

    func testSetCodeAtHeadAndHistory() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        try await t.chain.mineBlock()                      // block 1: bob has no code
        try await t.chain.setCode(code, of: bob)           // into block 1's state, as Anvil
        try await t.chain.mineBlock()                      // block 2
        try await t.chain.setCode([0x00], of: bob)
        let r = t.chain.reader
        XCTAssertEqual(r.code(of: bob, at: 0), [])
        XCTAssertEqual(r.code(of: bob, at: 1), code)
        XCTAssertEqual(r.code(of: bob, at: 2), [0x00])
        try await t.chain.setCode([], of: bob)
        XCTAssertEqual(r.code(of: bob, at: 2), [])
        XCTAssertTrue(r.account(bob, at: 2).isEmpty)
        XCTAssertEqual(r.code(of: bob, at: 1), code, "history keeps the old code")
    }

    func testSetCodeAtANativeContractIsRefused() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        let matic = ContractAddresses.mainnet.matic
        let before = t.chain.reader.code(of: matic, at: 0)
        do {
            try await t.chain.setCode(code, of: matic)
            XCTFail("expected a refusal")
        } catch let e as ChainError {
            XCTAssertEqual(e, .nativeContractCode(name: "MATIC", address: matic))
            XCTAssertTrue(e.message.contains("MATIC"), e.message)
        }
        XCTAssertEqual(t.chain.reader.code(of: matic, at: 0), before)
    }

    func testSetStorageAnyAddressAndNativeSlots() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        try await t.chain.setStorage(bob, Hash(UInt256(3)), 99)
        XCTAssertEqual(t.chain.reader.state(at: 0).storage(bob, Hash(UInt256(3))), 99)
        // MATIC's balances mapping is slot 0 (OpenZeppelin 2.x ERC20).
        let matic = ContractAddresses.mainnet.matic
        let slot = Hash.keccak(bob.value.bytes32 + UInt256.zero.bytes32)
        try await t.chain.setStorage(matic, slot, 1234)
        let s = StateOverlay(base: t.chain.reader.state(at: 0))
        XCTAssertEqual(t.chain.reader.contracts.maticBalance(of: bob, state: s), 1234)
    }

    func testSnapshotRevertUndoesSetCode() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        let id = try await t.chain.snapshot()
        try await t.chain.setCode(code, of: bob)
        try await t.chain.mineBlock()
        XCTAssertEqual(t.chain.reader.code(of: bob, at: 1), code)
        let ok = try await t.chain.revert(to: id)
        XCTAssertTrue(ok)
        XCTAssertEqual(t.chain.reader.code(of: bob, at: 0), [])
        // The blob stays behind as an orphan; setting the same code again finds it.
        try await t.chain.setCode(code, of: bob)
        XCTAssertEqual(t.chain.reader.code(of: bob, at: 0), code)
    }

    // MARK: the block commit path

    /// Code set while a block is built (as contract creation will) is stored with the block.
    final class CodeHook: BlockHook, @unchecked Sendable {  // `done` is only touched on the chain actor
        let target: Address, code: [UInt8]
        var done = false
        init(target: Address, code: [UInt8]) { self.target = target; self.code = code }
        func beforeTransactions(_ builder: BlockBuilder) {
            guard !done else { return }
            done = true
            builder.state.setCode(code, of: target)
        }
    }

    func testCodeSurvivesCommitAndRestart() async throws {
        let path = tempPath("code")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let t = try await TestChain.make(dir: try DataDirectory.open(path: path), sync: true)
            await t.chain.addHook(CodeHook(target: bob, code: code))
            try await t.chain.mineBlock()                          // block 1 sets bob's code
            // block 2: bob's code (return 42) runs on the transfer, so it needs more than 21 000 gas
            try await t.chain.submit(t.transfer(from: 0, to: bob, value: 3, nonce: 0, gasLimit: 30_000))
            XCTAssertEqual(t.chain.reader.code(of: bob, at: 1), code)
            t.dir.database.close()
        }
        let t = try await TestChain.make(dir: try DataDirectory.open(path: path))
        defer { t.dir.database.close() }
        let r = t.chain.reader
        XCTAssertEqual(r.headNumber, 2)
        XCTAssertEqual(r.code(of: bob, at: 0), [])
        XCTAssertEqual(r.code(of: bob, at: 1), code)
        XCTAssertEqual(r.code(of: bob, at: 2), code)
        XCTAssertEqual(r.account(bob, at: 2).balance, 3, "a transfer keeps the code hash")
        XCTAssertEqual(r.code(of: ContractAddresses.mainnet.aMATICb, at: 2), r.contracts.code(at: ContractAddresses.mainnet.aMATICb))
    }

    // MARK: databases from before code

    /// Rewrites the native contracts' accounts as a version without code wrote them: 40 bytes,
    /// or nothing at all for an empty account, and no code blobs.
    func downgrade(_ store: ChainStore, _ contracts: NativeContracts) throws {
        var batch = WriteBatch()
        for (_, a) in contracts.addresses.all {
            let key = StateKey.account(a)
            for (b, v) in try store.state.versions(of: key) {
                guard let v, let acct = Account(encoded: v) else { continue }
                let old = Account(nonce: acct.nonce, balance: acct.balance)
                store.state.stage(key, old.isEmpty ? nil : old.encoded, block: b, into: &batch)
            }
            batch.delete(CodeStore.key(Hash.keccak(contracts.code(at: a)!)))
        }
        try store.db.write(batch, sync: true)
    }

    func testOldDatabaseGetsTheNativeCodeAtEveryBlock() async throws {
        let path = tempPath("oldcode")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pool = ContractAddresses.mainnet.pool
        do {
            let t = try await TestChain.make(dir: try DataDirectory.open(path: path))
            try await t.chain.submit(t.transfer(from: 0, to: bob, value: 3, nonce: 0))
            try await t.chain.setBalance(pool, 77)          // a later version of one native account
            try await t.chain.mineBlock()
            let store = ChainStore(db: t.dir.database)
            try downgrade(store, t.chain.reader.contracts)
            XCTAssertEqual(Array(try XCTUnwrap(try store.state.value(StateKey.account(pool), at: 2))).count, 40)
            XCTAssertNil(try store.state.value(StateKey.account(ContractAddresses.mainnet.matic), at: 2))
            t.dir.database.close()
        }
        let t = try await TestChain.make(dir: try DataDirectory.open(path: path))
        defer { t.dir.database.close() }
        let r = t.chain.reader
        for (name, a) in r.contracts.addresses.all {
            for n in 0...r.headNumber {
                XCTAssertEqual(r.code(of: a, at: n), r.contracts.code(at: a), "\(name) at block \(n)")
            }
        }
        XCTAssertEqual(r.account(pool, at: 1).balance, 77)
        XCTAssertEqual(r.account(pool, at: 0).balance, 0)
        XCTAssertEqual(r.account(bob, at: 2).balance, 3)
        XCTAssertEqual(try Genesis.installNativeCode(store: r.store, contracts: r.contracts, head: r.headNumber, sync: false), 0,
                       "nothing left to do")
    }

    // MARK: dumps

    func testDumpCarriesCodeAndLoadRestoresIt() async throws {
        let a = try await TestChain.make()
        defer { a.dir.cleanup() }
        try await a.chain.setCode(code, of: bob)
        try await a.chain.setBalance(bob, 10)
        let d = try await a.chain.dumpState()
        let entry = try XCTUnwrap(d.accounts.first { $0.address == bob })
        XCTAssertEqual(entry.account.codeHash, Hash.keccak(code))
        XCTAssertEqual(d.codes[Hash.keccak(code)], code)
        let b = try await TestChain.make()
        defer { b.dir.cleanup() }
        try await b.chain.loadState(d)
        XCTAssertEqual(b.chain.reader.code(of: bob, at: 0), code)
        XCTAssertEqual(b.chain.reader.account(bob, at: 0).balance, 10)
        let matic = ContractAddresses.mainnet.matic
        XCTAssertEqual(b.chain.reader.code(of: matic, at: 0), b.chain.reader.contracts.code(at: matic))
    }

    func testLoadingADumpWithoutCodeKeepsCode() async throws {
        let t = try await TestChain.make()
        defer { t.dir.cleanup() }
        try await t.chain.setCode(code, of: bob)
        var d = StateDump(accounts: [(bob, Account(nonce: 2, balance: 5))])
        d.carriesCode = false
        try await t.chain.loadState(d)
        XCTAssertEqual(t.chain.reader.code(of: bob, at: 0), code)
        XCTAssertEqual(t.chain.reader.account(bob, at: 0).nonce, 2)
        // A dump with code but none for bob (format 2) clears it; native code is never touched.
        let matic = ContractAddresses.mainnet.matic
        try await t.chain.loadState(StateDump(accounts: [(bob, Account(nonce: 2, balance: 5)), (matic, Account())]))
        XCTAssertEqual(t.chain.reader.code(of: bob, at: 0), [])
        XCTAssertEqual(t.chain.reader.code(of: matic, at: 0), t.chain.reader.contracts.code(at: matic))
    }

    // MARK: overrides

    func testOverriddenStateReadsThroughAndReplaces() {
        let base = StateOverlay(base: EmptyState())
        base.setBalance(50, of: bob)
        base.setStorage(bob, Hash(UInt256(1)), 11)
        base.setStorage(bob, Hash(UInt256(2)), 22)
        let carol = Address(hex: "0x00000000000000000000000000000000000ca401")!
        base.setStorage(carol, Hash(UInt256(1)), 33)
        let backing = FrozenOverlay(base)
        let o = OverriddenState(base: backing, overrides: [
            bob: AccountOverride(nonce: 9, code: code, stateDiff: [Hash(UInt256(2)): 0, Hash(UInt256(5)): 55]),
            carol: AccountOverride(balance: 1, state: [Hash(UInt256(7)): 77]),
        ])
        XCTAssertEqual(o.account(bob).balance, 50)
        XCTAssertEqual(o.account(bob).nonce, 9)
        XCTAssertEqual(o.code(o.account(bob).codeHash), code)
        XCTAssertEqual(o.storage(bob, Hash(UInt256(1))), 11, "stateDiff keeps the other slots")
        XCTAssertEqual(o.storage(bob, Hash(UInt256(2))), 0)
        XCTAssertEqual(o.storage(bob, Hash(UInt256(5))), 55)
        XCTAssertEqual(o.storage(carol, Hash(UInt256(1))), 0, "state replaces the whole storage")
        XCTAssertEqual(o.storage(carol, Hash(UInt256(7))), 77)
        XCTAssertEqual(o.account(carol).balance, 1)
        XCTAssertEqual(o.account(carol).codeHash, Account.emptyCodeHash)
        // Code override to nothing.
        let cleared = OverriddenState(base: o, overrides: [bob: AccountOverride(code: [])])
        XCTAssertFalse(cleared.account(bob).hasCode)
        // An overlay on top executes against the overrides and writes nowhere.
        let call = StateOverlay(base: o)
        call.setStorage(carol, Hash(UInt256(7)), 1)
        XCTAssertEqual(o.storage(carol, Hash(UInt256(7))), 77)
    }
}
