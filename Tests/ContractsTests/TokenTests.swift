import XCTest
@testable import Contracts
import Primitives

/// MATIC (OpenZeppelin 2.1 ERC20Pausable) and ANKR.
final class TokenTests: XCTestCase {
    func testGenesisBalancesAndMetadata() {
        let t = TestChain()
        for u in t.users {
            XCTAssertEqual(t.matic(u), TestChain.maticEach)
            XCTAssertEqual(t.ankr(u), TestChain.ankrEach)
        }
        XCTAssertEqual(t.matic(t.intermediary), TestChain.reserve)
        XCTAssertEqual(t.uintCall(t.addrs.matic, "totalSupply()"), TestChain.maticEach * UInt256(5) + TestChain.reserve)
        XCTAssertEqual(t.uintCall(t.addrs.ankr, "totalSupply()"), TestChain.ankrEach * UInt256(5))
        func string(_ to: Address, _ sig: String) -> String? {
            let r = t.call(t.alice, to, cd(sig))
            return (try? ABI.decode([.string], r.output))?.first?.stringValue
        }
        XCTAssertEqual(string(t.addrs.matic, "name()"), "Matic Token")
        XCTAssertEqual(string(t.addrs.matic, "symbol()"), "MATIC")
        XCTAssertEqual(t.uintCall(t.addrs.matic, "decimals()"), 18)
        XCTAssertEqual(string(t.addrs.ankr, "name()"), "Ankr Network")
        XCTAssertEqual(string(t.addrs.ankr, "symbol()"), "ANKR")
        XCTAssertEqual(string(t.addrs.aMATICb, "name()"), "Ankr MATIC Reward Earning Bond")
        XCTAssertEqual(string(t.addrs.aMATICb, "symbol()"), "aMATICb")
        XCTAssertEqual(string(t.addrs.aMATICc, "name()"), "Ankr Reward Bearing MATIC")
        XCTAssertEqual(string(t.addrs.aMATICc, "symbol()"), "aMATICc")
        XCTAssertEqual(t.uintCall(t.addrs.aMATICb, "decimals()"), 18)
        XCTAssertEqual(t.uintCall(t.addrs.aMATICc, "decimals()"), 18)
        // MATIC's balances live in slot 0 as on mainnet
        let slot = Hash.keccak(t.alice.value.bytes32 + UInt256.zero.bytes32)
        XCTAssertEqual(t.state.storage(t.addrs.matic, slot), TestChain.maticEach)
    }

