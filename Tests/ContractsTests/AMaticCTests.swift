import XCTest
@testable import Contracts
import Primitives

final class AMaticCTests: XCTestCase {
    func testERC20WithReasonsAndApprovalOnTransferFrom() {
        let t = TestChain()
        let c = t.addrs.aMATICc
        t.stakeCerts(t.alice, tokens(10))
        assertLogs(t.send(t.alice, c, cd("transfer(address,uint256)", [.address(t.bob), .uint(tokens(1))])),
                   [transferLog(c, t.alice, t.bob, tokens(1))])
        assertReverts(t.send(t.bob, c, cd("transfer(address,uint256)", [.address(t.alice), .uint(tokens(2))])), "ERC20: transfer amount exceeds balance")
        assertReverts(t.send(t.bob, c, cd("transfer(address,uint256)", [.address(.zero), .uint(1)])), "ERC20: transfer to the zero address")
        assertReverts(t.send(t.bob, c, cd("approve(address,uint256)", [.address(.zero), .uint(1)])), "ERC20: approve to the zero address")
        assertReverts(t.send(t.carol, c, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(t.carol), .uint(1)])),
                      "ERC20: transfer amount exceeds allowance")
        assertLogs(t.send(t.alice, c, cd("approve(address,uint256)", [.address(t.carol), .uint(tokens(3))])),
                   [approvalLog(c, t.alice, t.carol, tokens(3))])
        assertLogs(t.send(t.carol, c, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(t.carol), .uint(tokens(2))])),
                   [transferLog(c, t.alice, t.carol, tokens(2)), approvalLog(c, t.alice, t.carol, tokens(1))])
        assertLogs(t.send(t.alice, c, cd("increaseAllowance(address,uint256)", [.address(t.carol), .uint(5)])),
                   [approvalLog(c, t.alice, t.carol, tokens(1) + 5)])
        assertReverts(t.send(t.alice, c, cd("decreaseAllowance(address,uint256)", [.address(t.carol), .uint(tokens(2))])),
                      "ERC20: decreased allowance below zero")
        assertPanics(t.send(t.alice, c, cd("increaseAllowance(address,uint256)", [.address(t.carol), .uint(UInt256.max)])), 0x11)
        t.assertInvariants()
    }

    func testMinterOnlyAndOwnerFunctions() {
        let t = TestChain()
        let c = t.addrs.aMATICc
        t.stakeCerts(t.alice, tokens(2))
        for sig in ["bondTransferTo(address,uint256)", "bondTransferFrom(address,uint256)", "mint(address,uint256)", "burn(address,uint256)"] {
            assertReverts(t.send(t.op, c, cd(sig, [.address(t.alice), .uint(1)])), "onlyMinter: not allowed")
        }
        assertReverts(t.send(t.op, c, cd("initialize(address,address)", [.address(t.op), .address(t.op)])),
                      "Initializable: contract is already initialized")
        XCTAssertEqual(t.call(t.alice, c, cd("pool()")).output, t.addrs.pool.value.bytes32)
        XCTAssertEqual(t.call(t.alice, c, cd("bondToken()")).output, t.addrs.aMATICb.value.bytes32)
        XCTAssertEqual(t.call(t.alice, c, cd("owner()")).output, t.op.value.bytes32)
        assertReverts(t.send(t.alice, c, cd("changePoolContract(address)", [.address(t.alice)])), "Ownable: caller is not the owner")
        // the pool is a minter too: make Alice the "pool" and mint directly
        assertLogs(t.send(t.op, c, cd("changePoolContract(address)", [.address(t.alice)])),
                   [L(c, "PoolContractChanged(address,address)", [], t.addrs.pool.value.bytes32 + t.alice.value.bytes32)])
        assertLogs(t.send(t.alice, c, cd("mint(address,uint256)", [.address(t.bob), .uint(9)])), [transferLog(c, .zero, t.bob, 9)])
        assertReverts(t.send(t.alice, c, cd("burn(address,uint256)", [.address(t.bob), .uint(10)])), "ERC20: burn amount exceeds balance")
        assertReverts(t.send(t.alice, c, cd("mint(address,uint256)", [.address(.zero), .uint(1)])), "ERC20: mint to the zero address")
        // changing the bond token to a contract without ratio(): ratio() reverts with empty data
        assertLogs(t.send(t.op, c, cd("changeBondToken(address)", [.address(t.addrs.matic)])),
                   [L(c, "BondTokenChanged(address,address)", [], t.addrs.aMATICb.value.bytes32 + t.addrs.matic.value.bytes32)])
        assertRevertsEmpty(t.call(t.alice, c, cd("ratio()")))
        assertRevertsEmpty(t.call(t.alice, c, cd("balanceWithRewardsOf(address)", [.address(t.alice)])))
        // pointing it at itself loops until the call depth gives out
        t.send(t.op, c, cd("changeBondToken(address)", [.address(c)]))
        assertRevertsEmpty(t.call(t.alice, c, cd("ratio()")))
    }

    func testRatioBalanceWithRewardsAndInterfaces() {
        let t = TestChain()
        let c = t.addrs.aMATICc
        t.stakeCerts(t.alice, tokens(10))
        let r = UInt256(940_000_000_000_000_000)
        t.setRatio(r)
        XCTAssertEqual(t.uintCall(c, "ratio()"), r)
        XCTAssertEqual(t.uintCall(c, "balanceWithRewardsOf(address)", .address(t.alice)), tokens(10) * e18 / r)
        XCTAssertEqual(t.call(t.alice, c, cd("isRebasing()")).output, ABI.word(false))
        XCTAssertEqual(t.call(t.alice, t.addrs.aMATICb, cd("isRebasing()")).output, ABI.word(true))
        func supports(_ id: [UInt8]) -> CallResult { t.call(t.alice, c, cd("supportsInterface(bytes4)", [.fixedBytes(id)])) }
        XCTAssertEqual(supports([0x01, 0xff, 0xc9, 0xa7]).output, ABI.word(true))
        XCTAssertEqual(supports(AMaticC.iOwnableId).output, ABI.word(true))
        XCTAssertEqual(supports(AMaticC.iCertTokenId).output, ABI.word(true))
        XCTAssertEqual(supports([0xff, 0xff, 0xff, 0xff]).output, ABI.word(false))
        XCTAssertEqual(supports([0x36, 0x37, 0x2b, 0x07]).output, ABI.word(false))   // IERC20 is not advertised
        // IOwnable = owner ^ renounceOwnership ^ transferOwnership
        XCTAssertEqual(AMaticC.iOwnableId, zip(zip([0x8d, 0xa5, 0xcb, 0x5b], [0x71, 0x50, 0x18, 0xa6]), [0xf2, 0xfd, 0xe3, 0x8b]).map { $0.0 ^ $0.1 ^ $1 })
        // a bytes4 with bytes set past the fourth is rejected by the v2 decoder
        var dirty = cd("supportsInterface(bytes4)", [.fixedBytes([0x01, 0xff, 0xc9, 0xa7])])
        dirty[10] = 1
        assertRevertsEmpty(t.call(t.alice, c, dirty))
    }
}
