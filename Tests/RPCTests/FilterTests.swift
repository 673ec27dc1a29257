import XCTest
import Foundation
import Primitives
import EthCrypto
import Storage
import Contracts
import Chain
@testable import RPC

/// A node without a server: a chain over a temporary LevelDB, its context and method table
/// (standard, cheat and client methods).
final class ClientsNode: Sendable {
    let dir: DataDirectory
    let chain: Chain
    let context: NodeContext
    let table = MethodTable()
    let dev: [SigningKey]

    let filters: FilterManager
    let subscriptions: SubscriptionManager

    /// `filters`: a manager to register instead of the default one.
    init(filters: FilterManager? = nil, subscriptionLimit: Int = 1000, automine: Bool = true) async throws {
        dir = try DataDirectory.ephemeral()
        let dev = try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic, count: 3)
        let ops = try DevAccount.devAccounts(mnemonic: DevAccount.defaultMnemonic, path: "m/44'/60'/1'/0/", count: 3)
        let roles = Roles(operator: ops[0].address, feeCollector: ops[1].address, intermediary: ops[2].address)
        var config = ChainConfig(genesisTimestamp: 1_700_000_000, roles: roles)
        config.useWallClock = false
        config.devKeys = dev.map { SigningKey(address: $0.address, privateKey: $0.privateKey) }
        config.extraKeys = ops.map { SigningKey(address: $0.address, privateKey: $0.privateKey) }
        chain = try Chain(config: config, store: ChainStore(db: dir.database),
                          contracts: NativeContracts(addresses: .mainnet, roles: roles))
        self.dev = config.devKeys
        context = NodeContext(chain: chain, clientVersion: "anvil/stakenet/test")
        EthMethods.register(table, context)
        CheatMethods.register(table, context)
        self.filters = filters ?? FilterManager()
        subscriptions = SubscriptionManager(reader: chain.reader, config: .init(maxPerConnection: subscriptionLimit))
        FilterMethods.register(table, context, manager: self.filters)
        SubscriptionMethods.register(table, context, manager: subscriptions)
        SigningMethods.register(table, context)
        StateMethods.register(table, context)
        if !automine { try await chain.setAutomine(false) }
    }

    deinit { dir.cleanup() }

    /// The result, failing the test on an error.
    @discardableResult
    func call(_ method: String, _ params: JSON = [], connection: (any RPCConnection)? = nil,
              file: StaticString = #filePath, line: UInt = #line) async throws -> JSON {
        switch await table.call(method, params, connection: connection) {
        case .success(let r): return r
        case .failure(let e):
            XCTFail("\(method) failed: \(e)", file: file, line: line)
            throw e
        }
    }

    /// The error of a call that must fail.
    func error(_ method: String, _ params: JSON = [], connection: (any RPCConnection)? = nil,
               file: StaticString = #filePath, line: UInt = #line) async -> RPCError? {
        switch await table.call(method, params, connection: connection) {
        case .success(let r): XCTFail("\(method) succeeded: \(r)", file: file, line: line); return nil
        case .failure(let e): return e
        }
    }

    static let matic = ContractAddresses.mainnet.matic
    static let transferTopic = Hash(hex: "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")!

    /// Signs and submits a MATIC transfer from dev account `k` (a Transfer log); returns its hash.
    @discardableResult
    func maticTransfer(from k: Int, to: Address, amount: UInt64) async throws -> Hash {
        let nonce = await chain.pendingNonce(dev[k].address)
        var data: [UInt8] = [0xa9, 0x05, 0x9c, 0xbb]
        data += [UInt8](repeating: 0, count: 12) + to.bytes
        data += UInt256(amount).bytes32
        let tx = try Transaction.dynamicFee(chainId: 31337, nonce: nonce, maxPriorityFeePerGas: 1_000_000_000,
                                            maxFeePerGas: 100_000_000_000, gasLimit: 200_000, to: Self.matic,
                                            value: .zero, data: data).signed(privateKey: dev[k].privateKey)
        return try await chain.submit(PooledTransaction(tx: tx, hash: tx.hash, sender: dev[k].address))
    }
}

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {  // `t` is guarded by `lock`
    private let lock = NSLock()
    private var t: Double = 1000
    var now: Double { lock.withLock { t } }
    func advance(_ s: Double) { lock.withLock { t += s } }
}

final class FilterTests: XCTestCase {
    let bob = Address(hex: "0x0000000000000000000000000000000000000b0b")!

    func strings(_ v: JSON) -> [String] { (v.arrayValue ?? []).compactMap(\.stringValue) }

