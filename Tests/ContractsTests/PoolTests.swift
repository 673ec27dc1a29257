import XCTest
@testable import Contracts
import Primitives
import EthCrypto

final class PoolTests: XCTestCase {
    let trueTopic = Hash(.one), falseTopic = Hash(.zero)

    func stakeEvents(_ t: TestChain, _ who: Address, _ amount: UInt256, shares: UInt256, bonds: UInt256, rebasing: Bool) -> [L] {
        let a = t.addrs
        return [transferLog(a.matic, who, a.pool, amount),
                approvalLog(a.matic, who, a.pool, 0),
                transferLog(a.aMATICc, .zero, a.aMATICb, shares),
                transferLog(a.aMATICb, .zero, who, bonds),
                L(a.pool, "StakePending(address,uint256)", [word(who)], amount.bytes32),
                L(a.pool, "StakePendingV2(address,uint256,bool)", [word(who), rebasing ? trueTopic : falseTopic], amount.bytes32)]
    }

    // MARK: staking

    func testStakeAndClaimBondsEvents() {
        let t = TestChain()
        let r = UInt256(912_345_678_901_234_567)
        t.setRatio(r)
        let amount = tokens(10) + 3
        t.approveMatic(t.alice, amount)
        let x = t.send(t.alice, t.addrs.pool, cd("stakeAndClaimBonds(uint256)", [.uint(amount)]))
        let shares = (amount * r + e18 - 1) / e18
        assertLogs(x, stakeEvents(t, t.alice, amount, shares: shares, bonds: shares * e18 / r, rebasing: true))
        XCTAssertEqual(x.gasUsed, GasTable.gas(.pool, "stakeAndClaimBonds(uint256)"))
        XCTAssertEqual(t.uintCall(t.addrs.pool, "pendingStakesOf(address)", .address(t.alice)), amount)
        XCTAssertEqual(t.matic(t.addrs.pool), amount)
        // stake() is the same path
        t.approveMatic(t.alice, tokens(2))
        let y = t.send(t.alice, t.addrs.pool, cd("stake(uint256)", [.uint(tokens(2))]))
        let s2 = (tokens(2) * r + e18 - 1) / e18
        assertLogs(y, stakeEvents(t, t.alice, tokens(2), shares: s2, bonds: s2 * e18 / r, rebasing: true))
        XCTAssertEqual(t.uintCall(t.addrs.pool, "pendingStakesOf(address)", .address(t.alice)), amount + tokens(2))
        XCTAssertEqual(t.contracts.pendingStakes(state: t.state), [PendingStake(staker: t.alice, amount: amount + tokens(2))])
        t.assertInvariants()
    }

    func testStakeAndClaimCertsEvents() {
        let t = TestChain()
        let r = UInt256(957_146_782_239_711_573)
        t.setRatio(r)
        let amount = tokens(25) + 1
        t.approveMatic(t.bob, amount)
        let x = t.send(t.bob, t.addrs.pool, cd("stakeAndClaimCerts(uint256)", [.uint(amount)]))
        let shares = (amount * r + e18 - 1) / e18
        let bonds = shares * e18 / r
        let a = t.addrs
        assertLogs(x, stakeEvents(t, t.bob, amount, shares: shares, bonds: bonds, rebasing: false) + [
            transferLog(a.aMATICb, t.bob, a.aMATICb, bonds),
            transferLog(a.aMATICc, a.aMATICb, t.bob, shares),
        ])
        XCTAssertEqual(t.certs(t.bob), shares)   // ceil(a·ratio/1e18)
        XCTAssertEqual(t.shares(t.bob), 0)
        XCTAssertEqual(t.shares(a.aMATICb), shares)
        t.assertInvariants()
    }

