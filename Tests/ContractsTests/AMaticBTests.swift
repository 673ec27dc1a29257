import XCTest
@testable import Contracts
import Primitives

final class ShareMathTests: XCTestCase {
    func floorRef(_ a: UInt256, _ b: UInt256, _ c: UInt256) -> UInt256 { (a * b) / c }
    func ceilRef(_ a: UInt256, _ b: UInt256, _ c: UInt256) -> UInt256 { (a * b + c - 1) / c }

    func testExactAgainstReference() throws {
        // a < 2^128 and b, c ≤ 1e18 keep a·b inside 256 bits, so the reference is exact.
        var rng = SystemRandomNumberGenerator()
        let ratios: [UInt256] = [e18, e18 - 1, UInt256(999_999_999_999_999_989), UInt256(900_000_000_000_000_000),
                                 UInt256(1_000_000_007), UInt256(3), UInt256(1),
                                 UInt256(957_146_782_239_711_573)]
        for r in ratios {
            for i in 0..<300 {
                let a: UInt256
                switch i {
                case 0: a = .zero
                case 1: a = .one
                case 2: a = r
                case 3: a = r - 1
                case 4: a = e18
                case 5: a = e18 + 1
                default: a = UInt256(w0: rng.next(), w1: i % 2 == 0 ? rng.next() : 0, w2: 0, w3: 0)
                }
                XCTAssertEqual(try AMaticB.safeCeilMultiplyAndDivide(a, r, e18), ceilRef(a, r, e18), "ceil a=\(a) r=\(r)")
                XCTAssertEqual(try AMaticB.safeFloorMultiplyAndDivide(a, e18, r), floorRef(a, e18, r), "floor a=\(a) r=\(r)")
            }
        }
    }

    func testRatioOneIsIdentity() throws {
        for a in [UInt256.zero, .one, UInt256(12345), e18, UInt256.max - 1, UInt256.max] {
            XCTAssertEqual(try AMaticB.safeCeilMultiplyAndDivide(a, e18, e18), a)
            XCTAssertEqual(try AMaticB.safeFloorMultiplyAndDivide(a, e18, e18), a)
        }
    }

    func testOneWeiRounding() throws {
        let r = UInt256(300_000_000_000_000_000)   // 0.3 shares per MATIC
        XCTAssertEqual(try AMaticB.safeCeilMultiplyAndDivide(1, r, e18), 1)      // ceil(0.3)
        XCTAssertEqual(try AMaticB.safeFloorMultiplyAndDivide(1, e18, r), 3)     // floor(3.33)
        XCTAssertEqual(try AMaticB.safeCeilMultiplyAndDivide(3, r, e18), 1)      // ceil(0.9)
        XCTAssertEqual(try AMaticB.safeCeilMultiplyAndDivide(4, r, e18), 2)      // ceil(1.2)
        XCTAssertEqual(try AMaticB.safeFloorMultiplyAndDivide(0, e18, r), 0)
        XCTAssertEqual(try AMaticB.safeCeilMultiplyAndDivide(0, r, e18), 0)
    }

    func testSaturation() throws {
        // first product overflows
        XCTAssertEqual(try AMaticB.safeFloorMultiplyAndDivide(UInt256.max, e18, e18 - 1), UInt256.max)
        XCTAssertEqual(try AMaticB.safeFloorMultiplyAndDivide(UInt256.max, e18, UInt256(900_000_000_000_000_000)), UInt256.max)
        // the product fits but adding the remainder's share overflows
        let c = e18 - 1
        let q = UInt256.max / e18
        let a = q * c + (c - 1)
        XCTAssertEqual(try AMaticB.safeFloorMultiplyAndDivide(a, e18, c), UInt256.max)
        // the same quotient with a zero remainder does not saturate
        XCTAssertEqual(try AMaticB.safeFloorMultiplyAndDivide(q * c, e18, c), q * e18)
        XCTAssertEqual(try AMaticB.safeCeilMultiplyAndDivide(UInt256.max, UInt256.max, e18), UInt256.max)
    }

