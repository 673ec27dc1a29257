import XCTest
@testable import EVM
import Primitives

/// A dictionary-backed state for interpreter tests.
final class MemoryBackend: StateBackend {
    var accounts: [Address: EVMAccount] = [:]
    var codes: [Hash: [UInt8]] = [:]
    var slots: [SlotKey: UInt256] = [:]

    func account(_ a: Address) -> EVMAccount? { accounts[a] }
    func code(_ h: Hash) -> [UInt8] { codes[h] ?? [] }
    func storage(_ a: Address, _ s: UInt256) -> UInt256 { slots[SlotKey(a, s)] ?? .zero }

    func install(_ a: Address, code: [UInt8], balance: UInt256 = .zero) {
        let h = Hash.keccak(code)
        codes[h] = code
        accounts[a] = EVMAccount(nonce: 1, balance: balance, codeHash: h)
    }
    func apply(_ c: StateChanges) {
        for (h, code) in c.codes { codes[h] = code }
        for (a, acct) in c.accounts {
            if let acct { accounts[a] = acct } else {
                accounts[a] = nil
                slots = slots.filter { $0.key.address != a }
            }
        }
        for (a, s) in c.storage { for (k, v) in s { slots[SlotKey(a, k)] = v.isZero ? nil : v } }
    }
}

final class InterpreterTests: XCTestCase {
    let sender = Address(hex: "0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b")!
    let target = Address(hex: "0xcccccccccccccccccccccccccccccccccccccccc")!
    let coinbase = Address(hex: "0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba")!

    func block() -> BlockContext {
        BlockContext(number: 1, timestamp: 1000, coinbase: coinbase, gasLimit: 30_000_000, baseFee: UInt256(10), chainId: 1)
    }

    func run(_ code: [UInt8], data: [UInt8] = [], gas: UInt64 = 100_000, backend: MemoryBackend? = nil) throws -> (TxResult, MemoryBackend) {
        let b = backend ?? MemoryBackend()
        b.accounts[sender] = EVMAccount(nonce: 0, balance: UInt256(UInt64(1) << 60))
        b.install(target, code: code)
        let tx = TxEnv(caller: sender, to: target, nonce: 0, value: .zero, data: data, gasLimit: gas,
                       maxFeePerGas: UInt256(10), maxPriorityFeePerGas: .zero)
        let r = try EVM(block: block()).transact(tx, backend: b)
        b.apply(r.changes)
        return (r, b)
    }

    func testAddAndStore() throws {
        // PUSH1 2 PUSH1 3 ADD PUSH1 0 SSTORE STOP
        let (r, b) = try run([0x60, 0x02, 0x60, 0x03, 0x01, 0x60, 0x00, 0x55, 0x00])
        XCTAssertEqual(r.status, .success)
        XCTAssertEqual(b.storage(target, .zero), UInt256(5))
        // 21000 + 3·3 (pushes) + 3 (add) + 22100 (cold SSTORE from zero)
        XCTAssertEqual(r.gasUsed, 21000 + 9 + 3 + 22100)
    }

    func testRevertReturnsDataAndKeepsGas() throws {
        // PUSH1 0x2a PUSH1 0 MSTORE PUSH1 32 PUSH1 0 REVERT
        let (r, _) = try run([0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xfd])
        XCTAssertEqual(r.status, .revert)
        XCTAssertEqual(r.output, UInt256(42).bytes32)
        XCTAssertEqual(r.gasUsed, 21000 + 3 * 4 + 3 + 3)  // 4 pushes, MSTORE 3 + 3 memory
    }

    func testInvalidOpcodeConsumesAllGas() throws {
        let (r, _) = try run([0xfe], gas: 50_000)
        XCTAssertEqual(r.status, .halt(.invalidOpcode(0xfe)))
        XCTAssertEqual(r.gasUsed, 50_000)
    }

    func testStackUnderflow() throws {
        let (r, _) = try run([0x01])
        XCTAssertEqual(r.status, .halt(.stackUnderflow(have: 0, want: 2)))
    }