    func testStakeFailures() {
        let t = TestChain()
        let p = t.addrs.pool
        t.approveMatic(t.alice, tokens(100))
        assertReverts(t.send(t.alice, p, cd("stakeAndClaimBonds(uint256)", [.uint(e18 - 1)])), "Value must be greater than min amount")
        // no MATIC allowance: MATIC's empty revert bubbles up
        assertRevertsEmpty(t.send(t.bob, p, cd("stakeAndClaimBonds(uint256)", [.uint(tokens(1))])))
        // more than the balance
        t.approveMatic(t.carol, UInt256.max)
        assertRevertsEmpty(t.send(t.carol, p, cd("stakeAndClaimCerts(uint256)", [.uint(tokens(100_001))])))
        // minimum stake is operator-set
        assertReverts(t.send(t.alice, p, cd("setMinimumStake(uint256)", [.uint(5)])), "Operator: not allowed")
        assertLogs(t.send(t.op, p, cd("setMinimumStake(uint256)", [.uint(5)])), [L(p, "MinimumStakeChanged(uint256)", [], UInt256(5).bytes32)])
        XCTAssertEqual(t.uintCall(p, "getMinimumStake()"), 5)
        XCTAssertTrue(t.send(t.alice, p, cd("stakeAndClaimBonds(uint256)", [.uint(5)])).success)
        assertReverts(t.send(t.op, p, cd("initialize(address,address,address,address)", [.address(t.op), .address(t.op), .address(t.op), .address(t.op)])),
                      "Initializable: contract is already initialized")
    }

    // MARK: unstaking, ETH fee

    func testUnstakeBondsEthFeePath() {
        let t = TestChain()
        let a = t.addrs
        t.stakeBonds(t.alice, tokens(50))
        let r = UInt256(900_000_000_000_000_000)
        t.setRatio(r)
        let fee = t.contracts.ethUnstakeFee(state: t.state)
        XCTAssertEqual(fee, UInt256(25_000_000_000_000_000))
        XCTAssertEqual(t.uintCall(a.pool, "ethUnstakeFee()"), fee)

        assertReverts(t.unstakeBondsEth(t.alice, tokens(1), value: fee - 1), "PolygonPool: not enough ETH to pay fee")
        let collectorBefore = t.state.balance(of: t.feeCollector)
        let aliceBefore = t.state.balance(of: t.alice)
        let amount = tokens(10) + 1
        let paid = fee + 5
        let x = t.unstakeBondsEth(t.alice, amount, value: paid)
        let shares = (amount * r + e18 - 1) / e18
        assertLogs(x, [
            L(a.pool, "EthFeeCollected(address,uint256)", [word(t.alice)], paid.bytes32),
            transferLog(a.aMATICc, a.aMATICb, .zero, shares),
            transferLog(a.aMATICb, t.alice, .zero, shares * e18 / r),
            L(a.pool, "MaticClaimPending(address,uint256)", [word(t.alice)], amount.bytes32),
            L(a.pool, "TokensBurned(address,uint256,uint256,uint256,bool)", [word(t.alice), trueTopic],
              amount.bytes32 + shares.bytes32 + UInt256.zero.bytes32),
        ])
        XCTAssertEqual(x.gasUsed, GasTable.gas(.pool, "unstakeBonds(uint256,uint256,uint256,bytes)"))
        // the whole value goes to the fee collector; the pool keeps nothing
        XCTAssertEqual(t.state.balance(of: t.feeCollector), collectorBefore + paid)
        XCTAssertEqual(t.state.balance(of: t.alice), aliceBefore - paid)
        XCTAssertEqual(t.state.balance(of: a.pool), 0)
        XCTAssertEqual(t.uintCall(a.aMATICb, "pendingBurn(address)", .address(t.alice)), amount)
        XCTAssertEqual(t.uintCall(a.pool, "pendingMaticClaimsOf(address)", .address(t.alice)), amount)
        XCTAssertEqual(t.contracts.claimQueue(state: t.state), [PendingClaim(index: 0, recipient: t.alice, amount: amount)])
        // unstaked MATIC stops earning: the claim does not move with the ratio
        t.setRatio(UInt256(800_000_000_000_000_000))
        XCTAssertEqual(t.uintCall(a.pool, "pendingMaticClaimsOf(address)", .address(t.alice)), amount)
        t.assertInvariants()

        // `unstake` is the same as unstakeBonds
        let y = t.send(t.alice, a.pool, cd("unstake(uint256,uint256,uint256,bytes)", [.uint(tokens(1)), .uint(0), .uint(0), .bytes([])]), value: fee)
        XCTAssertTrue(y.success)
        XCTAssertEqual(y.logs.count, 5)
        XCTAssertEqual(t.contracts.claimQueue(state: t.state).count, 2)
    }