    func testPanicsAsTheSource() {
        // c = 0: a.mod(0) → Panic(0x12)
        XCTAssertThrowsError(try AMaticB.safeFloorMultiplyAndDivide(5, e18, .zero)) { XCTAssertEqual(($0 as? Revert)?.data, ABI.encodePanic(0x12)) }
        // (a % c)·b overflowing is checked arithmetic: Panic(0x11)
        let huge = UInt256.one << 255
        XCTAssertThrowsError(try AMaticB.safeCeilMultiplyAndDivide(5, huge, e18)) { XCTAssertEqual(($0 as? Revert)?.data, ABI.encodePanic(0x11)) }
    }
}

final class AMaticBTests: XCTestCase {
    func testRatioUpdatesAndAccessControl() {
        let t = TestChain()
        let b = t.addrs.aMATICb
        XCTAssertEqual(t.ratio, e18)
        assertReverts(t.send(t.alice, b, OperatorCalls.updateRatio(e18 - 1)), "Operator: not allowed")
        assertReverts(t.send(t.op, b, OperatorCalls.updateRatio(e18 + 1)), "new ratio should be less or equal to 1e18")
        let r = UInt256(950_000_000_000_000_000)
        assertLogs(t.send(t.op, b, OperatorCalls.updateRatio(r)), [L(b, "RatioUpdate(uint256)", [], r.bytes32)])
        XCTAssertEqual(t.ratio, r)
        // repairRatio is owner-only and unbounded
        assertReverts(t.send(t.alice, b, cd("repairRatio(uint256)", [.uint(e18 * 2)])), "Ownable: caller is not the owner")
        assertLogs(t.send(t.op, b, cd("repairRatio(uint256)", [.uint(e18 * 2)])), [L(b, "RatioUpdate(uint256)", [], (e18 * 2).bytes32)])
        // updateRatioAndFee
        assertReverts(t.send(t.op, b, OperatorCalls.updateRatioAndFee(e18 + 5, 7)), "new ratio should be less or equal to 1e18")
        assertLogs(t.send(t.op, b, OperatorCalls.updateRatioAndFee(r, 7)), [L(b, "RatioUpdate(uint256)", [], r.bytes32)])
        XCTAssertEqual(t.uintCall(b, "collectableFee()"), 7)
        // a ratio below 500 gives a zero threshold: the same ratio is "out of limits"
        t.send(t.op, b, cd("repairRatio(uint256)", [.uint(100)]))
        assertReverts(t.send(t.op, b, OperatorCalls.updateRatioAndFee(100, 1)), "New ratio should be in limits")
        assertReverts(t.send(t.alice, b, cd("repairCollectableFee(uint256)", [.uint(1)])), "Ownable: caller is not the owner")
    }

    func testStakeMintsBondsAndCertsAtAnyRatio() {
        let t = TestChain()
        let r = UInt256(957_146_782_239_711_573)
        t.setRatio(r)
        let amount = tokens(10) + 1
        t.stakeBonds(t.alice, amount)
        let shares = t.shares(t.alice)
        XCTAssertEqual(shares, (amount * r + e18 - 1) / e18)
        XCTAssertEqual(t.bonds(t.alice), shares * e18 / r)
        XCTAssertEqual(t.uintCall(t.addrs.aMATICb, "totalSupply()"), shares * e18 / r)
        XCTAssertEqual(t.certs(t.addrs.aMATICb), shares)
        t.assertInvariants()
    }

    func testTransferMovesCeilSharesAndLogsFlooredBonds() {
        let t = TestChain()
        let b = t.addrs.aMATICb
        t.stakeBonds(t.alice, tokens(100))
        let r = UInt256(300_000_000_000_000_000)
        t.setRatio(r)
        XCTAssertEqual(t.bonds(t.alice), tokens(100) * e18 / r)
        // 1 wei of bonds: ceil(0.3) = 1 share, logged as floor(1/0.3) = 3 bonds
        let s0 = t.shares(t.alice)
        let x = t.send(t.alice, b, cd("transfer(address,uint256)", [.address(t.bob), .uint(1)]))
        assertLogs(x, [transferLog(b, t.alice, t.bob, 3)])
        XCTAssertEqual(x.output, ABI.word(true))
        XCTAssertEqual(t.shares(t.alice), s0 - 1)
        XCTAssertEqual(t.shares(t.bob), 1)
        XCTAssertEqual(t.bonds(t.bob), 3)
        // more than the balance
        assertReverts(t.send(t.bob, b, cd("transfer(address,uint256)", [.address(t.alice), .uint(4)])), "ERC20: transfer amount exceeds balance")
        assertReverts(t.send(t.bob, b, cd("transfer(address,uint256)", [.address(.zero), .uint(1)])), "ERC20: transfer to the zero address")
        t.assertInvariants()
    }