    func testCreateDeploysCode() throws {
        // initcode returning runtime 0x00 (1 byte): PUSH1 0 PUSH1 0 MSTORE8 PUSH1 1 PUSH1 0 RETURN
        let b = MemoryBackend()
        b.accounts[sender] = EVMAccount(nonce: 0, balance: UInt256(UInt64(1) << 60))
        let initCode: [UInt8] = [0x60, 0x00, 0x60, 0x00, 0x53, 0x60, 0x01, 0x60, 0x00, 0xf3]
        let tx = TxEnv(caller: sender, to: nil, nonce: 0, value: .zero, data: initCode, gasLimit: 100_000,
                       maxFeePerGas: UInt256(10), maxPriorityFeePerGas: .zero)
        let r = try EVM(block: block()).transact(tx, backend: b)
        XCTAssertEqual(r.status, .success)
        // the CREATE address of sender at nonce 0
        XCTAssertEqual(r.contractAddress, Address(hex: "0x6295ee1b4f6dd65047762f924ecd367c17eabf8f"))
        b.apply(r.changes)
        XCTAssertEqual(b.account(r.contractAddress!)?.nonce, 1)
    }

    func testNonceTooLowIsRefused() throws {
        let b = MemoryBackend()
        b.accounts[sender] = EVMAccount(nonce: 5, balance: UInt256(UInt64(1) << 60))
        let tx = TxEnv(caller: sender, to: target, nonce: 4, value: .zero, data: [], gasLimit: 21_000,
                       maxFeePerGas: UInt256(10), maxPriorityFeePerGas: .zero)
        XCTAssertThrowsError(try EVM(block: block()).transact(tx, backend: b)) { e in
            XCTAssertTrue((e as? TxError)?.message.hasPrefix("nonce too low") ?? false)
        }
    }
}

final class WordTests: XCTestCase {
    /// MULMOD/ADDMOD with a 512-bit intermediate against products small enough to check directly,
    /// and against identities that need the full width.
    func testMulmodAndAddmod() {
        let max = UInt256.max
        // (2^256-1)^2 mod (2^256-1) = 0; mod (2^256-2) = 1
        XCTAssertEqual(UInt256.mulmod(max, max, max), .zero)
        XCTAssertEqual(UInt256.mulmod(max, max, max &- .one), .one)
        // (2^256-1) * 2 mod 3: 2^256 ≡ 1 (mod 3), so (2^256-1)·2 ≡ 0
        XCTAssertEqual(UInt256.mulmod(max, UInt256(2), UInt256(3)), .zero)
        XCTAssertEqual(UInt256.mulmod(UInt256(12345), UInt256(67890), UInt256(1000)), UInt256(12345 * 67890 % 1000))
        // 2^255 · 4 mod (2^64+1): 2^257 ≡ 2^(257 mod 128)·(−1)^(257/64 …); check via repeated doubling instead
        var expect = UInt256(1) << 255
        let m = UInt256(w0: 1, w1: 1, w2: 0, w3: 0)
        expect = expect.quotientAndRemainder(dividingBy: m).remainder
        for _ in 0..<2 { expect = UInt256.addmod(expect, expect, m) }
        XCTAssertEqual(UInt256.mulmod(UInt256(1) << 255, UInt256(4), m), expect)
        XCTAssertEqual(UInt256.addmod(max, max, UInt256(10)), UInt256.mulmod(max, UInt256(2), UInt256(10)))
        XCTAssertEqual(UInt256.mulmod(UInt256(5), UInt256(7), .zero), .zero)
    }

    /// EIP-7939's examples: CLZ(0) = 256, CLZ(1) = 255, CLZ(2^255) = 0; 5 gas.
    func testCLZ() throws {
        XCTAssertEqual(UInt256.zero.leadingZeros, UInt256(256))
        XCTAssertEqual(UInt256.one.leadingZeros, UInt256(255))
        XCTAssertEqual((UInt256.one << 255).leadingZeros, .zero)
        XCTAssertEqual(UInt256(0x6ff).leadingZeros, UInt256(245))
        XCTAssertEqual(Opcode.table[0x1e].gas, 5)
    }
}