    func testEthFeeCollectedEvenWhenZero() {
        let t = TestChain()
        let p = t.addrs.pool
        t.stakeBonds(t.alice, tokens(5))
        assertReverts(t.send(t.alice, p, cd("setEthUnstakeFee(uint256)", [.uint(0)])), "Operator: not allowed")
        let fee = t.contracts.ethUnstakeFee(state: t.state)
        assertLogs(t.send(t.op, p, cd("setEthUnstakeFee(uint256)", [.uint(0)])),
                   [L(p, "EthUnstakeFeeChanged(uint256,uint256)", [], fee.bytes32 + UInt256.zero.bytes32)])
        let x = t.unstakeBondsEth(t.alice, tokens(1), value: 0)
        XCTAssertTrue(x.success)
        XCTAssertEqual(L(x.logs[0]), L(p, "EthFeeCollected(address,uint256)", [word(t.alice)], UInt256.zero.bytes32))
    }

    func testUnstakeFailures() {
        let t = TestChain()
        let p = t.addrs.pool
        t.stakeBonds(t.alice, tokens(5))
        assertReverts(t.unstakeBondsEth(t.alice, 0), "PolygonPool: cannot unstake 0")
        assertReverts(t.unstakeBondsEth(t.alice, tokens(5) + 1), "PolygonPool: cannot claim more than have on address")
        assertReverts(t.unstakeBondsEth(t.bob, 1), "PolygonPool: cannot claim more than have on address")
        let fee = t.contracts.ethUnstakeFee(state: t.state)
        assertReverts(t.send(t.alice, p, cd("unstakeCerts(uint256,uint256,uint256,bytes)", [.uint(1), .uint(0), .uint(0), .bytes([])]), value: fee),
                      "Insufficient aMATICc balance")
        // a fee collector that cannot take ETH (a contract without receive) fails the send
        assertReverts(t.send(t.alice, p, cd("setFeeCollector(address)", [.address(t.alice)])), "Ownable: caller is not the owner")
        assertLogs(t.send(t.op, p, cd("setFeeCollector(address)", [.address(t.addrs.aMATICb)])),
                   [L(p, "FeeCollectorChanged(address)", [word(t.addrs.aMATICb)])])
        assertReverts(t.unstakeBondsEth(t.alice, tokens(1)), "PolygonPool: could not transfer unstake fee")
        XCTAssertEqual(t.state.balance(of: p), 0)
    }

    func testUnstakeCertsAndForVariants() {
        let t = TestChain()
        let a = t.addrs
        let r = UInt256(700_000_000_000_000_007)
        t.setRatio(r)
        t.stakeCerts(t.alice, tokens(40))
        let certs = t.certs(t.alice)
        let fee = t.contracts.ethUnstakeFee(state: t.state)
        let s = certs / UInt256(3)
        let x = t.send(t.alice, a.pool, cd("unstakeCertsFor(address,uint256,uint256,uint256,bytes)",
                                           [.address(t.carol), .uint(s), .uint(0), .uint(0), .bytes([])]), value: fee)
        let amount = s * e18 / r
        let burnShares = (amount * r + e18 - 1) / e18
        assertLogs(x, [
            L(a.pool, "EthFeeCollected(address,uint256)", [word(t.alice)], fee.bytes32),
            transferLog(a.aMATICc, t.alice, a.aMATICb, s),
            transferLog(a.aMATICb, a.aMATICb, t.alice, s * e18 / r),
            transferLog(a.aMATICc, a.aMATICb, .zero, burnShares),
            transferLog(a.aMATICb, t.alice, .zero, burnShares * e18 / r),
            L(a.pool, "MaticClaimPending(address,uint256)", [word(t.carol)], amount.bytes32),
            L(a.pool, "TokensBurned(address,uint256,uint256,uint256,bool)", [word(t.alice), falseTopic],
              amount.bytes32 + s.bytes32 + UInt256.zero.bytes32),
        ])
        XCTAssertEqual(t.certs(t.alice), certs - s)
        XCTAssertEqual(t.uintCall(a.aMATICb, "pendingBurn(address)", .address(t.carol)), amount)
        XCTAssertEqual(t.uintCall(a.pool, "pendingMaticClaimsOf(address)", .address(t.carol)), amount)
        XCTAssertEqual(t.uintCall(a.pool, "pendingMaticClaimsOf(address)", .address(t.alice)), 0)
        t.assertInvariants()

        let y = t.send(t.alice, a.pool, cd("unstakeCerts(uint256,uint256,uint256,bytes)", [.uint(s), .uint(0), .uint(0), .bytes([])]), value: fee)
        XCTAssertTrue(y.success)
        XCTAssertEqual(y.gasUsed, GasTable.gas(.pool, "unstakeCerts(uint256,uint256,uint256,bytes)"))
        // bonds variant for a recipient
        t.stakeBonds(t.bob, tokens(3))
        let z = t.send(t.bob, a.pool, cd("unstakeBondsFor(address,uint256,uint256,uint256,bytes)",
                                         [.address(t.carol), .uint(tokens(1)), .uint(0), .uint(0), .bytes([])]), value: fee)
        XCTAssertTrue(z.success)
        XCTAssertEqual(L(z.logs[3]), L(a.pool, "MaticClaimPending(address,uint256)", [word(t.carol)], tokens(1).bytes32))
        XCTAssertEqual(z.logs[4].topics[1], word(t.bob))
        XCTAssertEqual(t.contracts.claimQueue(state: t.state).map(\.recipient), [t.carol, t.alice, t.carol])
        t.assertInvariants()
    }

