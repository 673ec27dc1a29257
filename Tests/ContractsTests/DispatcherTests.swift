import XCTest
import Foundation
@testable import Contracts
import Primitives

final class DispatcherTests: XCTestCase {
    /// Runs a call on the raw state (no chain-side rollback) and checks that nothing changed.
    func assertRejectedUntouched(_ t: TestChain, _ to: Address, _ data: [UInt8], value: UInt256 = .zero,
                                 file: StaticString = #filePath, line: UInt = #line) {
        let before = t.state.snapshot()
        let r = t.contracts.call(to: to, calldata: data, context: t.context(t.alice, value), state: t.state)
        assertRevertsEmpty(r, file: file, line: line)
        XCTAssertEqual(r.gasUsed, GasTable.dispatchRevert, file: file, line: line)
        XCTAssertEqual(t.state.snapshot(), before, "state changed", file: file, line: line)
    }

    func testPlainEthShortCalldataAndUnknownSelectors() {
        let t = TestChain()
        t.stakeBonds(t.alice, tokens(5))
        for (_, a) in t.addrs.all {
            assertRejectedUntouched(t, a, [], value: 1)
            assertRejectedUntouched(t, a, [])
            assertRejectedUntouched(t, a, [0xa9])
            assertRejectedUntouched(t, a, [0xa9, 0x05, 0x9c])
            assertRejectedUntouched(t, a, [0xde, 0xad, 0xbe, 0xef])
            assertRejectedUntouched(t, a, [0xde, 0xad, 0xbe, 0xef] + [UInt8](repeating: 0, count: 64))
        }
        // a selector of another contract
        assertRejectedUntouched(t, t.addrs.matic, cd("stakeAndClaimBonds(uint256)", [.uint(1)]))
        assertRejectedUntouched(t, t.addrs.pool, cd("transfer(address,uint256)", [.address(t.bob), .uint(1)]))
    }

    func testValueToNonPayable() {
        let t = TestChain()
        t.stakeBonds(t.alice, tokens(5))
        assertRejectedUntouched(t, t.addrs.aMATICb, cd("transfer(address,uint256)", [.address(t.bob), .uint(1)]), value: 1)
        assertRejectedUntouched(t, t.addrs.matic, cd("transfer(address,uint256)", [.address(t.bob), .uint(1)]), value: 1)
        assertRejectedUntouched(t, t.addrs.pool, cd("stakeAndClaimBonds(uint256)", [.uint(tokens(1))]), value: 1)
        assertRejectedUntouched(t, t.addrs.aMATICb, cd("balanceOf(address)", [.address(t.bob)]), value: 1)
        assertRejectedUntouched(t, t.addrs.aMATICc, cd("isRebasing()"), value: 1)
        // payable functions take it
        let fee = t.contracts.ethUnstakeFee(state: t.state)
        XCTAssertTrue(t.unstakeBondsEth(t.alice, tokens(1), value: fee).success)
        t.send(t.intermediary, t.addrs.matic, OperatorCalls.transfer(to: t.addrs.pool, amount: tokens(1)))
        let r = t.send(t.op, t.addrs.pool, OperatorCalls.serveClaims(amountToUse: 0, residue: t.intermediary, minThreshold: 0), value: 3)
        XCTAssertTrue(r.success)
        XCTAssertEqual(t.state.balance(of: t.addrs.pool), 3)
    }

    func testTruncatedAndMalformedArguments() {
        let t = TestChain()
        t.stakeBonds(t.alice, tokens(5))
        let transfer = cd("transfer(address,uint256)", [.address(t.bob), .uint(1)])
        for token in [t.addrs.matic, t.addrs.ankr, t.addrs.aMATICb, t.addrs.aMATICc] {
            assertRejectedUntouched(t, token, Array(transfer.dropLast()))
            assertRejectedUntouched(t, token, Array(transfer.prefix(4 + 32)))
            // extra bytes after the arguments are ignored
            XCTAssertTrue(t.call(t.alice, token, cd("balanceOf(address)", [.address(t.bob)]) + [1, 2, 3]).success)
        }
        // dirty address: coder v2 contracts reject it
        var dirty = transfer
        dirty[4 + 11] = 1
        for a in [t.addrs.aMATICb, t.addrs.aMATICc] {
            let before = t.state.snapshot()
            let r = t.contracts.call(to: a, calldata: dirty, context: t.context(t.alice, 0), state: t.state)
            assertRevertsEmpty(r)
            XCTAssertEqual(t.state.snapshot(), before)
        }
        var dirtyPool = cd("claimToIntermediary(address,uint256)", [.address(t.intermediary), .uint(1)])
        dirtyPool[4] = 0x80
        assertRevertsEmpty(t.send(t.op, t.addrs.pool, dirtyPool))

        // unstake's `bytes` argument
        let fee = t.contracts.ethUnstakeFee(state: t.state)
        let good = cd("unstakeBonds(uint256,uint256,uint256,bytes)", [.uint(tokens(1)), .uint(0), .uint(0), .bytes([])])
        var badOffset = good
        badOffset.replaceSubrange((4 + 96)..<(4 + 128), with: UInt256(0x1000).bytes32)
        assertRevertsEmpty(t.send(t.alice, t.addrs.pool, badOffset, value: fee))
        var badLength = good
        badLength.replaceSubrange((4 + 128)..<(4 + 160), with: UInt256(64).bytes32)
        assertRevertsEmpty(t.send(t.alice, t.addrs.pool, badLength, value: fee))
        var huge = good
        huge.replaceSubrange((4 + 128)..<(4 + 160), with: UInt256(UInt64.max).bytes32)
        assertPanics(t.send(t.alice, t.addrs.pool, huge, value: fee), 0x41)
        assertRevertsEmpty(t.send(t.alice, t.addrs.pool, Array(good.prefix(4 + 128)), value: fee))
        XCTAssertTrue(t.send(t.alice, t.addrs.pool, good, value: fee).success)
    }