    func testApproveStoresSharesAndLogsAllowance() {
        let t = TestChain()
        let b = t.addrs.aMATICb
        t.stakeBonds(t.alice, tokens(10))
        // at ratio 1: an unlimited allowance cannot be increased (checked add: Panic 0x11)
        assertLogs(t.send(t.alice, b, cd("approve(address,uint256)", [.address(t.bob), .uint(UInt256.max)])),
                   [approvalLog(b, t.alice, t.bob, UInt256.max)])
        assertPanics(t.send(t.alice, b, cd("increaseAllowance(address,uint256)", [.address(t.bob), .uint(1)])), 0x11)
        let r = UInt256(300_000_000_000_000_000)
        t.setRatio(r)
        // approve(1 bond) stores ceil(0.3) = 1 share; Approval carries allowance() = 3 bonds
        assertLogs(t.send(t.alice, b, cd("approve(address,uint256)", [.address(t.bob), .uint(1)])), [approvalLog(b, t.alice, t.bob, 3)])
        XCTAssertEqual(t.uintCall(b, "allowance(address,address)", .address(t.alice), .address(t.bob)), 3)
        assertLogs(t.send(t.alice, b, cd("increaseAllowance(address,uint256)", [.address(t.bob), .uint(4)])),
                   [approvalLog(b, t.alice, t.bob, UInt256(3) * e18 / r)])   // 1 + ceil(1.2) = 3 shares → 10 bonds
        assertLogs(t.send(t.alice, b, cd("decreaseAllowance(address,uint256)", [.address(t.bob), .uint(1)])),
                   [approvalLog(b, t.alice, t.bob, UInt256(2) * e18 / r)])
        assertReverts(t.send(t.alice, b, cd("decreaseAllowance(address,uint256)", [.address(t.bob), .uint(100)])),
                      "ERC20: decreased allowance below zero")
        assertReverts(t.send(t.alice, b, cd("approve(address,uint256)", [.address(.zero), .uint(1)])), "ERC20: approve to the zero address")
    }