    func testTransferAndFailuresWithoutReason() {
        let t = TestChain()
        let m = t.addrs.matic
        let r = t.send(t.alice, m, cd("transfer(address,uint256)", [.address(t.bob), .uint(tokens(3))]))
        assertLogs(r, [transferLog(m, t.alice, t.bob, tokens(3))])
        XCTAssertEqual(r.output, ABI.word(true))
        XCTAssertEqual(t.matic(t.alice), TestChain.maticEach - tokens(3))
        XCTAssertEqual(t.matic(t.bob), TestChain.maticEach + tokens(3))

        let before = t.state.snapshot()
        assertRevertsEmpty(t.send(t.alice, m, cd("transfer(address,uint256)", [.address(t.bob), .uint(tokens(1_000_000))])))
        assertRevertsEmpty(t.send(t.alice, m, cd("transfer(address,uint256)", [.address(.zero), .uint(1)])))
        assertRevertsEmpty(t.send(t.alice, m, cd("approve(address,uint256)", [.address(.zero), .uint(1)])))
        assertRevertsEmpty(t.send(t.bob, m, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(t.bob), .uint(1)])))
        assertRevertsEmpty(t.send(t.alice, m, cd("decreaseAllowance(address,uint256)", [.address(t.bob), .uint(1)])))
        XCTAssertEqual(t.state.snapshot(), before)
        // a zero transfer is fine and logged
        assertLogs(t.send(t.alice, m, cd("transfer(address,uint256)", [.address(t.bob), .uint(0)])), [transferLog(m, t.alice, t.bob, 0)])
    }

    func testTransferFromLogsApprovalAfterTransfer() {
        let t = TestChain()
        let m = t.addrs.matic
        assertLogs(t.send(t.alice, m, cd("approve(address,uint256)", [.address(t.bob), .uint(tokens(10))])),
                   [approvalLog(m, t.alice, t.bob, tokens(10))])
        let r = t.send(t.bob, m, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(t.carol), .uint(tokens(4))]))
        assertLogs(r, [transferLog(m, t.alice, t.carol, tokens(4)), approvalLog(m, t.alice, t.bob, tokens(6))])
        XCTAssertEqual(t.uintCall(m, "allowance(address,address)", .address(t.alice), .address(t.bob)), tokens(6))
        // over the allowance: empty revert
        assertRevertsEmpty(t.send(t.bob, m, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(t.carol), .uint(tokens(7))])))
        // allowance fine, balance not: empty revert, allowance untouched
        t.send(t.carol, m, cd("approve(address,uint256)", [.address(t.bob), .uint(UInt256.max)]))
        assertRevertsEmpty(t.send(t.bob, m, cd("transferFrom(address,address,uint256)", [.address(t.carol), .address(t.bob), .uint(tokens(200_000))])))
        XCTAssertEqual(t.uintCall(m, "allowance(address,address)", .address(t.carol), .address(t.bob)), UInt256.max)
        // OZ 2.1 decrements even an unlimited allowance
        let r2 = t.send(t.bob, m, cd("transferFrom(address,address,uint256)", [.address(t.carol), .address(t.bob), .uint(1)]))
        assertLogs(r2, [transferLog(m, t.carol, t.bob, 1), approvalLog(m, t.carol, t.bob, UInt256.max - 1)])
    }

    func testIncreaseDecreaseAllowance() {
        let t = TestChain()
        for token in [t.addrs.matic, t.addrs.ankr] {
            assertLogs(t.send(t.alice, token, cd("increaseAllowance(address,uint256)", [.address(t.bob), .uint(5)])),
                       [approvalLog(token, t.alice, t.bob, 5)])
            assertLogs(t.send(t.alice, token, cd("increaseAllowance(address,uint256)", [.address(t.bob), .uint(7)])),
                       [approvalLog(token, t.alice, t.bob, 12)])
            assertLogs(t.send(t.alice, token, cd("decreaseAllowance(address,uint256)", [.address(t.bob), .uint(2)])),
                       [approvalLog(token, t.alice, t.bob, 10)])
            assertRevertsEmpty(t.send(t.alice, token, cd("decreaseAllowance(address,uint256)", [.address(t.bob), .uint(11)])))
            assertRevertsEmpty(t.send(t.alice, token, cd("increaseAllowance(address,uint256)", [.address(t.bob), .uint(UInt256.max)])))
            assertRevertsEmpty(t.send(t.alice, token, cd("increaseAllowance(address,uint256)", [.address(.zero), .uint(1)])))
        }
    }

    func testMaticPause() {
        let t = TestChain()
        let m = t.addrs.matic
        XCTAssertEqual(t.call(t.alice, m, cd("isPauser(address)", [.address(t.op)])).output, ABI.word(true))
        XCTAssertEqual(t.call(t.alice, m, cd("isPauser(address)", [.address(t.alice)])).output, ABI.word(false))
        assertRevertsEmpty(t.call(t.alice, m, cd("isPauser(address)", [.address(.zero)])))   // Roles.has(0) reverts
        assertRevertsEmpty(t.send(t.alice, m, cd("pause()")))
        assertLogs(t.send(t.op, m, cd("pause()")), [L(m, "Paused(address)", [], t.op.value.bytes32)])
        XCTAssertEqual(t.call(t.alice, m, cd("paused()")).output, ABI.word(true))
        assertRevertsEmpty(t.send(t.alice, m, cd("transfer(address,uint256)", [.address(t.bob), .uint(1)])))
        assertRevertsEmpty(t.send(t.alice, m, cd("approve(address,uint256)", [.address(t.bob), .uint(1)])))
        assertRevertsEmpty(t.send(t.op, m, cd("pause()")))
        assertLogs(t.send(t.op, m, cd("unpause()")), [L(m, "Unpaused(address)", [], t.op.value.bytes32)])
        assertLogs(t.send(t.alice, m, cd("transfer(address,uint256)", [.address(t.bob), .uint(1)])), [transferLog(m, t.alice, t.bob, 1)])
        // pauser management
        assertLogs(t.send(t.op, m, cd("addPauser(address)", [.address(t.alice)])), [L(m, "PauserAdded(address)", [word(t.alice)])])
        assertRevertsEmpty(t.send(t.op, m, cd("addPauser(address)", [.address(t.alice)])))
        assertLogs(t.send(t.alice, m, cd("renouncePauser()")), [L(m, "PauserRemoved(address)", [word(t.alice)])])
        assertRevertsEmpty(t.send(t.alice, m, cd("renouncePauser()")))
    }

    func testCoderV1CleansDirtyAddresses() {
        // MATIC is Solidity 0.5 (ABI coder v1): high bits of an address argument are dropped.
        let t = TestChain()
        var data = cd("transfer(address,uint256)", [.address(t.bob), .uint(5)])
        data[4] = 0xff
        let r = t.send(t.alice, t.addrs.matic, data)
        assertLogs(r, [transferLog(t.addrs.matic, t.alice, t.bob, 5)])
        // …but aMATICb (0.8, coder v2) rejects the same argument with empty data
        t.stakeBonds(t.alice, tokens(10))
        var data2 = cd("transfer(address,uint256)", [.address(t.bob), .uint(5)])
        data2[4] = 0xff
        assertRevertsEmpty(t.send(t.alice, t.addrs.aMATICb, data2))
    }

    func testDealERC20() throws {
        let t = TestChain()
        let supply = t.uintCall(t.addrs.matic, "totalSupply()")
        try t.contracts.dealERC20(token: t.addrs.matic, holder: t.alice, amount: tokens(7), state: t.state)
        XCTAssertEqual(t.matic(t.alice), tokens(7))
        XCTAssertEqual(t.uintCall(t.addrs.matic, "totalSupply()"), supply - TestChain.maticEach + tokens(7))
        let stranger = Address(hex: "0x1234567890123456789012345678901234567890")!
        try t.contracts.dealERC20(token: t.addrs.ankr, holder: stranger, amount: tokens(3), state: t.state)
        XCTAssertEqual(t.ankr(stranger), tokens(3))
        XCTAssertEqual(t.uintCall(t.addrs.ankr, "totalSupply()"), TestChain.ankrEach * UInt256(5) + tokens(3))
        XCTAssertThrowsError(try t.contracts.dealERC20(token: t.addrs.pool, holder: t.alice, amount: 1, state: t.state)) {
            XCTAssertEqual($0 as? ContractsError, .notDealable(t.addrs.pool))
        }
        XCTAssertThrowsError(try t.contracts.dealERC20(token: t.addrs.ankr, holder: t.alice, amount: UInt256.max, state: t.state)) {
            XCTAssertEqual($0 as? ContractsError, .supplyOverflow)
        }
    }
}