    func testRevertGasAndSuccessGas() {
        let t = TestChain()
        t.stakeBonds(t.alice, tokens(5))
        let ok = t.send(t.alice, t.addrs.aMATICb, cd("transfer(address,uint256)", [.address(t.bob), .uint(1)]))
        XCTAssertEqual(ok.gasUsed, GasTable.gas(.aMATICb, "transfer(address,uint256)"))
        let bad = t.send(t.bob, t.addrs.aMATICb, cd("transfer(address,uint256)", [.address(t.alice), .uint(tokens(1))]))
        XCTAssertFalse(bad.success)
        XCTAssertEqual(bad.gasUsed, GasTable.revertGas(GasTable.gas(.aMATICb, "transfer(address,uint256)")))
        // a call to an address without emulated code does nothing
        let none = t.contracts.call(to: t.bob, calldata: [1, 2, 3, 4], context: t.context(t.alice, 0), state: t.state)
        XCTAssertTrue(none.success)
        XCTAssertEqual(none.gasUsed, 0)
    }

    func testCodeAndIsContract() {
        let t = TestChain()
        for (_, a) in t.addrs.all {
            XCTAssertTrue(t.contracts.isContract(a))
            XCTAssertFalse(t.contracts.code(at: a)?.isEmpty ?? true)
        }
        XCTAssertFalse(t.contracts.isContract(t.alice))
        XCTAssertNil(t.contracts.code(at: t.alice))
    }