    func testBlockFilter() async throws {
        let node = try await ClientsNode()
        let id = try await node.call("eth_newBlockFilter").stringValue!
        XCTAssertTrue(id.hasPrefix("0x"))
        assertEq(try await node.call("eth_getFilterChanges", [.string(id)]), [])
        try await node.call("evm_mine")
        try await node.call("evm_mine")
        let hashes = strings(try await node.call("eth_getFilterChanges", [.string(id)]))
        XCTAssertEqual(hashes, [1, 2].map { node.chain.reader.block(number: $0)!.hash.hex })
        assertEq(try await node.call("eth_getFilterChanges", [.string(id)]), [], "a poll takes what it returns")
        // The id is a quantity: leading zeros and upper case name the same filter.
        try await node.call("evm_mine")
        let padded = "0x000" + id.dropFirst(2).uppercased()
        assertEq(strings(try await node.call("eth_getFilterChanges", [.string(padded)])).count, 1)
        // eth_getFilterLogs is for log filters only.
        assertEq(await node.error("eth_getFilterLogs", [.string(id)])?.message, "filter not found")
    }

    func testPendingTransactionFilter() async throws {
        let node = try await ClientsNode(automine: false)
        let id = try await node.call("eth_newPendingTransactionFilter").stringValue!
        let h1 = try await node.maticTransfer(from: 0, to: bob, amount: 1)
        let h2 = try await node.maticTransfer(from: 1, to: bob, amount: 2)
        assertEq(strings(try await node.call("eth_getFilterChanges", [.string(id)])), [h1.hex, h2.hex])
        assertEq(try await node.call("eth_getFilterChanges", [.string(id)]), [])
        try await node.call("evm_mine")
        assertEq(try await node.call("eth_getFilterChanges", [.string(id)]), [], "mining is not a new pending transaction")
    }

    func testLogFilterChangesAndFilterLogs() async throws {
        let node = try await ClientsNode()
        let criteria: JSON = .object([("address", .address(ClientsNode.matic)), ("topics", [.hash(ClientsNode.transferTopic)])])
        let before = try await node.maticTransfer(from: 0, to: bob, amount: 5)      // block 1, before the filter
        let id = try await node.call("eth_newFilter", [criteria]).stringValue!
        let other = try await node.call("eth_newFilter", [.object([("topics", [.hash(Hash(UInt256(1)))])])]).stringValue!
        let byBob = try await node.call("eth_newFilter", [.object([
            ("address", [.address(ClientsNode.matic)]),
            ("topics", [.null, .null, .hash(Hash(UInt256(0xb0b)))]),
        ])]).stringValue!
        let t2 = try await node.maticTransfer(from: 1, to: bob, amount: 7)          // block 2
        let t3 = try await node.maticTransfer(from: 2, to: node.dev[0].address, amount: 9)   // block 3

        let changes = try await node.call("eth_getFilterChanges", [.string(id)]).arrayValue!
        XCTAssertEqual(changes.map { $0["transactionHash"]?.stringValue }, [t2.hex, t3.hex], "no historic logs without fromBlock")
        XCTAssertEqual(changes[0]["blockNumber"], .string("0x2"))
        XCTAssertEqual(changes[0]["address"], .string(ClientsNode.matic.hex))
        XCTAssertEqual(changes[0]["removed"], .bool(false))
        XCTAssertEqual(changes[0]["data"], .string(Hex.encode(UInt256(7).bytes32)))
        assertEq(try await node.call("eth_getFilterChanges", [.string(id)]), [])
        assertEq(try await node.call("eth_getFilterChanges", [.string(other)]), [])
        assertEq(try await node.call("eth_getFilterChanges", [.string(byBob)]).arrayValue?.map { $0["transactionHash"]?.stringValue }, [t2.hex])

        // eth_getFilterLogs: everything in the filter's range (default latest..latest: block 3)
        let all = try await node.call("eth_getFilterLogs", [.string(id)]).arrayValue!
        XCTAssertEqual(all.map { $0["transactionHash"]?.stringValue }, [t3.hex])
        let wide = try await node.call("eth_newFilter", [.object([("fromBlock", "earliest"), ("address", .address(ClientsNode.matic))])]).stringValue!
        let wideAll = try await node.call("eth_getFilterLogs", [.string(wide)]).arrayValue!
        XCTAssertEqual(wideAll.map { $0["transactionHash"]?.stringValue }, [before.hex, t2.hex, t3.hex])
        // Like Anvil, an explicit fromBlock makes the first poll return the logs already there.
        assertEq(try await node.call("eth_getFilterChanges", [.string(wide)]).arrayValue?.count, 3)
        assertEq(try await node.call("eth_getFilterChanges", [.string(wide)]), [])

        // An explicit toBlock in the past: no new logs.
        let past = try await node.call("eth_newFilter", [.object([("fromBlock", "0x1"), ("toBlock", "0x1")])]).stringValue!
        assertEq(try await node.call("eth_getFilterChanges", [.string(past)]).arrayValue?.map { $0["transactionHash"]?.stringValue }, [before.hex])
        try await node.maticTransfer(from: 0, to: bob, amount: 1)
        assertEq(try await node.call("eth_getFilterChanges", [.string(past)]), [])

        // Bad filter objects are invalid params.
        assertEq(await node.error("eth_newFilter", [.object([("address", "0x12")])])?.code, -32602)
        assertEq(await node.error("eth_newFilter", [.object([("fromBlock", "0x5"), ("toBlock", "0x1")])])?.code, -32602)
    }

