import XCTest
import Foundation
@testable import Contracts
import Primitives
import EthCrypto

/// An in-memory `WorldState` with snapshots, standing in for the chain's journaled view.
final class MemoryState: WorldState {
    struct Key: Hashable { let contract: Address; let slot: Hash }
    var balances: [Address: UInt256] = [:]
    var slots: [Key: UInt256] = [:]

    func balance(of account: Address) -> UInt256 { balances[account] ?? .zero }
    func setBalance(_ value: UInt256, of account: Address) { balances[account] = value }
    func storage(_ contract: Address, _ slot: Hash) -> UInt256 { slots[Key(contract: contract, slot: slot)] ?? .zero }
    func setStorage(_ contract: Address, _ slot: Hash, _ value: UInt256) {
        slots[Key(contract: contract, slot: slot)] = value.isZero ? nil : value
    }

    struct Snapshot: Equatable { let balances: [Address: UInt256]; let slots: [Key: UInt256] }
    func snapshot() -> Snapshot { Snapshot(balances: balances, slots: slots) }
    func restore(_ s: Snapshot) { balances = s.balances; slots = s.slots }
}

let e18 = UInt256(1_000_000_000_000_000_000 as UInt64)
func tokens(_ n: UInt64) -> UInt256 { UInt256(n) * e18 }

/// A tiny chain around `NativeContracts`: moves msg.value, runs the call, discards every
/// write when it reverts, and counts blocks.
final class TestChain {
    let state = MemoryState()
    let contracts: NativeContracts
    let addrs = ContractAddresses.mainnet
    var blockNumber: UInt64 = 100
    var chainId: UInt64 = 31337

    let operatorKey: [UInt8]
    let op: Address
    let feeCollector = Address(hex: "0x00000000000000000000000000000000000fee01")!
    let intermediary = Address(hex: "0x0000000000000000000000000000000000000a11")!
    let userKeys: [[UInt8]]
    let users: [Address]

    static let maticEach = tokens(100_000)
    static let ankrEach = tokens(100_000)
    static let reserve = tokens(1_000_000)

    init(swapFeeOperator: Address? = nil) {
        operatorKey = TestChain.key(0xA0)
        op = try! Secp256k1.address(privateKey: operatorKey)
        userKeys = (1...5).map { TestChain.key(UInt8($0)) }
        users = userKeys.map { try! Secp256k1.address(privateKey: $0) }
        contracts = NativeContracts(addresses: .mainnet,
                                    roles: Roles(operator: op, feeCollector: feeCollector, intermediary: intermediary,
                                                 swapFeeOperator: swapFeeOperator))
        contracts.genesis(state: state, holders: users, maticEach: TestChain.maticEach, ankrEach: TestChain.ankrEach,
                          intermediaryReserve: TestChain.reserve)
        for u in users + [op, intermediary] { state.balances[u] = tokens(1_000) }
    }

    static func key(_ seed: UInt8) -> [UInt8] { Array(repeating: 0, count: 31) + [seed] }

    var alice: Address { users[0] }
    var bob: Address { users[1] }
    var carol: Address { users[2] }

    func context(_ from: Address, _ value: UInt256) -> CallContext {
        CallContext(caller: from, origin: from, value: value, blockNumber: blockNumber, timestamp: 1_700_000_000 + blockNumber * 12,
                    chainId: chainId)
    }

    /// A transaction: value moved first, everything dropped on revert, one block per call.
    @discardableResult
    func send(_ from: Address, _ to: Address, _ calldata: [UInt8], value: UInt256 = .zero) -> CallResult {
        let snap = state.snapshot()
        if !value.isZero {
            state.balances[from] = state.balance(of: from) - value
            state.balances[to] = state.balance(of: to) + value
        }
        let r = contracts.call(to: to, calldata: calldata, context: context(from, value), state: state)
        if !r.success { state.restore(snap) }
        blockNumber += 1
        return r
    }

    /// `eth_call`: nothing persists.
    func call(_ from: Address, _ to: Address, _ calldata: [UInt8]) -> CallResult {
        let snap = state.snapshot()
        let r = contracts.call(to: to, calldata: calldata, context: context(from, .zero), state: state)
        state.restore(snap)
        return r
    }

    func uintCall(_ to: Address, _ sig: String, _ args: ABIValue..., from: Address = .zero) -> UInt256 {
        let r = call(from, to, cd(sig, args))
        XCTAssertTrue(r.success, "\(sig) reverted: \(r.output.hex)")
        return UInt256(bigEndian: r.output.prefix(32)) ?? .zero
    }

    // common reads
    func matic(_ a: Address) -> UInt256 { uintCall(addrs.matic, "balanceOf(address)", .address(a)) }
    func ankr(_ a: Address) -> UInt256 { uintCall(addrs.ankr, "balanceOf(address)", .address(a)) }
    func bonds(_ a: Address) -> UInt256 { uintCall(addrs.aMATICb, "balanceOf(address)", .address(a)) }
    func shares(_ a: Address) -> UInt256 { uintCall(addrs.aMATICb, "sharesOf(address)", .address(a)) }
    func certs(_ a: Address) -> UInt256 { uintCall(addrs.aMATICc, "balanceOf(address)", .address(a)) }
    var ratio: UInt256 { uintCall(addrs.aMATICb, "ratio()") }