    func testDescribe() {
        let t = TestChain()
        let bob = Address(hex: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")!
        let c = t.contracts
        XCTAssertEqual(c.describe(to: t.addrs.aMATICb, calldata: cd("transfer(address,uint256)", [.address(bob), .uint(UInt256(1_500_000_000_000_000_000 as UInt64))])),
                       "aMATICb.transfer(0x7099…79C8, 1.5)")
        XCTAssertEqual(c.describe(to: t.addrs.pool, calldata: cd("stakeAndClaimCerts(uint256)", [.uint(tokens(100))])),
                       "PolygonPool.stakeAndClaimCerts(100)")
        XCTAssertEqual(c.describe(to: t.addrs.pool, calldata: cd("unstakeBonds(uint256,uint256,uint256,bytes)", [.uint(1), .uint(tokens(150)), .uint(1234), .bytes([0xab, 0xcd])])),
                       "PolygonPool.unstakeBonds(0.000000000000000001, 150, 1234, 0xabcd)")
        XCTAssertEqual(c.describe(to: t.addrs.aMATICb, calldata: OperatorCalls.updateRatio(UInt256(999_000_000_000_000_000))),
                       "aMATICb.updateRatio(0.999)")
        XCTAssertEqual(c.describe(to: t.addrs.matic, calldata: [0xde, 0xad, 0xbe, 0xef, 0]), "MATIC.0xdeadbeef(…)")
        XCTAssertEqual(c.describe(to: t.addrs.ankr, calldata: []), "ANKR (plain transfer)")
        XCTAssertEqual(c.describe(to: t.addrs.aMATICb, calldata: Array(cd("transfer(address,uint256)", [.address(bob), .uint(1)]).prefix(20))),
                       "aMATICb.transfer(?, ?)")
        XCTAssertNil(c.describe(to: bob, calldata: []))
    }

    func testEveryFunctionHasAGasFigure() {
        var listed = Set<String>()
        for k in ContractKind.allCases {
            for f in Dispatcher.abi(k).functions {
                let key = k.label + "." + f.signature
                XCTAssertNotNil(GasTable.table[key], "no gas figure for \(key)")
                listed.insert(key)
            }
        }
        XCTAssertEqual(Set(GasTable.table.keys).subtracting(listed), [], "gas figures for functions that do not exist")
    }

    func testAddressesFile() throws {
        let json = ContractAddresses.mainnet.json
        XCTAssertEqual(try ContractAddresses(json: Data(json.utf8)), .mainnet)
        let custom = #"{"matic":"0x0000000000000000000000000000000000000001","PolygonPool":"0x0000000000000000000000000000000000000002","aMATICb":"0x0000000000000000000000000000000000000003","aMATICc":"0x0000000000000000000000000000000000000004","ANKR":"0x0000000000000000000000000000000000000005"}"#
        let a = try ContractAddresses(json: Data(custom.utf8))
        XCTAssertEqual(a.pool, Address(hex: "0x0000000000000000000000000000000000000002"))
        XCTAssertEqual(a.name(of: a.ankr), "ANKR")
        XCTAssertThrowsError(try ContractAddresses(json: Data("[]".utf8)))
        XCTAssertThrowsError(try ContractAddresses(json: Data("{".utf8)))
        XCTAssertThrowsError(try ContractAddresses(json: Data(custom.replacingOccurrences(of: "\"ANKR\"", with: "\"XYZ\"").utf8)))
        XCTAssertThrowsError(try ContractAddresses(json: Data(custom.replacingOccurrences(of: "0x0000000000000000000000000000000000000005", with: "0x01").utf8)))
        XCTAssertThrowsError(try ContractAddresses(json: Data(custom.replacingOccurrences(of: "0x0000000000000000000000000000000000000005", with: "0x0000000000000000000000000000000000000004").utf8)))

        // the contracts work at other addresses
        let state = MemoryState()
        let op = Address(hex: "0x00000000000000000000000000000000000000aa")!
        let user = Address(hex: "0x00000000000000000000000000000000000000bb")!
        let nc = NativeContracts(addresses: a, roles: Roles(operator: op, feeCollector: op, intermediary: op))
        nc.genesis(state: state, holders: [user], maticEach: tokens(10), ankrEach: 0, intermediaryReserve: 0)
        func ctx(_ from: Address) -> CallContext { CallContext(caller: from, origin: from, value: 0, blockNumber: 1, timestamp: 1, chainId: 1) }
        XCTAssertTrue(nc.call(to: a.matic, calldata: OperatorCalls.approve(spender: a.pool, amount: tokens(10)), context: ctx(user), state: state).success)
        let r = nc.call(to: a.pool, calldata: cd("stakeAndClaimCerts(uint256)", [.uint(tokens(2))]), context: ctx(user), state: state)
        XCTAssertTrue(r.success, ABI.decodeRevertReason(r.output) ?? r.output.hex)
        XCTAssertEqual(nc.aMATICcBalance(of: user, state: state), tokens(2))
        XCTAssertEqual(r.logs.map(\.address), [a.matic, a.matic, a.aMATICc, a.aMATICb, a.pool, a.pool, a.aMATICb, a.aMATICc])
    }

    func testTypedReads() {
        let t = TestChain()
        let c = t.contracts
        XCTAssertEqual(c.ratio(state: t.state), e18)
        XCTAssertEqual(c.minimumStake(state: t.state), e18)
        XCTAssertEqual(c.notary(state: t.state), t.op)
        t.stakeBonds(t.alice, tokens(7))
        t.stakeCerts(t.bob, tokens(3))
        XCTAssertEqual(c.pendingStakesTotal(state: t.state), tokens(10))
        XCTAssertEqual(c.poolMaticBalance(state: t.state), tokens(10))
        XCTAssertEqual(c.aMATICbBalance(of: t.alice, state: t.state), tokens(7))
        XCTAssertEqual(c.aMATICbShares(of: t.alice, state: t.state), tokens(7))
        XCTAssertEqual(c.aMATICcBalance(of: t.bob, state: t.state), tokens(3))
        XCTAssertEqual(c.aMATICbTotalShares(state: t.state), tokens(10))
        XCTAssertEqual(c.aMATICcTotalSupply(state: t.state), tokens(10))
        XCTAssertEqual(c.maticBalance(of: t.intermediary, state: t.state), TestChain.reserve)
        XCTAssertEqual(c.ankrBalance(of: t.alice, state: t.state), TestChain.ankrEach)
        t.unstakeBondsEth(t.alice, tokens(2))
        XCTAssertEqual(c.pendingBurn(of: t.alice, state: t.state), tokens(2))
        XCTAssertEqual(c.claimsEverQueued(state: t.state), 1)
        XCTAssertEqual(c.claimQueue(state: t.state), [PendingClaim(index: 0, recipient: t.alice, amount: tokens(2))])
    }
}