    func testUninstallAndUnknownIds() async throws {
        let node = try await ClientsNode()
        let id = try await node.call("eth_newBlockFilter").stringValue!
        assertEq(try await node.call("eth_uninstallFilter", [.string(id)]), .bool(true))
        assertEq(try await node.call("eth_uninstallFilter", [.string(id)]), .bool(false))
        let e = await node.error("eth_getFilterChanges", [.string(id)])
        XCTAssertEqual(e?.code, -32000)
        XCTAssertEqual(e?.message, "filter not found")
        assertEq(await node.error("eth_getFilterChanges", ["nonsense"])?.message, "filter not found")
        assertEq(await node.error("eth_getFilterChanges", [17])?.message, "filter not found")
        assertEq(await node.error("eth_getFilterChanges", [])?.code, -32602)
    }

    func testIdleFiltersExpire() async throws {
        let clock = ManualClock()
        let manager = FilterManager(now: { clock.now })
        let node = try await ClientsNode(filters: manager)
        let idle = try await node.call("eth_newBlockFilter").stringValue!
        let busy = try await node.call("eth_newBlockFilter").stringValue!
        for _ in 0..<3 {
            clock.advance(200)
            try await node.call("eth_getFilterChanges", [.string(busy)])     // polled every 200 s: stays
        }
        assertEq(await node.error("eth_getFilterChanges", [.string(idle)])?.message, "filter not found", "idle 600 s > 5 min")
        try await node.call("evm_mine")
        assertEq(strings(try await node.call("eth_getFilterChanges", [.string(busy)])).count, 1)
        XCTAssertEqual(manager.count, 1)
        // Expiry also happens when blocks are mined and nobody calls filter methods.
        clock.advance(301)
        try await node.call("evm_mine")
        XCTAssertEqual(manager.count, 0)
    }

    func testFilterLimit() async throws {
        let manager = FilterManager(config: .init(maxFilters: 2))
        let node = try await ClientsNode(filters: manager)
        let a = try await node.call("eth_newBlockFilter").stringValue!
        try await node.call("eth_newPendingTransactionFilter")
        let e = await node.error("eth_newFilter", [.object([])])
        XCTAssertEqual(e?.code, -32005)
        XCTAssertTrue(e?.message.contains("too many filters") ?? false, e?.message ?? "")
        try await node.call("eth_uninstallFilter", [.string(a)])
        try await node.call("eth_newFilter", [.object([])])
    }

    func testBuffersAreBounded() async throws {
        let manager = FilterManager(config: .init(maxBuffered: 3))
        let node = try await ClientsNode(filters: manager)
        let id = try await node.call("eth_newBlockFilter").stringValue!
        try await node.call("anvil_mine", ["0xa"])
        assertEq(strings(try await node.call("eth_getFilterChanges", [.string(id)])),
                       [8, 9, 10].map { node.chain.reader.block(number: $0)!.hash.hex }, "the newest are kept")
    }

