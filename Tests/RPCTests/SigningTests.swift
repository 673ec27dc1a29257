import XCTest
import Foundation
import Primitives
import EthCrypto
import Contracts
import Chain
@testable import RPC

final class SigningTests: XCTestCase {
    func signature(_ v: JSON) throws -> [UInt8] {
        let b = try XCTUnwrap(v.stringValue.flatMap { Hex.decode($0) })
        XCTAssertEqual(b.count, 65)
        XCTAssertTrue(b[64] == 27 || b[64] == 28, "v is 27 or 28")
        return b
    }

    func testPersonalSignAndEthSign() async throws {
        let node = try await ClientsNode()
        let me = node.dev[0].address
        let text = Array("hello stakenet".utf8)
        // eth-account: Account.from_mnemonic(junk mnemonic).sign_message(encode_defunct(text="hello stakenet"))
        let expected = "0x7ed0ce22f99082ae3377ed09a8ea8ab57795813a26b6a3696bbbef13e711adab5c065fe13e6a32383e47545c072403030e938caec70eb27bc71876063eba37571c"
        let ps = try await node.call("personal_sign", [.data(text), .address(me)])
        XCTAssertEqual(ps.stringValue, expected)
        XCTAssertEqual(MessageSigning.recoverPersonal(text, signature65: try signature(ps)), me)
        // eth_sign(address, data) signs the same EIP-191 hash.
        assertEq(try await node.call("eth_sign", [.address(me), .data(text)]).stringValue, expected)
        // Plain text is signed as its UTF-8 bytes; swapped parameters are tolerated.
        assertEq(try await node.call("personal_sign", ["hello stakenet", .address(me)]).stringValue, expected)
        assertEq(try await node.call("personal_sign", [.address(me), .data(text)]).stringValue, expected)
        // The operator's keys sign too.
        let op = node.chain.config.roles.operator
        let sig = try signature(try await node.call("personal_sign", ["0x", .address(op)]))
        XCTAssertEqual(MessageSigning.recoverPersonal([], signature65: sig), op)
    }

    func testSigningNeedsAKey() async throws {
        let node = try await ClientsNode()
        let stranger = Address(hex: "0x00000000000000000000000000000000deadbeef")!
        let e = await node.error("personal_sign", ["0x01", .address(stranger)])
        XCTAssertEqual(e?.code, -32000)
        XCTAssertTrue(e?.message.contains("no private key") ?? false, e?.message ?? "")
        try await node.call("anvil_impersonateAccount", [.address(stranger)])
        let i = await node.error("eth_sign", [.address(stranger), "0x01"])
        XCTAssertTrue(i?.message.contains("impersonated") ?? false, i?.message ?? "")
        assertEq(await node.error("eth_sign", ["0x1234", "0x01"])?.code, -32602)
        assertEq(await node.error("eth_sign", [.address(node.dev[0].address)])?.code, -32602)
    }

    func testSignTypedDataV4() async throws {
        let node = try await ClientsNode()
        let me = node.dev[1].address
        for (name, msg) in try ClientVectors.messages("valid_for_all") {
            let digest = try EIP712TypedData(json: msg).digest()
            let asObject = try signature(try await node.call("eth_signTypedData_v4", [.address(me), msg]))
            XCTAssertEqual(Secp256k1.recover(hash: digest, signature65: asObject), me, name)
            // MetaMask sends the typed data as a JSON string.
            let asString = try await node.call("eth_signTypedData_v4", [.address(me), .string(msg.jsonString)])
            XCTAssertEqual(asString.stringValue, Hex.encode(asObject), name)
        }
        for (name, msg) in try ClientVectors.messages("invalid") {
            let e = await node.error("eth_signTypedData_v4", [.address(me), msg])
            XCTAssertEqual(e?.code, -32602, name)
        }
        assertEq(await node.error("eth_signTypedData_v4", [.address(me), "{"])?.code, -32602)
        assertEq(await node.error("eth_signTypedData", [.address(me), []])?.code, -32000)
    }
}

/// anvil_dealERC20, anvil_dumpState / anvil_loadState.
final class SigningStateCheatTests: XCTestCase {
    func balanceOf(_ node: ClientsNode, _ token: Address, _ who: Address) async throws -> UInt256 {
        let data = [0x70, 0xa0, 0x82, 0x31] + [UInt8](repeating: 0, count: 12) + who.bytes
        let r = try await node.call("eth_call", [.object([("to", .address(token)), ("data", .data(data))]), "latest"])
        return try XCTUnwrap(UInt256(hex: r.stringValue ?? ""))
    }

