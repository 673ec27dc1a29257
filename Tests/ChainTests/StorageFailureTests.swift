import XCTest
import Foundation
import Primitives
import Storage
@testable import Chain

/// A failed read or write stops the block: nothing is committed, the pool is as before, the
/// error is thrown to the caller and logged; once storage works again so does the chain.
final class StorageFailureTests: XCTestCase {
    let fresh = Address(hex: "0x00000000000000000000000000000000000f7e54")!

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var all: [String] = []
        func add(_ s: String) { lock.withLock { all.append(s) } }
        var text: String { lock.withLock { all.joined() } }
    }

    private func make() async throws -> (TestChain, StorageFaults, Lines) {
        let faults = StorageFaults()
        var o = Database.Options()
        o.faults = faults
        let t = try await TestChain.make(dir: try DataDirectory.ephemeral(options: o))
        let lines = Lines()
        t.chain.reader.store.failures.redirect { lines.add($0) }
        return (t, faults, lines)
    }

    private func assertInjected(_ e: Error, _ kind: String, file: StaticString = #filePath, line: UInt = #line) {
        guard case .io(let m)? = e as? StorageError else { return XCTFail("not a storage I/O error: \(e)", file: file, line: line) }
        XCTAssertTrue(m.contains("injected \(kind) fault"), m, file: file, line: line)
    }

    func testReadFailureStopsTheBlockAndDoesNotPoisonTheCache() async throws {
        let (t, faults, lines) = try await make()
        defer { t.dir.cleanup() }
        let alice = t.keys[0].address
        _ = t.chain.reader.account(alice, at: 0)          // cached: the sender's read succeeds
        let tx = try t.transfer(from: 0, to: fresh, value: 9, nonce: 0)
        faults.set([.read])
        do { try await t.chain.submit(tx); XCTFail("mined on a failed read") } catch { assertInjected(error, "read") }
        // A state read through the reader fails instead of answering an empty account.
        XCTAssertThrowsError(try t.chain.reader.read(at: t.chain.reader.head) { $0.account(self.fresh) }) { assertInjected($0, "read") }
        faults.set([])

        XCTAssertEqual(t.chain.reader.head.number, 0)
        let head = await t.chain.head.number
        XCTAssertEqual(head, 0, "nothing committed")
        let pooled = await t.chain.pool.isEmpty
        XCTAssertTrue(pooled, "the failed automined transaction is not kept")
        XCTAssertEqual(t.chain.reader.account(alice, at: 0).nonce, 0)
        XCTAssertTrue(lines.text.contains("was not mined, nothing of it was committed"), lines.text)

        try await t.chain.submit(tx)
        XCTAssertEqual(t.chain.reader.head.number, 1)
        XCTAssertEqual(t.chain.reader.account(fresh, at: 1).balance, 9, "the failed read left no empty account in the cache")
        XCTAssertEqual(t.chain.reader.account(alice, at: 1).nonce, 1)
    }

    func testWriteFailureKeepsThePoolAndTheClock() async throws {
        let (t, faults, lines) = try await make()
        defer { t.dir.cleanup() }
        try await t.chain.setAutomine(false)
        let tx = try t.transfer(from: 0, to: fresh, value: 4, nonce: 0)
        try await t.chain.submit(tx)
        let now = await t.chain.now
        faults.set([.write])
        do { try await t.chain.mineBlock(); XCTFail("mined without writing") } catch { assertInjected(error, "write") }
        do { _ = try await t.chain.increaseTime(3_600); XCTFail("clock moved without writing") } catch { assertInjected(error, "write") }
        do { try await t.chain.setBalance(fresh, 1); XCTFail("cheat applied without writing") } catch { assertInjected(error, "write") }
        faults.set([])

        let after = await t.chain.now
        XCTAssertEqual(after, now, "a clock change that was not written is not applied")
        let pending = await t.chain.pool.get(tx.hash)
        XCTAssertNotNil(pending, "a failed block leaves the pool as it was")
        XCTAssertEqual(t.chain.reader.head.number, 0)
        XCTAssertTrue(lines.text.contains("the chain clock was not changed"), lines.text)

        let b = try await t.chain.mineBlock()
        XCTAssertEqual(b.transactionHashes, [tx.hash])
        XCTAssertEqual(t.chain.reader.account(fresh, at: 1).balance, 4)
    }
}