    // MARK: unstaking, ANKR fee

    func testUnstakeAnkrFeePath() {
        let t = TestChain()
        let a = t.addrs
        t.stakeBonds(t.alice, tokens(20))
        let fee = tokens(150)
        let ubb = UInt256(t.blockNumber + 1_000)
        let sig = t.notarySignature(fee: fee, useBeforeBlock: ubb, staker: t.alice)
        func unstake(_ amount: UInt256, fee: UInt256 = fee, ubb: UInt256 = ubb, sig: [UInt8]) -> CallResult {
            t.send(t.alice, a.pool, cd("unstakeBonds(uint256,uint256,uint256,bytes)", [.uint(amount), .uint(fee), .uint(ubb), .bytes(sig)]))
        }
        // the view
        XCTAssertEqual(t.call(t.alice, a.pool, cd("_checkUnstakeAnkrFeeSignature(uint256,uint256,address,bytes)",
                                                   [.uint(fee), .uint(ubb), .address(t.alice), .bytes(sig)])).output, ABI.word(true))
        XCTAssertEqual(t.call(t.alice, a.pool, cd("_checkUnstakeAnkrFeeSignature(uint256,uint256,address,bytes)",
                                                   [.uint(fee), .uint(ubb), .address(t.bob), .bytes(sig)])).output, ABI.word(false))
        // failures, in the source's order
        assertReverts(unstake(tokens(1), ubb: UInt256(t.blockNumber), sig: sig), "PolygonPool: fee approval expired")
        assertReverts(unstake(tokens(1), fee: fee, ubb: 0, sig: sig), "PolygonPool: fee approval expired")
        assertReverts(unstake(tokens(1), sig: Array(sig.prefix(10))), "ECDSA: invalid signature length")
        var highS = sig
        let s = UInt256(bigEndian: sig[32..<64])!
        highS.replaceSubrange(32..<64, with: (Secp256k1.n - s).bytes32)
        highS[64] = sig[64] == 27 ? 28 : 27
        assertReverts(unstake(tokens(1), sig: highS), "ECDSA: invalid signature 's' value")
        var badV = sig; badV[64] = 29
        assertReverts(unstake(tokens(1), sig: badV), "ECDSA: invalid signature 'v' value")
        var zeroR = sig; zeroR.replaceSubrange(0..<32, with: [UInt8](repeating: 0, count: 32))
        assertReverts(unstake(tokens(1), sig: zeroR), "ECDSA: invalid signature")
        let stranger = t.notarySignature(fee: fee, useBeforeBlock: ubb, staker: t.alice, key: TestChain.key(0x77))
        assertReverts(unstake(tokens(1), sig: stranger), "PolygonPool: invalid unstake fee signature")
        assertReverts(unstake(tokens(1), fee: fee + 1, sig: sig), "PolygonPool: invalid unstake fee signature")
        // valid, but no ANKR allowance: ANKR's empty revert bubbles up
        assertRevertsEmpty(unstake(tokens(1), sig: sig))

        t.send(t.alice, a.ankr, cd("approve(address,uint256)", [.address(a.pool), .uint(tokens(1_000))]))
        let feeCollectorAnkr = t.ankr(t.feeCollector)
        let amount = tokens(4)
        let x = unstake(amount, sig: sig)
        assertLogs(x, [
            transferLog(a.ankr, t.alice, t.feeCollector, fee),
            approvalLog(a.ankr, t.alice, a.pool, tokens(1_000) - fee),
            transferLog(a.aMATICc, a.aMATICb, .zero, amount),
            transferLog(a.aMATICb, t.alice, .zero, amount),
            L(a.pool, "MaticClaimPending(address,uint256)", [word(t.alice)], amount.bytes32),
            L(a.pool, "TokensBurned(address,uint256,uint256,uint256,bool)", [word(t.alice), trueTopic],
              amount.bytes32 + amount.bytes32 + fee.bytes32),
        ])
        XCTAssertEqual(x.gasUsed, GasTable.gas(.pool, "unstakeBonds(uint256,uint256,uint256,bytes)") + GasTable.ankrFeePathExtra)
        XCTAssertEqual(t.ankr(t.feeCollector), feeCollectorAnkr + fee)
        // ETH sent along on the ANKR path stays in the pool
        let y = t.send(t.alice, a.pool, cd("unstakeBonds(uint256,uint256,uint256,bytes)", [.uint(1), .uint(fee), .uint(ubb), .bytes(sig)]), value: 7)
        XCTAssertTrue(y.success)
        XCTAssertEqual(t.state.balance(of: a.pool), 7)
        // EIP-2098 64-byte signatures are accepted too
        let full = try! Secp256k1.sign(hash: t.contracts.unstakeFeeDigest(chainId: t.chainId, fee: fee, useBeforeBlock: ubb, staker: t.alice),
                                      privateKey: t.operatorKey)
        let vs = full.s | (UInt256(UInt64(full.recoveryId)) << 255)
        XCTAssertTrue(unstake(1, sig: full.r.bytes32 + vs.bytes32).success)
        // a new notary
        assertLogs(t.send(t.op, a.pool, cd("setNotary(address)", [.address(t.bob)])), [L(a.pool, "NotaryChanged(address)", [word(t.bob)])])
        assertReverts(unstake(1, sig: sig), "PolygonPool: invalid unstake fee signature")
        t.assertInvariants()
    }

