import XCTest
import Primitives
@testable import Chain

final class TxPoolTests: XCTestCase {
    let alice = Address(hex: "0x00000000000000000000000000000000000a11ce")!
    let bob = Address(hex: "0x0000000000000000000000000000000000000b0b")!

    func ptx(_ from: Address, nonce: UInt64, tip: UInt64 = 1, cap: UInt64 = 100) -> PooledTransaction {
        let tx = Transaction.dynamicFee(chainId: 1, nonce: nonce, maxPriorityFeePerGas: UInt256(tip), maxFeePerGas: UInt256(cap),
                                        gasLimit: 21_000, to: bob, value: .zero, data: [])
        return PooledTransaction(tx: tx, hash: Hash.keccak(from.bytes + tx.encoded()), sender: from)
    }

    func testFutureNonceWaitsUntilGapFills() throws {
        var pool = TxPool()
        try pool.add(ptx(alice, nonce: 1))
        XCTAssertTrue(pool.ready(stateNonce: { _ in 0 }).isEmpty)
        XCTAssertEqual(pool.split(stateNonce: { _ in 0 }).queued.count, 1)
        try pool.add(ptx(alice, nonce: 0))
        XCTAssertEqual(pool.ready(stateNonce: { _ in 0 }).map(\.tx.nonce), [0, 1])
        XCTAssertEqual(pool.pendingNonce(sender: alice, stateNonce: 0), 2)
    }

    func testArrivalOrderAcrossSendersKeepsNonceOrder() throws {
        var pool = TxPool()
        try pool.add(ptx(alice, nonce: 1))   // arrives first but waits for nonce 0
        try pool.add(ptx(bob, nonce: 0))
        try pool.add(ptx(alice, nonce: 0))
        let order = pool.ready(stateNonce: { _ in 0 }).map { ($0.sender, $0.tx.nonce) }
        XCTAssertEqual(order.map(\.0), [bob, alice, alice])
        XCTAssertEqual(order.map(\.1), [0, 0, 1])
    }

    func testDuplicateAndReplacement() throws {
        var pool = TxPool()
        let a = ptx(alice, nonce: 0, tip: 10, cap: 100)
        try pool.add(a)
        XCTAssertThrowsError(try pool.add(a)) { XCTAssertEqual($0 as? PoolError, .alreadyKnown) }
        XCTAssertThrowsError(try pool.add(ptx(alice, nonce: 0, tip: 10, cap: 105))) {
            XCTAssertEqual($0 as? PoolError, .replacementUnderpriced)
        }
        let replaced = try pool.add(ptx(alice, nonce: 0, tip: 11, cap: 110))
        XCTAssertEqual(replaced, a.hash)
        XCTAssertEqual(pool.count, 1)
    }

    func testPrune() throws {
        var pool = TxPool()
        for n in 0..<3 { try pool.add(ptx(alice, nonce: UInt64(n))) }
        pool.prune(sender: alice, below: 2)
        XCTAssertEqual(pool.count, 1)
        XCTAssertEqual(pool.all.first?.tx.nonce, 2)
    }
}
