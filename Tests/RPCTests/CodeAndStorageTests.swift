import XCTest
import Foundation
import Primitives
import Contracts
import Chain
@testable import RPC

/// eth_getCode / eth_getStorageAt at any block, anvil_setCode / anvil_setStorageAt, dumps with
/// code, and eth_call / eth_estimateGas state overrides, through the method table.
final class CodeAndStorageTests: XCTestCase {
    let bob = "0x0000000000000000000000000000000000000b0b"
    let code = "0x602a60005260206000f3"
    static let matic = ContractAddresses.mainnet.matic

    /// keccak(pad32(holder) ‖ pad32(0)): MATIC's `_balances[holder]` (OpenZeppelin 2.x ERC20).
    func maticBalanceSlot(_ holder: Address) -> String {
        Hash.keccak(holder.value.bytes32 + UInt256.zero.bytes32).hex
    }

    /// `balanceOf(holder)` calldata.
    func balanceOf(_ holder: Address) -> String {
        "0x70a08231" + String(repeating: "0", count: 24) + holder.hex.dropFirst(2)
    }

    func word(_ v: UInt64) -> String {
        let h = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 64 - h.count) + h
    }

    func assertInvalidParams(_ e: RPCError?, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        guard let e else { return XCTFail("no error", file: file, line: line) }
        XCTAssertEqual(e.code, -32602, e.message, file: file, line: line)
        for f in fragments { XCTAssertTrue(e.message.contains(f), "\"\(e.message)\" should mention \(f)", file: file, line: line) }
    }

    // MARK: getCode / setCode

    func testGetCodeOfNativeContractsAtEveryBlock() async throws {
        let node = try await ClientsNode()
        try await node.call("evm_mine")
        let contracts = node.chain.reader.contracts
        for (_, a) in contracts.addresses.all {
            let want = JSON.data(contracts.code(at: a)!)
            assertEq(try await node.call("eth_getCode", [.address(a), "latest"]), want)
            assertEq(try await node.call("eth_getCode", [.address(a), "0x0"]), want)
            assertEq(try await node.call("eth_getCode", [.address(a), "earliest"]), want)
        }
        assertEq(try await node.call("eth_getCode", [.address(node.dev[0].address), "latest"]), "0x")
    }

    func testSetCodeThenGetCodeLatestAndHistorical() async throws {
        let node = try await ClientsNode()
        try await node.call("evm_mine")                                       // block 1
        assertEq(try await node.call("anvil_setCode", [.string(bob), .string(code)]), .null)
        try await node.call("evm_mine")                                       // block 2
        assertEq(try await node.call("hardhat_setCode", [.string(bob), "0x00"]), .null)
        assertEq(try await node.call("eth_getCode", [.string(bob), "latest"]), "0x00")
        assertEq(try await node.call("eth_getCode", [.string(bob), "0x1"]), .string(code), "setCode wrote into block 1's state")
        assertEq(try await node.call("eth_getCode", [.string(bob), "0x0"]), "0x")
        // Empty code clears it.
        try await node.call("anvil_setCode", [.string(bob), "0x"])
        assertEq(try await node.call("eth_getCode", [.string(bob), "latest"]), "0x")
    }

    func testSetCodeAtNativeContractIsRefused() async throws {
        let node = try await ClientsNode()
        let head = node.chain.reader.head.hash
        for (name, a) in ContractAddresses.mainnet.all {
            let e = await node.error("anvil_setCode", [.address(a), .string(code)])
            assertInvalidParams(e, ["param 0", name, "native"])
        }
        let contracts = node.chain.reader.contracts
        assertEq(try await node.call("eth_getCode", [.address(Self.matic), "latest"]), .data(contracts.code(at: Self.matic)!))
        XCTAssertEqual(node.chain.reader.head.hash, head)
    }

    func testSetCodeBadInputChangesNothing() async throws {
        let node = try await ClientsNode()
        assertInvalidParams(await node.error("anvil_setCode", [.string(bob), "0x600"]), ["param 1", "odd"])
        assertInvalidParams(await node.error("anvil_setCode", [.string(bob), "0xzz"]), ["param 1"])
        assertInvalidParams(await node.error("anvil_setCode", [.string(bob)]), ["param 1"])
        assertInvalidParams(await node.error("anvil_setCode", ["0x1234", .string(code)]), ["param 0"])
        let big = "0x" + String(repeating: "00", count: CheatMethods.maxCheatCodeSize + 1)
        assertInvalidParams(await node.error("anvil_setCode", [.string(bob), .string(big)]), ["param 1", "limit"])
        assertEq(try await node.call("eth_getCode", [.string(bob), "latest"]), "0x")
        // At the limit it is taken.
        let most = "0x" + String(repeating: "5b", count: CheatMethods.maxCheatCodeSize)
        try await node.call("anvil_setCode", [.string(bob), .string(most)])
        assertEq(try await node.call("eth_getCode", [.string(bob), "latest"]), .string(most))
    }

    // MARK: setStorageAt / getStorageAt

    func testSetStorageAtAndGetStorageAtAnyBlock() async throws {
        let node = try await ClientsNode()
        try await node.call("evm_mine")                                       // block 1
        assertEq(try await node.call("anvil_setStorageAt", [.string(bob), "0x5", .string(word(42))]), true)
        try await node.call("evm_mine")                                       // block 2
        assertEq(try await node.call("hardhat_setStorageAt", [.string(bob), .string(word(5)), "0x7"]), true)
        assertEq(try await node.call("eth_getStorageAt", [.string(bob), "0x5", "latest"]), .string(word(7)))
        assertEq(try await node.call("eth_getStorageAt", [.string(bob), "0x5", "0x1"]), .string(word(42)))
        assertEq(try await node.call("eth_getStorageAt", [.string(bob), "0x5", "0x0"]), .string(word(0)))

        // A native contract's slot: MATIC's balance of bob, read back by the Swift contract.
        let b = Address(hex: bob)!
        try await node.call("anvil_setStorageAt", [.address(Self.matic), .string(maticBalanceSlot(b)), .string(word(1234))])
        let out = try await node.call("eth_call", [["to": .address(Self.matic), "data": .string(balanceOf(b))], "latest"])
        assertEq(out, .string(word(1234)))
    }

    func testSetStorageAtBadInput() async throws {
        let node = try await ClientsNode()
        let head = node.chain.reader.head.hash
        let long = "0x01" + String(repeating: "0", count: 64)
        assertInvalidParams(await node.error("anvil_setStorageAt", [.string(bob), .string(long), "0x1"]), ["param 1", "32 bytes"])
        assertInvalidParams(await node.error("anvil_setStorageAt", [.string(bob), "0x1", .string(long)]), ["param 2", "32 bytes"])
        assertInvalidParams(await node.error("anvil_setStorageAt", [.string(bob), "0xzz", "0x1"]), ["param 1"])
        assertInvalidParams(await node.error("anvil_setStorageAt", [.string(bob), "0x1"]), ["param 2"])
        XCTAssertEqual(node.chain.reader.head.hash, head)
        assertEq(try await node.call("eth_getStorageAt", [.string(bob), "0x1", "latest"]), .string(word(0)))
    }

    // MARK: dumps

    func testDumpV2CarriesCodeAndLoads() async throws {
        let a = try await ClientsNode()
        try await a.call("anvil_setCode", [.string(bob), .string(code)])
        let blob = try await a.call("anvil_dumpState")
        let doc = try StateMethods.parse(try ParamDecoder.bytes(blob, "dump"))
        assertEq(doc["stakenet"], "state/2")
        assertEq(doc["accounts"]?[bob]?["code"], .string(code))
        assertEq(doc["accounts"]?[Self.matic.hex]?["code"], .data(a.chain.reader.contracts.code(at: Self.matic)!))
        let b = try await ClientsNode()
        assertEq(try await b.call("anvil_loadState", [blob]), true)
        assertEq(try await b.call("eth_getCode", [.string(bob), "latest"]), .string(code))
    }

    func testDumpV1StillLoads() async throws {
        let node = try await ClientsNode()
        try await node.call("anvil_setCode", [.string(bob), .string(code)])
        let v1: JSON = [
            "stakenet": "state/1", "chainId": 31337, "time": "0x0",
            "accounts": [
                bob: ["nonce": "0x3", "balance": "0x10"],
                Self.matic.hex: ["nonce": "0x0", "balance": "0x0", "code": "0x6000fd",
                                                       "storage": [word(9): .string(word(1))]],
            ],
        ]
        assertEq(try await node.call("anvil_loadState", [v1]), true)
        assertEq(try await node.call("eth_getTransactionCount", [.string(bob), "latest"]), "0x3")
        assertEq(try await node.call("eth_getCode", [.string(bob), "latest"]), .string(code), "v1 leaves code alone")
        assertEq(try await node.call("eth_getCode", [.address(Self.matic), "latest"]), .data(node.chain.reader.contracts.code(at: Self.matic)!))
        assertEq(try await node.call("eth_getStorageAt", [.address(Self.matic), "0x9", "latest"]), .string(word(1)))
        let e = await node.error("anvil_loadState", [["stakenet": "state/9", "accounts": [:]]])
        assertInvalidParams(e, ["state/9", "state/2", "state/1"])
    }

    // MARK: state overrides

    func call(_ node: ClientsNode, _ holder: Address, _ overrides: JSON, method: String = "eth_call") async throws -> JSON {
        try await node.call(method, [["to": .address(Self.matic), "data": .string(balanceOf(holder))], "latest", overrides])
    }

    func testStateOverridesOnANativeContract() async throws {
        let node = try await ClientsNode()
        let alice = node.dev[0].address, b = Address(hex: bob)!
        let real = try await call(node, alice, [:])
        XCTAssertNotEqual(real, .string(word(0)))
        // stateDiff patches one slot, the rest stays.
        let diff: JSON = [Self.matic.hex: ["stateDiff": [maticBalanceSlot(b): .string(word(77))]]]
        assertEq(try await call(node, b, diff), .string(word(77)))
        assertEq(try await call(node, alice, diff), real)
        // state replaces the whole storage: alice's balance is gone.
        let full: JSON = [Self.matic.hex: ["state": [maticBalanceSlot(b): .string(word(5))]]]
        assertEq(try await call(node, b, full), .string(word(5)))
        assertEq(try await call(node, alice, full), .string(word(0)))
        // eth_estimateGas takes the same overrides.
        let gas = try await call(node, b, diff, method: "eth_estimateGas")
        XCTAssertNotNil(gas.stringValue)
        // Nothing was written.
        assertEq(try await call(node, b, [:]), .string(word(0)))
        assertEq(try await node.call("eth_getStorageAt", [.address(Self.matic), .string(maticBalanceSlot(b)), "latest"]), .string(word(0)))
    }

    func testBalanceNonceAndCodeOverrides() async throws {
        let node = try await ClientsNode()
        let poor = "0x00000000000000000000000000000000000000aa"
        // value needs the balance: refused without, fine with the override.
        let tx: JSON = ["from": .string(poor), "to": .string(bob), "value": "0x100"]
        let e = await node.error("eth_call", [tx, "latest"])
        XCTAssertEqual(e?.code, -32003)
        let ov: JSON = [poor: ["balance": "0x1000", "nonce": "0x5", "code": "0x6000"],
                        bob: ["code": .string(code)]]
        // bob's overridden code runs: it returns 42.
        assertEq(try await node.call("eth_call", [tx, "latest", ov]), .string(word(42)))
        assertEq(try await node.call("eth_getCode", [.string(bob), "latest"]), "0x", "overrides are for the call only")
        // Without the code override the call returns nothing.
        let noCode: JSON = [poor: ["balance": "0x1000"]]
        assertEq(try await node.call("eth_call", [tx, "latest", noCode]), "0x")
    }

    func testBadOverridesAreInvalidParams() async throws {
        let node = try await ClientsNode()
        let m = Self.matic.hex
        let tx: JSON = ["to": .address(Self.matic), "data": .string(balanceOf(node.dev[0].address))]
        func bad(_ ov: JSON, _ fragments: [String], line: UInt = #line) async {
            assertInvalidParams(await node.error("eth_call", [tx, "latest", ov]), fragments, line: line)
            assertInvalidParams(await node.error("eth_estimateGas", [tx, "latest", ov]), fragments, line: line)
        }
        await bad([m: ["state": [:], "stateDiff": [:]]], ["state", "stateDiff", "both"])
        await bad([m: ["code": "0x6000"]], [".code", "MATIC", "native"])
        await bad([bob: ["code": "0x600"]], ["\(bob).code", "odd"])
        await bad([bob: ["balance": "lots"]], ["\(bob).balance"])
        await bad([bob: ["nonce": "0x10000000000000000"]], ["\(bob).nonce", "64 bits"])
        await bad([bob: ["stateDiff": ["0x1": "0xzz"]]], ["\(bob).stateDiff"])
        await bad([bob: ["state": ["0x01" + String(repeating: "0", count: 64): "0x1"]]],
                  ["\(bob).state", "32 bytes"])
        await bad([bob: ["state": "0x1"]], ["\(bob).state", "object"])
        await bad([bob: ["storage": [:]]], ["unknown override field storage"])
        await bad([bob: ["movePrecompileToAddress": "0x01"]], ["movePrecompileToAddress"])
        await bad(["0x12": ["balance": "0x1"]], ["param 2", "0x12"])
        await bad("0x1", ["param 2"])
    }
}