    // MARK: operator

    func testClaimToIntermediarySplitsAtThreshold() throws {
        let t = TestChain()
        let a = t.addrs
        t.stakeBonds(t.alice, tokens(10))
        t.stakeBonds(t.bob, tokens(20))
        t.stakeBonds(t.carol, tokens(5))
        XCTAssertEqual(t.contracts.pendingStakesTotal(state: t.state), tokens(35))
        assertReverts(t.send(t.alice, a.pool, OperatorCalls.claimToIntermediary(t.intermediary, threshold: tokens(25))), "Operator: not allowed")
        let before = t.matic(t.intermediary)
        let x = t.send(t.op, a.pool, OperatorCalls.claimToIntermediary(t.intermediary, threshold: tokens(25)))
        let data = try ABI.encode([.array(.address), .array(.uint256), .address, .uint256],
                                  [.array([.address(t.alice), .address(t.bob)]), .array([.uint(tokens(10)), .uint(tokens(15))]),
                                   .address(t.intermediary), .uint(tokens(25))])
        assertLogs(x, [transferLog(a.matic, a.pool, t.intermediary, tokens(25)),
                       L(a.pool, "IntermediaryClaimed(address[],uint256[],address,uint256)", [], data)])
        XCTAssertEqual(t.matic(t.intermediary), before + tokens(25))
        XCTAssertEqual(t.contracts.pendingStakes(state: t.state),
                       [PendingStake(staker: t.bob, amount: tokens(5)), PendingStake(staker: t.carol, amount: tokens(5))])
        XCTAssertEqual(t.uintCall(a.pool, "pendingGap()"), 1)
        let ps = t.call(t.op, a.pool, cd("getPendingStakes()"))
        XCTAssertEqual(try ABI.decode([.array(.address), .array(.uint256)], ps.output),
                       [.array([.address(t.bob), .address(t.carol)]), .array([.uint(tokens(5)), .uint(tokens(5))])])
        assertReverts(t.call(t.alice, a.pool, cd("getPendingStakes()")), "Operator: not allowed")
        // the rest, then nothing
        let y = t.send(t.op, a.pool, OperatorCalls.claimToIntermediary(t.intermediary, threshold: UInt256.max))
        XCTAssertTrue(y.success)
        XCTAssertEqual(t.uintCall(a.pool, "pendingGap()"), 3)
        XCTAssertEqual(t.contracts.pendingStakesTotal(state: t.state), 0)
        let z = t.send(t.op, a.pool, OperatorCalls.claimToIntermediary(t.intermediary, threshold: UInt256.max))
        let empty = try ABI.encode([.array(.address), .array(.uint256), .address, .uint256],
                                   [.array([]), .array([]), .address(t.intermediary), .uint(0)])
        assertLogs(z, [transferLog(a.matic, a.pool, t.intermediary, 0),
                       L(a.pool, "IntermediaryClaimed(address[],uint256[],address,uint256)", [], empty)])
        // a staker who comes back is queued again
        t.stakeBonds(t.alice, tokens(1))
        XCTAssertEqual(t.contracts.pendingStakes(state: t.state), [PendingStake(staker: t.alice, amount: tokens(1))])
        let raw = t.call(t.op, a.pool, cd("getRawPendingStakes()"))
        XCTAssertEqual(try ABI.decode([.array(.address), .array(.uint256)], raw.output),
                       [.array([.address(.zero), .address(.zero), .address(.zero), .address(t.alice)]),
                        .array([.uint(0), .uint(0), .uint(0), .uint(tokens(1))])])
    }