    // common actions
    @discardableResult
    func approveMatic(_ from: Address, _ amount: UInt256) -> CallResult {
        send(from, addrs.matic, cd("approve(address,uint256)", [.address(addrs.pool), .uint(amount)]))
    }
    @discardableResult
    func stakeBonds(_ from: Address, _ amount: UInt256) -> CallResult {
        approveMatic(from, amount)
        return send(from, addrs.pool, cd("stakeAndClaimBonds(uint256)", [.uint(amount)]))
    }
    @discardableResult
    func stakeCerts(_ from: Address, _ amount: UInt256) -> CallResult {
        approveMatic(from, amount)
        return send(from, addrs.pool, cd("stakeAndClaimCerts(uint256)", [.uint(amount)]))
    }
    @discardableResult
    func setRatio(_ r: UInt256) -> CallResult {
        send(op, addrs.aMATICb, OperatorCalls.updateRatio(r))
    }
    /// unstakeBonds on the ETH fee path, paying exactly the fee.
    @discardableResult
    func unstakeBondsEth(_ from: Address, _ amount: UInt256, value: UInt256? = nil) -> CallResult {
        let fee = contracts.ethUnstakeFee(state: state)
        return send(from, addrs.pool, cd("unstakeBonds(uint256,uint256,uint256,bytes)", [.uint(amount), .uint(0), .uint(0), .bytes([])]),
                    value: value ?? fee)
    }

    func notarySignature(fee: UInt256, useBeforeBlock: UInt256, staker: Address, key: [UInt8]? = nil) -> [UInt8] {
        let digest = contracts.unstakeFeeDigest(chainId: chainId, fee: fee, useBeforeBlock: useBeforeBlock, staker: staker)
        return try! Secp256k1.sign(hash: digest, privateKey: key ?? operatorKey).bytes65
    }

    /// aMATICc.totalSupply == aMATICb.totalSharesSupply, and aMATICb's shares at its own address
    /// equal the aMATICc held by everyone else.
    func assertInvariants(file: StaticString = #filePath, line: UInt = #line) {
        let totalC = uintCall(addrs.aMATICc, "totalSupply()")
        let totalShares = uintCall(addrs.aMATICb, "totalSharesSupply()")
        XCTAssertEqual(totalC, totalShares, "aMATICc supply vs aMATICb shares", file: file, line: line)
        let holders = Set(users + [op, feeCollector, intermediary, addrs.pool, addrs.matic, addrs.ankr, addrs.aMATICc])
        var outside = UInt256.zero
        for h in holders { outside += certs(h) }
        XCTAssertEqual(outside, totalC - certs(addrs.aMATICb), "untracked aMATICc holder", file: file, line: line)
        XCTAssertEqual(shares(addrs.aMATICb), outside, "aMATICb own shares vs aMATICc in circulation", file: file, line: line)
    }
}

/// Calldata from a signature and values.
func cd(_ sig: String, _ args: [ABIValue] = []) -> [UInt8] { try! ABI.encodeCall(sig, args) }

func topic(_ sig: String) -> Hash { ABI.eventTopic(sig) }
func word(_ a: Address) -> Hash { Hash(a.value) }
func word(_ v: UInt256) -> Hash { Hash(v) }

/// A log matcher for readable assertions.
struct L: Equatable, CustomStringConvertible {
    let address: Address
    let topics: [Hash]
    let data: [UInt8]
    init(_ address: Address, _ sig: String, _ indexed: [Hash], _ data: [UInt8] = []) {
        self.address = address; topics = [topic(sig)] + indexed; self.data = data
    }
    init(_ log: Log) { address = log.address; topics = log.topics; data = log.data }
    var description: String { "\(address.short) \(topics.map { $0.hex.prefix(10) }) \(data.hex)" }
}

func transferLog(_ token: Address, _ from: Address, _ to: Address, _ v: UInt256) -> L {
    L(token, "Transfer(address,address,uint256)", [word(from), word(to)], v.bytes32)
}
func approvalLog(_ token: Address, _ owner: Address, _ spender: Address, _ v: UInt256) -> L {
    L(token, "Approval(address,address,uint256)", [word(owner), word(spender)], v.bytes32)
}

func assertLogs(_ r: CallResult, _ expected: [L], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(r.success, "call reverted: \(ABI.decodeRevertReason(r.output) ?? r.output.hex)", file: file, line: line)
    let got = r.logs.map(L.init)
    XCTAssertEqual(got.count, expected.count, "log count: \(got)", file: file, line: line)
    for (i, (g, e)) in zip(got, expected).enumerated() {
        XCTAssertEqual(g, e, "log \(i)", file: file, line: line)
    }
}

func assertReverts(_ r: CallResult, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(r.success, "expected revert \"\(reason)\"", file: file, line: line)
    XCTAssertEqual(ABI.decodeRevertReason(r.output), reason, "revert data \(r.output.hex)", file: file, line: line)
    XCTAssertEqual(r.output, ABI.encodeError(reason), file: file, line: line)
    XCTAssertTrue(r.logs.isEmpty, file: file, line: line)
}

func assertRevertsEmpty(_ r: CallResult, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(r.success, "expected a revert", file: file, line: line)
    XCTAssertEqual(r.output, [], "revert data should be empty", file: file, line: line)
    XCTAssertTrue(r.logs.isEmpty, file: file, line: line)
}

func assertPanics(_ r: CallResult, _ code: UInt64, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(r.success, file: file, line: line)
    XCTAssertEqual(r.output, ABI.encodePanic(code), file: file, line: line)
}