    /// evm_revert and anvil_reset: nothing above the new head is returned afterwards.
    func testReorganizationDropsStaleData() async throws {
        let node = try await ClientsNode()
        let blocks = try await node.call("eth_newBlockFilter").stringValue!
        let logs = try await node.call("eth_newFilter", [.object([("address", .address(ClientsNode.matic))])]).stringValue!
        try await node.maticTransfer(from: 0, to: bob, amount: 1)                  // block 1
        let snap = try await node.call("evm_snapshot")
        try await node.maticTransfer(from: 0, to: bob, amount: 2)                  // block 2 (reverted)
        try await node.maticTransfer(from: 0, to: bob, amount: 3)                  // block 3 (reverted)
        assertEq(try await node.call("evm_revert", [snap]), .bool(true))
        assertEq(strings(try await node.call("eth_getFilterChanges", [.string(blocks)])),
                       [node.chain.reader.block(number: 1)!.hash.hex])
        let l = try await node.call("eth_getFilterChanges", [.string(logs)]).arrayValue!
        XCTAssertEqual(l.map { $0["blockNumber"]?.stringValue }, ["0x1"])
        // The new block 2 is reported (it replaces the reverted one).
        let t = try await node.maticTransfer(from: 1, to: bob, amount: 4)
        let b2 = node.chain.reader.block(number: 2)!.hash.hex
        assertEq(strings(try await node.call("eth_getFilterChanges", [.string(blocks)])), [b2])
        assertEq(try await node.call("eth_getFilterChanges", [.string(logs)]).arrayValue?.map { $0["transactionHash"]?.stringValue }, [t.hex])

        try await node.maticTransfer(from: 1, to: bob, amount: 5)
        try await node.call("anvil_reset")
        assertEq(try await node.call("eth_getFilterChanges", [.string(blocks)]), [])
        assertEq(try await node.call("eth_getFilterChanges", [.string(logs)]), [])
        try await node.call("evm_mine")
        assertEq(strings(try await node.call("eth_getFilterChanges", [.string(blocks)])),
                       [node.chain.reader.block(number: 1)!.hash.hex])
    }
}

// MARK: - subscriptions

final class FilterSubscriptionTests: XCTestCase {
    /// Reads the next message a connection queued, or nil after `timeout` seconds.
    final class Inbox: @unchecked Sendable {  // `iterator` is used by one `next` call at a time (each test awaits it)
        let connection = QueuedConnection()
        private var iterator: AsyncStream<[UInt8]>.AsyncIterator
        init() { iterator = connection.outgoing.makeAsyncIterator() }

        func next(timeout: Double = 2) async -> JSON? {
            let box = UncheckedBox2(self)
            return await withTaskGroup(of: JSON?.self) { g in
                g.addTask { await box.value.read() }
                g.addTask { try? await Task.sleep(nanoseconds: UInt64(timeout * 1e9)); return nil }
                let first = await g.next()!
                g.cancelAll()
                return first
            }
        }
        private func read() async -> JSON? {
            guard let m = await iterator.next() else { return nil }
            return try? JSON.parse(m)
        }
    }

    func testNewHeadsAndLogs() async throws {
        let node = try await ClientsNode()
        let inbox = Inbox()
        let conn = inbox.connection
        let heads = try await node.call("eth_subscribe", ["newHeads"], connection: conn).stringValue!
        let logs = try await node.call("eth_subscribe", ["logs", .object([("address", .address(ClientsNode.matic)),
                                                                            ("topics", [.hash(ClientsNode.transferTopic)])])],
                                       connection: conn).stringValue!
        let none = try await node.call("eth_subscribe", ["logs", .object([("address", "0x0000000000000000000000000000000000000001")])],
                                       connection: conn).stringValue!
        XCTAssertNotEqual(heads, logs)
        let tx = try await node.maticTransfer(from: 0, to: Address(hex: "0x0000000000000000000000000000000000000b0b")!, amount: 3)
        var got: [String: [JSON]] = [:]
        for _ in 0..<2 {
            let m = try unwrap(await inbox.next())
            XCTAssertEqual(m["jsonrpc"], "2.0")
            XCTAssertEqual(m["method"], "eth_subscription")
            let sub = try XCTUnwrap(m["params"]?["subscription"]?.stringValue)
            got[sub, default: []].append(try XCTUnwrap(m["params"]?["result"]))
        }
        XCTAssertNil(got[none])
        let head = try XCTUnwrap(got[heads]?.first)
        let block = node.chain.reader.block(number: 1)!
        XCTAssertEqual(head["hash"], .string(block.hash.hex))
        XCTAssertEqual(head["number"], "0x1")
        XCTAssertEqual(head["parentHash"], .string(block.header.parentHash.hex))
        XCTAssertNotNil(head["baseFeePerGas"])
        XCTAssertNotNil(head["logsBloom"])
        XCTAssertNil(head["transactions"])
        let log = try XCTUnwrap(got[logs]?.first)
        XCTAssertEqual(log["transactionHash"], .string(tx.hex))
        XCTAssertEqual(log["logIndex"], "0x0")

        // Unsubscribe: nothing more for that id.
        assertEq(try await node.call("eth_unsubscribe", [.string(logs)], connection: conn), .bool(true))
        assertEq(try await node.call("eth_unsubscribe", [.string(logs)], connection: conn), .bool(false))
        try await node.maticTransfer(from: 0, to: Address(hex: "0x0000000000000000000000000000000000000b0b")!, amount: 3)
        let m = try unwrap(await inbox.next())
        XCTAssertEqual(m["params"]?["subscription"], .string(heads))
        assertNil(await inbox.next(timeout: 0.3))
    }