    func testServeClaimsStrictFIFO() throws {
        let t = TestChain()
        let a = t.addrs
        for u in [t.alice, t.bob, t.carol] { t.stakeBonds(u, tokens(30)) }
        t.send(t.op, a.pool, OperatorCalls.claimToIntermediary(t.intermediary, threshold: UInt256.max))
        t.unstakeBondsEth(t.alice, tokens(10))
        t.unstakeBondsEth(t.bob, tokens(20))
        t.unstakeBondsEth(t.carol, tokens(5))
        // a new pending stake sits in the pool and must not be used for claims
        t.stakeBonds(t.users[3], tokens(100))
        XCTAssertEqual(t.contracts.claimQueue(state: t.state).map(\.amount), [tokens(10), tokens(20), tokens(5)])

        assertReverts(t.call(t.alice, a.pool, cd("getPendingClaims()")), "Operator: not allowed")
        let pc = t.call(t.op, a.pool, cd("getPendingClaims()"))
        XCTAssertEqual(try ABI.decode([.array(.address), .array(.uint256)], pc.output),
                       [.array([.address(t.alice), .address(t.bob), .address(t.carol)]),
                        .array([.uint(tokens(10)), .uint(tokens(20)), .uint(tokens(5))])])

        // 25 MATIC: Alice (10) is served, Bob (20) does not fit, so Carol (5) waits too
        t.send(t.intermediary, a.matic, OperatorCalls.transfer(to: a.pool, amount: tokens(25)))
        assertReverts(t.send(t.op, a.pool, OperatorCalls.serveClaims(amountToUse: tokens(26), residue: t.intermediary, minThreshold: 0)),
                      "not enough MATIC tokens to serve claims")
        assertReverts(t.send(t.alice, a.pool, OperatorCalls.serveClaims(amountToUse: 0, residue: t.intermediary, minThreshold: 0)),
                      "Operator: not allowed")
        let aliceBefore = t.matic(t.alice)
        let x = t.send(t.op, a.pool, OperatorCalls.serveClaims(amountToUse: tokens(25), residue: t.intermediary, minThreshold: 0))
        let served = try ABI.encode([.array(.address), .array(.uint256), .uint256],
                                    [.array([.address(t.alice)]), .array([.uint(tokens(10))]), .uint(tokens(25))])
        assertLogs(x, [transferLog(a.matic, a.pool, t.alice, tokens(10)),
                       transferLog(a.matic, a.pool, t.intermediary, tokens(15)),
                       L(a.pool, "ClaimsServed(address[],uint256[],uint256)", [], served)])
        XCTAssertEqual(t.matic(t.alice), aliceBefore + tokens(10))
        XCTAssertEqual(t.uintCall(a.aMATICb, "pendingBurn(address)", .address(t.alice)), 0)
        XCTAssertEqual(t.uintCall(a.pool, "pendingClaimGap()"), 1)
        XCTAssertEqual(t.matic(a.pool), tokens(100))   // the pending stake is untouched
        XCTAssertEqual(t.contracts.claimQueue(state: t.state),
                       [PendingClaim(index: 1, recipient: t.bob, amount: tokens(20)), PendingClaim(index: 2, recipient: t.carol, amount: tokens(5))])

        // nothing available: nothing served, nothing sent to the residue
        let y = t.send(t.op, a.pool, OperatorCalls.serveClaims(amountToUse: 0, residue: t.intermediary, minThreshold: 0))
        let none = try ABI.encode([.array(.address), .array(.uint256), .uint256], [.array([]), .array([]), .uint(tokens(25))])
        assertLogs(y, [L(a.pool, "ClaimsServed(address[],uint256[],uint256)", [], none)])

        // below minThreshold: stop at once
        t.send(t.intermediary, a.matic, OperatorCalls.transfer(to: a.pool, amount: tokens(30)))
        let z = t.send(t.op, a.pool, OperatorCalls.serveClaims(amountToUse: 0, residue: t.intermediary, minThreshold: tokens(31)))
        XCTAssertEqual(z.logs.count, 2)   // the residue transfer and the event
        XCTAssertEqual(t.contracts.claimQueue(state: t.state).count, 2)

        // enough for everyone: amountToUse 0 takes everything free, leftover to the residue
        t.send(t.intermediary, a.matic, OperatorCalls.transfer(to: a.pool, amount: tokens(26)))
        let w = t.send(t.op, a.pool, OperatorCalls.serveClaims(amountToUse: 0, residue: t.intermediary, minThreshold: 0))
        let all = try ABI.encode([.array(.address), .array(.uint256), .uint256],
                                 [.array([.address(t.bob), .address(t.carol)]), .array([.uint(tokens(20)), .uint(tokens(5))]), .uint(0)])
        assertLogs(w, [transferLog(a.matic, a.pool, t.bob, tokens(20)),
                       transferLog(a.matic, a.pool, t.carol, tokens(5)),
                       transferLog(a.matic, a.pool, t.intermediary, tokens(1)),
                       L(a.pool, "ClaimsServed(address[],uint256[],uint256)", [], all)])
        XCTAssertEqual(t.contracts.claimQueue(state: t.state), [])
        XCTAssertEqual(t.uintCall(a.pool, "pendingClaimGap()"), 3)
        for u in [t.alice, t.bob, t.carol] { XCTAssertEqual(t.uintCall(a.aMATICb, "pendingBurn(address)", .address(u)), 0) }
        let empty = t.call(t.op, a.pool, cd("getPendingClaims()"))
        XCTAssertEqual(try ABI.decode([.array(.address), .array(.uint256)], empty.output), [.array([]), .array([])])
        t.assertInvariants()
    }