    func testTransferFromSpendsSharesWithoutApprovalEvent() {
        let t = TestChain()
        let b = t.addrs.aMATICb
        t.stakeBonds(t.alice, tokens(10))
        // no allowance: the transfer runs first, then the allowance check fails
        assertReverts(t.send(t.bob, b, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(t.carol), .uint(1)])),
                      "ERC20: transfer amount exceeds allowance")
        // not enough balance beats not enough allowance (transfer happens first)
        assertReverts(t.send(t.bob, b, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(t.carol), .uint(tokens(11))])),
                      "ERC20: transfer amount exceeds balance")
        // a zero amount needs no allowance
        assertLogs(t.send(t.bob, b, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(t.carol), .uint(0)])),
                   [transferLog(b, t.alice, t.carol, 0)])
        t.send(t.alice, b, cd("approve(address,uint256)", [.address(t.bob), .uint(tokens(5))]))
        let r = t.send(t.bob, b, cd("transferFrom(address,address,uint256)", [.address(t.alice), .address(t.carol), .uint(tokens(2))]))
        assertLogs(r, [transferLog(b, t.alice, t.carol, tokens(2))])     // no Approval
        XCTAssertEqual(t.uintCall(b, "allowance(address,address)", .address(t.alice), .address(t.bob)), tokens(3))
        XCTAssertEqual(t.bonds(t.carol), tokens(2))
    }

    func testUnlockAndLockWithSwapFee() {
        let feeOp = Address(hex: "0x00000000000000000000000000000000000fee02")!
        let t = TestChain(swapFeeOperator: feeOp)
        let b = t.addrs.aMATICb, c = t.addrs.aMATICc
        t.stakeBonds(t.alice, tokens(100))
        let r = UInt256(800_000_000_000_000_000)
        t.setRatio(r)
        XCTAssertEqual(t.call(t.alice, b, cd("swapFeeOperator()")).output, feeOp.value.bytes32)
        assertReverts(t.send(t.alice, b, cd("updateSwapFeeRatio(uint256)", [.uint(1)])), "Ownable: caller is not the owner")
        assertReverts(t.send(t.op, b, cd("updateSwapFeeRatio(uint256)", [.uint(Units.e16 + 1)])), "swapFee must be not greater that 1%")
        let feeRatio = UInt256(3_000_000_000_000_000)  // 0.3 %
        assertLogs(t.send(t.op, b, cd("updateSwapFeeRatio(uint256)", [.uint(feeRatio)])), [L(b, "SwapFeeRatioUpdate(uint256)", [], feeRatio.bytes32)])

        let s = tokens(10) + 7
        let fee = (s * feeRatio + e18 - 1) / e18
        XCTAssertEqual(t.uintCall(b, "getSwapFeeInShares(uint256)", .uint(s)), fee)
        let x = t.send(t.alice, b, cd("unlockShares(uint256)", [.uint(s)]))
        assertLogs(x, [transferLog(b, t.alice, b, (s - fee) * e18 / r),
                       transferLog(b, t.alice, feeOp, fee * e18 / r),
                       transferLog(c, b, t.alice, s - fee)])
        XCTAssertEqual(t.certs(t.alice), s - fee)
        XCTAssertEqual(t.shares(feeOp), fee)
        t.assertInvariants()

        let l = tokens(4)
        let fee2 = (l * feeRatio + e18 - 1) / e18
        let y = t.send(t.alice, b, cd("lockShares(uint256)", [.uint(l)]))
        assertLogs(y, [transferLog(c, t.alice, b, l),
                       transferLog(b, b, t.alice, (l - fee2) * e18 / r),
                       transferLog(b, b, feeOp, fee2 * e18 / r)])
        XCTAssertEqual(t.certs(t.alice), s - fee - l)
        t.assertInvariants()

        assertReverts(t.send(t.bob, b, cd("unlockShares(uint256)", [.uint(1)])), "Insufficient aMATICb balance")
        assertReverts(t.send(t.bob, b, cd("lockShares(uint256)", [.uint(1)])), "Insufficient aMATICc balance")
    }

    func testSwapFeeToUnsetOperatorReverts() {
        // With no swap fee operator (the R7 initializer leaves it unset) a fee cannot be paid.
        let t = TestChain(swapFeeOperator: .zero)
        t.stakeBonds(t.alice, tokens(10))
        t.send(t.op, t.addrs.aMATICb, cd("updateSwapFeeRatio(uint256)", [.uint(Units.e16)]))
        assertReverts(t.send(t.alice, t.addrs.aMATICb, cd("unlockShares(uint256)", [.uint(tokens(1))])), "ERC20: transfer to the zero address")
    }

    func testPoolOnlyAndBridgeOnlyFunctions() {
        let t = TestChain()
        let b = t.addrs.aMATICb
        t.stakeBonds(t.alice, tokens(10))
        for call in [cd("mintBonds(address,uint256)", [.address(t.alice), .uint(1)]),
                     cd("burnBonds(address,address,uint256)", [.address(t.alice), .address(t.alice), .uint(1)]),
                     cd("commitBurn(address,uint256)", [.address(t.alice), .uint(0)]),
                     cd("unlockSharesFor(address,uint256)", [.address(t.alice), .uint(1)]),
                     cd("lockSharesFor(address,uint256)", [.address(t.alice), .uint(0)]),
                     cd("migrateBurnDelayed(address,uint256)", [.address(t.alice), .uint(0)]),
                     cd("mint(address,uint256)", [.address(t.alice), .uint(1)]),
                     cd("burn(address,uint256)", [.address(t.alice), .uint(1)])] {
            assertReverts(t.send(t.op, b, call), "Minter: not allowed")
        }
        assertReverts(t.send(t.op, b, cd("initialize(address)", [.address(t.op)])), "Initializable: contract is already initialized")
        // the bridge: owner sets itself as bridge, mints and burns shares, lockedSupply tracks it
        t.send(t.op, b, cd("changeCrossChainBridge(address)", [.address(t.op)]))
        assertLogs(t.send(t.op, b, cd("mint(address,uint256)", [.address(t.bob), .uint(tokens(2))])),
                   [transferLog(t.addrs.aMATICc, .zero, b, tokens(2)), transferLog(b, .zero, t.bob, tokens(2))])
        XCTAssertEqual(t.call(t.op, b, cd("lockedSupply()")).output, (UInt256.zero &- tokens(2)).bytes32)
        assertLogs(t.send(t.op, b, cd("burn(address,uint256)", [.address(t.bob), .uint(tokens(1))])),
                   [transferLog(t.addrs.aMATICc, b, .zero, tokens(1)), transferLog(b, t.bob, .zero, tokens(1))])
        XCTAssertEqual(t.call(t.op, b, cd("lockedSupply()")).output, (UInt256.zero &- tokens(1)).bytes32)
        // int256(shares) of a value ≥ 2^255 is negative: subtracting it would raise lockedShares
        assertReverts(t.send(t.op, b, cd("mint(address,uint256)", [.address(t.bob), .uint(UInt256.max)])), "aMATICb: lockedShares overflow")
        t.assertInvariants()
    }

    func testPendingBurnBookkeepingReverts() {
        // Make the operator the "pool" so it can call the pool-only functions directly.
        let t = TestChain()
        let b = t.addrs.aMATICb
        t.stakeBonds(t.alice, tokens(10))
        t.unstakeBondsEth(t.alice, tokens(3))
        t.send(t.op, b, cd("changePolygonPool(address)", [.address(t.op)]))
        assertReverts(t.send(t.op, b, cd("commitBurn(address,uint256)", [.address(t.alice), .uint(tokens(4))])),
                      "aMATICb: total pending burn is less than amount")
        assertReverts(t.send(t.op, b, cd("commitBurn(address,uint256)", [.address(t.bob), .uint(1)])),
                      "aMATICb: pending burn is less than amount")
        XCTAssertTrue(t.send(t.op, b, cd("commitBurn(address,uint256)", [.address(t.alice), .uint(tokens(1))])).success)
        XCTAssertEqual(t.uintCall(b, "pendingBurn(address)", .address(t.alice)), tokens(2))
        assertReverts(t.send(t.op, b, cd("migrateBurnDelayed(address,uint256)", [.address(t.alice), .uint(tokens(3))])),
                      "aMATICb: pending burn greater than amount")
        // R7 burns at unstake time, so a migration burns bonds the claimer still holds
        assertLogs(t.send(t.op, b, cd("migrateBurnDelayed(address,uint256)", [.address(t.alice), .uint(tokens(2))])),
                   [transferLog(t.addrs.aMATICc, b, .zero, tokens(2)), transferLog(b, t.alice, .zero, tokens(2))])
        XCTAssertEqual(t.bonds(t.alice), tokens(5))
        // mintBonds to the zero address, and the zero-address sender paths (eth_call without `from`)
        assertReverts(t.send(t.op, b, cd("mintBonds(address,uint256)", [.address(.zero), .uint(1)])), "ERC20: mint to the zero address")
        assertReverts(t.call(.zero, b, cd("transfer(address,uint256)", [.address(t.bob), .uint(0)])), "ERC20: transfer from the zero address")
        assertReverts(t.call(.zero, b, cd("approve(address,uint256)", [.address(t.bob), .uint(0)])), "ERC20: approve from the zero address")
        assertReverts(t.call(.zero, t.addrs.aMATICc, cd("transfer(address,uint256)", [.address(t.bob), .uint(0)])),
                      "ERC20: transfer from the zero address")
        t.send(t.op, b, cd("changeCrossChainBridge(address)", [.address(t.op)]))
        assertReverts(t.send(t.op, b, cd("burn(address,uint256)", [.address(.zero), .uint(1)])), "ERC20: burn from the zero address")
        t.assertInvariants()
    }

    func testOwnerSettersAndEvents() {
        let t = TestChain()
        let b = t.addrs.aMATICb
        let n = Address(hex: "0x000000000000000000000000000000000000beef")!
        for sig in ["changeOperator(address)", "changePolygonPool(address)", "changeCrossChainBridge(address)",
                    "changeCertToken(address)", "changeSwapFeeOperator(address)", "transferOwnership(address)"] {
            assertReverts(t.send(t.alice, b, cd(sig, [.address(n)])), "Ownable: caller is not the owner")
        }
        assertReverts(t.send(t.alice, b, cd("renounceOwnership()")), "Ownable: caller is not the owner")
        assertReverts(t.send(t.alice, b, cd("setNameAndSymbol(string,string)", [.string("x"), .string("y")])), "Operator: not allowed")
        assertLogs(t.send(t.op, b, cd("changeSwapFeeOperator(address)", [.address(n)])),
                   [L(b, "SwapFeeOperatorChanged(address,address)", [], t.op.value.bytes32 + n.value.bytes32)])
        assertLogs(t.send(t.op, b, cd("changeCertToken(address)", [.address(t.addrs.aMATICc)])),
                   [L(b, "CertTokenChanged(address,address)", [], t.addrs.aMATICc.value.bytes32 + t.addrs.aMATICc.value.bytes32)])
        assertReverts(t.send(t.op, b, cd("transferOwnership(address)", [.address(.zero)])), "Ownable: new owner is the zero address")
        assertLogs(t.send(t.op, b, cd("transferOwnership(address)", [.address(n)])),
                   [L(b, "OwnershipTransferred(address,address)", [word(t.op), word(n)])])
        XCTAssertEqual(t.call(t.alice, b, cd("owner()")).output, n.value.bytes32)
        // the operator role survives the ownership change
        assertLogs(t.send(t.op, b, OperatorCalls.updateRatio(e18 - 10)), [L(b, "RatioUpdate(uint256)", [], (e18 - 10).bytes32)])
    }

    func testSetNameAndSymbolShortAndLong() {
        let t = TestChain()
        let b = t.addrs.aMATICb
        let long = String(repeating: "Ankr staked MATIC bond, renamed ", count: 3)
        XCTAssertTrue(t.send(t.op, b, cd("setNameAndSymbol(string,string)", [.string(long), .string("aMB")])).success)
        XCTAssertEqual((try? ABI.decode([.string], t.call(t.alice, b, cd("name()")).output))?.first?.stringValue, long)
        XCTAssertEqual((try? ABI.decode([.string], t.call(t.alice, b, cd("symbol()")).output))?.first?.stringValue, "aMB")
        // back to empty: the base name shows again
        XCTAssertTrue(t.send(t.op, b, cd("setNameAndSymbol(string,string)", [.string(""), .string("")])).success)
        XCTAssertEqual((try? ABI.decode([.string], t.call(t.alice, b, cd("name()")).output))?.first?.stringValue, "Ankr MATIC Reward Earning Bond")
    }

    func testExtremeRatiosPanicLikeTheSource() {
        let t = TestChain()
        let b = t.addrs.aMATICb
        t.stakeBonds(t.alice, tokens(1))
        t.send(t.op, b, cd("repairRatio(uint256)", [.uint(0)]))
        assertPanics(t.call(t.alice, b, cd("balanceOf(address)", [.address(t.alice)])), 0x12)
        assertPanics(t.call(t.alice, b, cd("totalSupply()")), 0x12)
        t.send(t.op, b, cd("repairRatio(uint256)", [.uint(UInt256.one << 255)]))
        assertPanics(t.send(t.alice, b, cd("transfer(address,uint256)", [.address(t.bob), .uint(5)])), 0x11)
        // a share count that saturates: sharesToBalance(max) at ratio < 1e18
        t.send(t.op, b, cd("repairRatio(uint256)", [.uint(e18 - 1)]))
        XCTAssertEqual(t.uintCall(b, "sharesToBalance(uint256)", .uint(UInt256.max)), UInt256.max)
    }
}
