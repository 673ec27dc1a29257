import XCTest
@testable import Contracts
import Primitives

/// Calls between the emulated contracts reach a `CallObserver` as Solidity would make them,
/// with gas that fits inside the caller's.
final class NestedCallTests: XCTestCase {
    /// A frame as the observer saw it.
    final class Frame {
        let call: ContractCall
        var success = false
        var output: [UInt8] = []
        var gasUsed: UInt64 = 0
        var calls: [Frame] = []
        var logs: [Log] = []
        init(_ call: ContractCall) { self.call = call }
    }

    final class Recorder: CallObserver {
        var roots: [Frame] = []
        var topLogs: [Log] = []
        private var stack: [Frame] = []
        func entered(_ call: ContractCall) {
            let f = Frame(call)
            if let p = stack.last { p.calls.append(f) } else { roots.append(f) }
            stack.append(f)
        }
        func exited(success: Bool, output: [UInt8], gasUsed: UInt64) {
            let f = stack.removeLast()
            f.success = success; f.output = output; f.gasUsed = gasUsed
        }
        func emitted(_ log: Log) {
            if let f = stack.last { f.logs.append(log) } else { topLogs.append(log) }
        }
    }

    func run(_ t: TestChain, _ from: Address, _ to: Address, _ calldata: [UInt8], gas: UInt64 = 1_000_000,
             value: UInt256 = .zero) -> (CallResult, Recorder) {
        let rec = Recorder()
        let r = t.contracts.call(to: to, calldata: calldata, context: t.context(from, value), state: t.state, gas: gas, observer: rec)
        return (r, rec)
    }

    func testStakeAndClaimCertsShowsThePoolsCalls() {
        let t = TestChain()
        let a = t.addrs
        let amount = tokens(3)
        t.approveMatic(t.alice, amount)
        let gas: UInt64 = 1_000_000
        let (r, rec) = run(t, t.alice, a.pool, cd("stakeAndClaimCerts(uint256)", [.uint(amount)]), gas: gas)
        XCTAssertTrue(r.success)
        XCTAssertEqual(rec.roots.map { $0.call.to }, [a.matic, a.aMATICb, a.aMATICb])
        let (pull, mint, unlock) = (rec.roots[0], rec.roots[1], rec.roots[2])
        XCTAssertEqual(pull.call.input, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(a.pool), .uint(amount)]))
        XCTAssertEqual(pull.output, ABI.word(true))
        XCTAssertEqual(mint.call.input, cd("mintBonds(address,uint256)", [.address(t.alice), .uint(amount)]))
        XCTAssertEqual(unlock.call.input, cd("unlockSharesFor(address,uint256)", [.address(t.alice), .uint(amount)]))
        XCTAssertEqual(unlock.calls.map { $0.call.input }, [cd("bondTransferTo(address,uint256)", [.address(t.alice), .uint(amount)])])
        for f in [pull, mint, unlock, unlock.calls[0]] {
            XCTAssertFalse(f.call.isStatic)
            XCTAssertTrue(f.success)
            XCTAssertEqual(f.call.value, .zero)
        }
        XCTAssertEqual(Set(rec.roots.map { $0.call.from }), [a.pool])
        XCTAssertEqual(unlock.calls[0].call.from, a.aMATICb)
        // gas: each callee's figure; given the caller's gas left less 1/64
        XCTAssertEqual([pull, mint, unlock, unlock.calls[0]].map(\.gasUsed), [
            GasTable.gas(.matic, "transferFrom(address,address,uint256)"), GasTable.gas(.aMATICb, "mintBonds(address,uint256)"),
            GasTable.gas(.aMATICb, "unlockSharesFor(address,uint256)"), GasTable.gas(.aMATICc, "bondTransferTo(address,uint256)"),
        ])
        XCTAssertEqual(pull.call.gas, gas - gas / 64)
        let left = gas - pull.gasUsed - mint.gasUsed
        XCTAssertEqual(unlock.call.gas, left - left / 64)
        XCTAssertLessThanOrEqual(rec.roots.map(\.gasUsed).reduce(0, +), r.gasUsed)
        // events in the frame that emitted them; all of them, in order, are the call's
        XCTAssertEqual(mint.logs.map(\.address), [a.aMATICb])
        XCTAssertEqual(unlock.calls[0].logs.map(\.address), [a.aMATICc])
        XCTAssertEqual(rec.topLogs.map(\.address), [a.pool, a.pool])
        func flat(_ f: Frame) -> Int { f.logs.count + f.calls.map(flat).reduce(0, +) }
        XCTAssertEqual(rec.roots.map(flat).reduce(0, +) + rec.topLogs.count, r.logs.count)
    }

    func testARevertAfterNestedCallsPaysForThem() {
        let t = TestChain()
        let a = t.addrs
        // no aMATICc: aMATICb.lockSharesFor reverts after its aMATICc.balanceOf
        let fee = t.contracts.ethUnstakeFee(state: t.state)
        t.state.balances[a.pool] = fee
        let (r, rec) = run(t, t.alice, a.pool, cd("unstakeCerts(uint256,uint256,uint256,bytes)", [.uint(tokens(1)), .uint(0), .uint(0), .bytes([])]),
                           value: fee)
        XCTAssertFalse(r.success)
        XCTAssertEqual(r.output, ABI.encodeError("Insufficient aMATICc balance"))
        let (ratio, lock) = (rec.roots[0], rec.roots[1])
        XCTAssertTrue(ratio.call.isStatic)
        XCTAssertTrue(ratio.success)
        XCTAssertFalse(lock.success)
        XCTAssertEqual(lock.output, r.output)
        XCTAssertEqual(lock.calls.map(\.call.isStatic), [true])
        let balanceOf = GasTable.gas(.aMATICc, "balanceOf(address)")
        XCTAssertEqual(lock.gasUsed, GasTable.revertGas(60_000) + balanceOf)
        XCTAssertEqual(r.gasUsed, GasTable.revertGas(198_000) + ratio.gasUsed + lock.gasUsed)
    }

    func testACalleeWithoutTheFunctionIsAFrameThatRevertsEmpty() {
        let t = TestChain()
        let a = t.addrs
        // the pool's bond contract pointed at MATIC: mintBonds is not MATIC's
        t.state.setStorage(a.pool, Hash(PolygonPool.bondContractSlot), a.matic.value)
        t.approveMatic(t.alice, tokens(2))
        let (r, rec) = run(t, t.alice, a.pool, cd("stakeAndClaimBonds(uint256)", [.uint(tokens(2))]))
        XCTAssertFalse(r.success)
        XCTAssertEqual(r.output, [])
        XCTAssertEqual(rec.roots.map(\.call.to), [a.matic, a.matic])
        XCTAssertEqual(rec.roots[1].gasUsed, GasTable.dispatchRevert)
        XCTAssertFalse(rec.roots[1].success)
    }
}