    func testOwnerAndOperatorSetters() {
        let t = TestChain()
        let p = t.addrs.pool
        let n = Address(hex: "0x000000000000000000000000000000000000beef")!
        let owned: [(String, L)] = [
            ("changeOperator(address)", L(p, "OperatorChanged(address)", [word(n)])),
            ("changeBondContract(address)", L(p, "BondContractChanged(address)", [word(n)])),
            ("setFeeCollector(address)", L(p, "FeeCollectorChanged(address)", [word(n)])),
            ("setNotary(address)", L(p, "NotaryChanged(address)", [word(n)])),
            ("setAnkrTokenAddress(address)", L(p, "AnkrTokenAddressChanged(address)", [word(n)])),
        ]
        for (sig, log) in owned {
            assertReverts(t.send(t.alice, p, cd(sig, [.address(n)])), "Ownable: caller is not the owner")
            assertLogs(t.send(t.op, p, cd(sig, [.address(n)])), [log])
        }
        assertReverts(t.send(t.alice, p, cd("setServeGasLeft(uint256)", [.uint(9)])), "Ownable: caller is not the owner")
        assertLogs(t.send(t.op, p, cd("setServeGasLeft(uint256)", [.uint(9)])), [L(p, "ServeGasLeftChanged(uint256)", [], UInt256(9).bytes32)])
        for sig in ["calcPendingGap()", "resetPendingGap()", "calcPendingClaimGap()", "resetPendingClaimGap()", "migrateDelayedBurn()", "renounceOwnership()"] {
            assertReverts(t.send(t.alice, p, cd(sig)), "Ownable: caller is not the owner")
        }
        // the new operator is allowed, as is the owner; others are not
        assertReverts(t.call(t.alice, p, cd("getPendingClaims()")), "Operator: not allowed")
        XCTAssertTrue(t.call(n, p, cd("getPendingClaims()")).success)
        XCTAssertTrue(t.call(t.op, p, cd("getPendingClaims()")).success)
        // with the bond contract pointing at a non-bond, staking reverts with empty data
        t.approveMatic(t.alice, tokens(1))
        assertRevertsEmpty(t.send(t.alice, p, cd("stakeAndClaimBonds(uint256)", [.uint(tokens(1))])))
        assertLogs(t.send(t.op, p, cd("transferOwnership(address)", [.address(n)])), [L(p, "OwnershipTransferred(address,address)", [word(t.op), word(n)])])
        assertReverts(t.send(t.op, p, cd("setNotary(address)", [.address(n)])), "Ownable: caller is not the owner")
        XCTAssertEqual(t.call(t.alice, p, cd("paused()")).output, ABI.word(false))
    }