    func testDealERC20() async throws {
        let node = try await ClientsNode()
        let a = node.context.config.addresses
        let holder = Address(hex: "0x00000000000000000000000000000000000000aa")!
        let supply0 = try await totalSupply(node, a.matic)
        // Anvil's order: (holder, token, amount)
        assertEq(try await node.call("anvil_dealERC20", [.address(holder), .address(a.matic), "0x3e8"]), .null)
        assertEq(try await balanceOf(node, a.matic, holder), 1000)
        assertEq(try await totalSupply(node, a.matic), supply0 + 1000)
        // (token, holder, amount) works too, and lowering a balance lowers the supply.
        try await node.call("anvil_dealERC20", [.address(a.matic), .address(holder), "0x64"])
        assertEq(try await balanceOf(node, a.matic, holder), 100)
        assertEq(try await totalSupply(node, a.matic), supply0 + 100)
        try await node.call("anvil_dealERC20", [.address(holder), .address(a.ankr), "0x7"])
        assertEq(try await balanceOf(node, a.ankr, holder), 7)
        // The pool is not a token.
        let e = await node.error("anvil_dealERC20", [.address(holder), .address(a.pool), "0x1"])
        XCTAssertEqual(e?.code, -32602)
        XCTAssertTrue(e?.message.contains("MATIC") ?? false)
        // A snapshot taken before undoes the deal.
        let snap = try await node.call("evm_snapshot")
        try await node.call("anvil_dealERC20", [.address(holder), .address(a.matic), "0x0"])
        assertEq(try await balanceOf(node, a.matic, holder), 0)
        try await node.call("evm_revert", [snap])
        assertEq(try await balanceOf(node, a.matic, holder), 100)
    }

    func totalSupply(_ node: ClientsNode, _ token: Address) async throws -> UInt256 {
        let r = try await node.call("eth_call", [.object([("to", .address(token)), ("data", "0x18160ddd")]), "latest"])
        return try XCTUnwrap(UInt256(hex: r.stringValue ?? ""))
    }

    func testDumpAndLoadIntoAFreshNode() async throws {
        let a = try await ClientsNode()
        let c = a.context.config.addresses
        let bob = Address(hex: "0x0000000000000000000000000000000000000b0b")!
        // Change balances: a transfer (MATIC storage, ETH, nonces), a deal, a drained balance.
        try await a.maticTransfer(from: 0, to: bob, amount: 12_345)
        try await a.call("anvil_dealERC20", [.address(a.dev[1].address), .address(c.matic), "0x0"])
        try await a.call("anvil_setBalance", [.address(bob), "0x1234"])
        try await a.call("evm_increaseTime", [JSON(86_400 * 30)])
        try await a.call("evm_mine")
        let blob = try await a.call("anvil_dumpState")
        let text = try XCTUnwrap(blob.stringValue.flatMap { Hex.decode($0) })
        let doc = try JSON.parse(text)
        XCTAssertEqual(doc["stakenet"], .string(StateMethods.format))
        XCTAssertNotNil(doc["accounts"]?[c.matic.hex]?["storage"])

        let b = try await ClientsNode()
        assertNotEq(try await balanceOf(b, c.matic, bob), 12_345)
        assertEq(try await b.call("anvil_loadState", [blob]), .bool(true))
        for who in [bob, a.dev[0].address, a.dev[1].address, a.dev[2].address] {
            for token in [c.matic, c.ankr, c.aMATICb] {
                let want = try await balanceOf(a, token, who)
                let got = try await balanceOf(b, token, who)
                XCTAssertEqual(got, want, "\(token) of \(who)")
            }
            XCTAssertEqual(b.chain.reader.account(who, at: b.chain.reader.headNumber),
                           a.chain.reader.account(who, at: a.chain.reader.headNumber))
        }
        assertEq(try await balanceOf(b, c.matic, a.dev[1].address), 0, "a cleared slot is cleared in the target too")
        assertEq(try await totalSupply(b, c.matic), try await totalSupply(a, c.matic))
        let nowA = await a.chain.now, nowB = await b.chain.now
        XCTAssertGreaterThanOrEqual(nowB, nowA, "the clock moves up to the dumped time")
        // Every state entry is the same.
        let dumpA = try await a.chain.dumpState(), dumpB = try await b.chain.dumpState()
        XCTAssertEqual(dumpA.accounts.map { "\($0.address)\($0.account.nonce)\($0.account.balance)" },
                       dumpB.accounts.map { "\($0.address)\($0.account.nonce)\($0.account.balance)" })
        XCTAssertEqual(dumpA.storage.map { "\($0.address)" + $0.slots.map { "\($0.slot)\($0.value)" }.joined() },
                       dumpB.storage.map { "\($0.address)" + $0.slots.map { "\($0.slot)\($0.value)" }.joined() })

        // The JSON object itself is accepted too; bad blobs are invalid params.
        assertEq(try await b.call("anvil_loadState", [doc]), .bool(true))
        assertEq(await b.error("anvil_loadState", ["0x1f8b0800"])?.code, -32602)
        assertEq(await b.error("anvil_loadState", ["0x7b7d"])?.code, -32602, "{} has no accounts")
        assertEq(await b.error("anvil_loadState", ["0xzz"])?.code, -32602)
        assertEq(await b.error("anvil_loadState", [.object([("stakenet", "state/99"), ("accounts", .object([]))])])?.code, -32602)
    }
}