    func testPendingTransactionsSubscription() async throws {
        let node = try await ClientsNode(automine: false)
        let inbox = Inbox()
        let id = try await node.call("eth_subscribe", ["newPendingTransactions"], connection: inbox.connection).stringValue!
        let tx = try await node.maticTransfer(from: 0, to: Address(hex: "0x0000000000000000000000000000000000000b0b")!, amount: 3)
        let m = try unwrap(await inbox.next())
        XCTAssertEqual(m["params"]?["subscription"], .string(id))
        XCTAssertEqual(m["params"]?["result"], .string(tx.hex))
    }

    func testOwnershipLimitsAndClose() async throws {
        let node = try await ClientsNode(subscriptionLimit: 2)
        let subs = node.subscriptions
        let a = Inbox(), b = Inbox()
        let id = try await node.call("eth_subscribe", ["newHeads"], connection: a.connection).stringValue!
        try await node.call("eth_subscribe", ["newPendingTransactions"], connection: a.connection)
        assertEq(await node.error("eth_subscribe", ["newHeads"], connection: a.connection)?.code, -32005)
        try await node.call("eth_subscribe", ["newHeads"], connection: b.connection)   // the limit is per connection
        // Another connection cannot cancel it.
        assertEq(try await node.call("eth_unsubscribe", [.string(id)], connection: b.connection), .bool(false))
        XCTAssertEqual(subs.count, 3)
        a.connection.close()
        XCTAssertEqual(subs.count, 1, "closing a connection removes its subscriptions")
        b.connection.close()
        XCTAssertEqual(subs.count, 0)
        try await node.call("evm_mine")                        // nothing to deliver, nothing breaks
        // Subscribing on a closed connection leaves nothing behind.
        _ = try? await node.call("eth_subscribe", ["newHeads"], connection: a.connection)
        XCTAssertEqual(subs.count, 0)
    }

    func testErrors() async throws {
        let node = try await ClientsNode()
        let http = await node.error("eth_subscribe", ["newHeads"])
        XCTAssertEqual(http?.code, -32601)
        XCTAssertTrue(http?.message.contains("notifications not supported") ?? false)
        let inbox = Inbox()
        assertEq(await node.error("eth_subscribe", ["syncingg"], connection: inbox.connection)?.code, -32602)
        assertEq(await node.error("eth_subscribe", [], connection: inbox.connection)?.code, -32602)
        assertEq(await node.error("eth_subscribe", ["logs", .object([("address", "0x1")])], connection: inbox.connection)?.code, -32602)
        // fromBlock/toBlock bound the new blocks reported (as Anvil); with blockHash they are refused.
        _ = try await node.call("eth_subscribe", ["logs", .object([("fromBlock", "0x1"), ("toBlock", "0x5")])], connection: inbox.connection)
        assertEq(await node.error("eth_subscribe", ["logs", .object([("fromBlock", "0x1"), ("blockHash", .string("0x" + String(repeating: "11", count: 32)))])],
                                  connection: inbox.connection)?.code, -32602)
    }
}

final class UncheckedBox2<T>: @unchecked Sendable {  // hands `value` to one other task; the sender does not use it meanwhile
    let value: T
    init(_ v: T) { value = v }
}


// XCTest's assertions take autoclosures, which cannot `await`; these take plain values.
func assertEq<T: Equatable>(_ a: T, _ b: T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a, b, message, file: file, line: line)
}
func assertNotEq<T: Equatable>(_ a: T, _ b: T, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNotEqual(a, b, message, file: file, line: line)
}
func assertTrue(_ a: Bool, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(a, message, file: file, line: line)
}
func assertNil<T>(_ a: T?, _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNil(a, message, file: file, line: line)
}
func unwrap<T>(_ a: T?, file: StaticString = #filePath, line: UInt = #line) throws -> T {
    try XCTUnwrap(a, file: file, line: line)
}