    func testGapMaintenanceAndMigrateDelayedBurn() {
        let t = TestChain()
        let p = t.addrs.pool
        t.stakeBonds(t.alice, tokens(10))
        t.stakeBonds(t.bob, tokens(10))
        t.send(t.op, p, OperatorCalls.claimToIntermediary(t.intermediary, threshold: tokens(10)))
        XCTAssertEqual(t.uintCall(p, "pendingGap()"), 1)
        t.send(t.op, p, cd("resetPendingGap()"))
        XCTAssertEqual(t.uintCall(p, "pendingGap()"), 0)
        t.send(t.op, p, cd("calcPendingGap()"))
        XCTAssertEqual(t.uintCall(p, "pendingGap()"), 1)
        // R7 burns at unstake time; migrating a claim whose bonds are gone fails in aMATICb
        t.unstakeBondsEth(t.alice, tokens(10))
        assertReverts(t.send(t.op, p, cd("migrateDelayedBurn()")), "ERC20: burn amount exceeds balance")
        t.send(t.op, p, cd("calcPendingClaimGap()"))
        XCTAssertEqual(t.uintCall(p, "pendingClaimGap()"), 0)
    }

    func testServeGasLeftModel() {
        let t = TestChain()
        let p = t.addrs.pool
        t.stakeBonds(t.alice, tokens(10))
        t.send(t.op, p, OperatorCalls.claimToIntermediary(t.intermediary, threshold: UInt256.max))
        t.unstakeBondsEth(t.alice, tokens(2))
        t.send(t.intermediary, t.addrs.matic, OperatorCalls.transfer(to: p, amount: tokens(2)))
        // a gas reserve above the block gas limit stops the loop before the first claim
        t.send(t.op, p, cd("setServeGasLeft(uint256)", [.uint(UInt256(40_000_000))]))
        t.send(t.op, p, OperatorCalls.serveClaims(amountToUse: 0, residue: t.intermediary, minThreshold: 0))
        XCTAssertEqual(t.contracts.claimQueue(state: t.state).count, 1)
        t.send(t.op, p, cd("setServeGasLeft(uint256)", [.uint(0)]))
        t.send(t.intermediary, t.addrs.matic, OperatorCalls.transfer(to: p, amount: tokens(2)))
        t.send(t.op, p, OperatorCalls.serveClaims(amountToUse: 0, residue: t.intermediary, minThreshold: 0))
        XCTAssertEqual(t.contracts.claimQueue(state: t.state).count, 0)
    }
}
