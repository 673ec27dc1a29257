import XCTest
import Foundation
import Primitives
@testable import EthCrypto
import EVM
import TestSupport

/// ethereum/tests TransactionTests: every file, each test at its latest listed fork.
final class TransactionVectorTests: XCTestCase {
    static let forkOrder = ["Frontier", "Homestead", "EIP150", "EIP158", "Byzantium", "Constantinople",
                            "ConstantinopleFix", "Istanbul", "Berlin", "London", "Paris", "Shanghai", "Cancun",
                            "Prague", "Osaka"]

    /// What the node does with a raw transaction before its state matters: decode, signature
    /// values, sender, then the EVM's stateless validation for chain 1 (the chain the vectors
    /// were filled for). Throws `TransactionError` or the EVM's `TxError`.
    static func process(_ raw: [UInt8], chainId: UInt64 = 1) throws -> (Transaction, Address) {
        let tx = try Transaction.decode(raw: raw)
        guard tx.hasValidSignatureValues else { throw TransactionError.invalidSignatureValues }
        let sender = try tx.recoverSender()
        try EVM.validateStateless(TxEnv(tx, sender: sender), chainId: chainId)
        return (tx, sender)
    }

    /// Whether `error` is a rejection for the reason the vector names: a decoding or signature
    /// `TransactionError`, or the EVM's `TxError` in geth's words.
    static func matches(_ exception: String, _ error: Error) -> Bool {
        let e = exception.replacingOccurrences(of: "TransactionException.", with: "")
        if let v = error as? TxError {
            let prefix: String
            switch e {
            case "NONCE_TOO_BIG": prefix = "nonce has max value: "
            case "GASLIMIT_PRICE_PRODUCT_OVERFLOW": return v.message.hasSuffix(" required balance exceeds 256 bits")
            case "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS_2": prefix = "max priority fee per gas higher than max fee per gas: "
            case "INITCODE_SIZE_EXCEEDED": prefix = "max initcode size exceeded: "
            case "INTRINSIC_GAS_TOO_LOW": prefix = "intrinsic gas too low: "
            case "INVALID_CHAINID": prefix = "invalid chain id for signer: "
            default: return false
            }
            return v.message.hasPrefix(prefix)
        }
        guard let error = error as? TransactionError else { return false }
        func rlp(_ fields: Set<TransactionField>, _ kinds: (RLPError) -> Bool) -> Bool {
            if case .rlp(let f, let k) = error { return fields.contains(f) && kinds(k) }
            return false
        }
        let tooLarge: (RLPError) -> Bool = { if case .integerTooLarge = $0 { return true }; return false }
        switch e {
        case "TYPE_NOT_SUPPORTED":
            if case .unsupportedType = error { return true }
            if case .invalidEnvelope = error { return true }
            return false
        case "ADDRESS_TOO_LONG", "ADDRESS_TOO_SHORT":
            if case .invalidAddressLength(let n) = error { return (n > 20) == (e == "ADDRESS_TOO_LONG") }
            return false
        case "RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_LONG", "RLP_INVALID_ACCESS_LIST_ADDRESS_TOO_SHORT":
            if case .invalidAccessListAddressLength(let n) = error { return (n > 20) == e.hasSuffix("LONG") }
            return false
        case "RLP_INVALID_ACCESS_LIST_STORAGE_TOO_LONG", "RLP_INVALID_ACCESS_LIST_STORAGE_TOO_SHORT":
            if case .invalidStorageKeyLength(let n) = error { return (n > 32) == e.hasSuffix("LONG") }
            return false
        case "NONCE_OVERFLOW": return rlp([.nonce], tooLarge)
        case "GASLIMIT_OVERFLOW": return rlp([.gasLimit], tooLarge)
        case "GASPRICE_OVERFLOW": return rlp([.gasPrice, .maxFeePerGas], tooLarge)
        case "PRIORITY_OVERFLOW": return rlp([.maxPriorityFeePerGas], tooLarge)
        case "VALUE_OVERFLOW": return rlp([.value], tooLarge)
        case "EC_RECOVERY_FAIL": return error == .invalidSender
        case "INVALID_CHAINID":
            if case .invalidV = error { return true }
            // The signature values are judged when the transaction is read, the chain id by the
            // EVM's validation after it: a transaction with bad values for another chain (the
            // V-overflow vectors) is refused for its values. geth judges the chain id first.
            if error == .invalidSignatureValues { return true }
            return false
        case "INVALID_SIGNATURE_VRS":
            if error == .invalidSignatureValues { return true }
            if case .invalidV = error { return true }
            return rlp([.r, .s], tooLarge)
        case "RLP_TOO_FEW_ELEMENTS", "RLP_TOO_MANY_ELEMENTS":
            if case .wrongFieldCount(let want, let got) = error { return (got < want) == e.hasSuffix("FEW_ELEMENTS") }
            return false
        case "RLP_INVALID_NONCE": return rlp([.nonce], { $0 == .expectedBytes })
        case "RLP_INVALID_GASLIMIT": return rlp([.gasLimit], { $0 == .expectedBytes })
        case "RLP_INVALID_TO": return rlp([.to], { $0 == .expectedBytes })
        case "RLP_INVALID_DATA": return rlp([.data], { $0 == .expectedBytes })
        case "RLP_INVALID_SIGNATURE_R": return rlp([.r], { $0 == .expectedBytes })
        case "RLP_INVALID_SIGNATURE_S": return rlp([.s], { $0 == .expectedBytes })
        case "RLP_LEADING_ZEROS_NONCE": return rlp([.nonce], { $0 == .leadingZeroInInteger })
        case "RLP_LEADING_ZEROS_NONCE_SIZE": return rlp([.nonce], { $0 == .nonCanonicalSingleByte })
        case "RLP_LEADING_ZEROS_GASLIMIT": return rlp([.gasLimit], { $0 == .leadingZeroInInteger })
        case "RLP_LEADING_ZEROS_GASPRICE": return rlp([.gasPrice], { $0 == .leadingZeroInInteger })
        case "RLP_LEADING_ZEROS_VALUE": return rlp([.value], { $0 == .leadingZeroInInteger })
        case "RLP_LEADING_ZEROS_V": return rlp([.v], { $0 == .leadingZeroInInteger })
        case "RLP_LEADING_ZEROS_R": return rlp([.r], { $0 == .leadingZeroInInteger })
        case "RLP_LEADING_ZEROS_S": return rlp([.s], { $0 == .leadingZeroInInteger })
        case "RLP_LEADING_ZEROS_BASEFEE": return rlp([.maxFeePerGas], { $0 == .leadingZeroInInteger })
        case "RLP_LEADING_ZEROS_PRIORITY_FEE": return rlp([.maxPriorityFeePerGas], { $0 == .leadingZeroInInteger })
        case "RLP_LEADING_ZEROS_DATA_SIZE": return rlp([.data], { $0 == .leadingZeroInLength })
        case "RLP_ERROR_SIZE_LEADING_ZEROS": return rlp([.transaction], { $0 == .leadingZeroInLength })
        case "RLP_ERROR_EOF", "RLP_ERROR_SIZE", "RLP_INVALID_HEADER":
            // Framing damage: any decode-stage rejection is the right kind.
            switch error {
            case .rlp, .wrongFieldCount, .invalidEnvelope, .invalidAddressLength, .emptyInput: return true
            default: return false
            }
        default: return false
        }
    }

    func testAllTransactionTests() throws {
        let dir = Vectors.root.appendingPathComponent("ethereum-tests/TransactionTests")
        let files = try XCTUnwrap(FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }
        XCTAssertEqual(files.count, 210)

        var valid = 0, validOK = 0, invalid = 0, rejected = 0, rightReason = 0
        var forks: [String: Int] = [:]
        var byType: [UInt8: Int] = [:]
        for file in files {
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
            for (name, value) in json {
                let test = try XCTUnwrap(value as? [String: Any])
                let result = try XCTUnwrap(test["result"] as? [String: [String: Any]])
                let known = result.keys.filter { Self.forkOrder.contains($0) }
                XCTAssertEqual(known.count, result.count, "unknown fork in \(name): \(result.keys)")
                let fork = try XCTUnwrap(known.max { Self.forkOrder.firstIndex(of: $0)! < Self.forkOrder.firstIndex(of: $1)! })
                forks[fork, default: 0] += 1
                let expect = result[fork]!
                let raw = try XCTUnwrap(Hex.decode(test["txbytes"] as! String), name)
                let label = "\(file.deletingLastPathComponent().lastPathComponent)/\(name) @\(fork)"

                if let exception = expect["exception"] as? String {
                    invalid += 1
                    do {
                        let (tx, sender) = try Self.process(raw)
                        XCTFail("\(label): accepted (\(exception)) type \(tx.type) sender \(sender)")
                    } catch {
                        rejected += 1
                        if Self.matches(exception, error) {
                            rightReason += 1
                        } else {
                            XCTFail("\(label): \(exception) rejected as \(error)")
                        }
                    }
                    continue
                }
                valid += 1
                do {
                    let (tx, sender) = try Self.process(raw)
                    byType[tx.type.rawValue, default: 0] += 1
                    var ok = true
                    if sender.hex != (expect["sender"] as? String)?.lowercased() {
                        XCTFail("\(label): sender \(sender.hex) ≠ \(expect["sender"] ?? "")"); ok = false
                    }
                    if tx.hash.hex != (expect["hash"] as? String)?.lowercased() {
                        XCTFail("\(label): hash \(tx.hash.hex) ≠ \(expect["hash"] ?? "")"); ok = false
                    }
                    if tx.encoded() != raw { XCTFail("\(label): re-encoding differs"); ok = false }
                    if let g = expect["intrinsicGas"] as? String, UInt256(hex: g) != UInt256(tx.intrinsicGas()) {
                        XCTFail("\(label): intrinsic gas \(tx.intrinsicGas()) ≠ \(g)"); ok = false
                    }
                    if ok { validOK += 1 }
                } catch {
                    XCTFail("\(label): valid transaction rejected: \(error)")
                }
            }
        }
        print("TransactionTests: forks \(forks); valid \(validOK)/\(valid) (by type \(byType)); "
              + "invalid rejected \(rejected)/\(invalid), for the named reason \(rightReason)/\(invalid)")
        XCTAssertEqual(valid + invalid, 210)
        XCTAssertEqual(validOK, valid)
        XCTAssertEqual(rejected, invalid)
    }

    // MARK: execution-apis test chain

    static let hiveChainId: UInt64 = 3_503_995_874_084_926

    /// Raw transactions and base fee of each block of execution-apis `tests/chain.rlp`.
    static func chainBlocks() throws -> [(number: UInt64, baseFee: UInt256?, txs: [[UInt8]])] {
        let data = try [UInt8](Data(contentsOf: Vectors.root.appendingPathComponent("execution-apis/tests/chain.rlp")))
        var r = RLPReader(data)
        var out: [(number: UInt64, baseFee: UInt256?, txs: [[UInt8]])] = []
        while !r.isAtEnd {
            var block = try r.readList()
            let header = try BlockHeader.decode(from: &block)
            var list = try block.readList()
            var txs: [[UInt8]] = []
            while !list.isAtEnd { txs.append(Array(try list.peekIsList() ? list.readRaw() : list.readBytes())) }
            out.append((header.number, header.baseFeePerGas, txs))
        }
        return out
    }

    /// Every transaction of the 54-block chain (legacy incl. pre-155 creation, types 1 and 2)
    /// decodes, re-encodes byte for byte, validates for the chain's id and recovers a known
    /// test account; blob and set-code transactions are refused by type.
    func testExecutionAPIsChainTransactions() throws {
        let accountsURL = Vectors.root.appendingPathComponent("execution-apis/tools/chain/accounts.json")
        let accounts = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: accountsURL)) as? [String: Any])
        let known = Set(accounts.keys.map { $0.lowercased() })
        var counts: [String: Int] = [:]
        for block in try Self.chainBlocks() {
            for raw in block.txs {
                do {
                    let (tx, from) = try Self.process(raw, chainId: Self.hiveChainId)
                    XCTAssertEqual(tx.encoded(), raw)
                    XCTAssertTrue(known.contains(from.hex), "block \(block.number): sender \(from.hex) not a test account")
                    counts["type\(tx.type.rawValue)\(tx.chainId == nil ? " pre-155" : "")", default: 0] += 1
                } catch TransactionError.unsupportedType(let t) {
                    XCTAssertTrue(t == 3 || t == 4)
                    counts["refused type \(t)", default: 0] += 1
                }
            }
        }
        print("execution-apis chain transactions: \(counts.sorted { $0.key < $1.key })")
        XCTAssertEqual(counts["type1"], 23)
        XCTAssertEqual(counts["type2"], 23)
        XCTAssertEqual(counts["refused type 3"], 6)
        XCTAssertEqual(counts["refused type 4"], 1)
        XCTAssertEqual((counts["type0"] ?? 0) + (counts["type0 pre-155"] ?? 0), 196)
        XCTAssertGreaterThan(counts["type0 pre-155"] ?? 0, 0)
    }

    /// Field by field against eth_getTransactionByHash answers of the same chain.
    func testAgainstRPCTransactionObjects() throws {
        let blocks = try Self.chainBlocks()
        for name in ["get-legacy-tx", "get-legacy-create", "get-legacy-input", "get-access-list", "get-dynamic-fee"] {
            let text = try String(contentsOf: Vectors.root.appendingPathComponent(
                "execution-apis/tests/eth_getTransactionByHash/\(name).io"), encoding: .utf8)
            let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("<< ") })
            let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.dropFirst(3).utf8)) as? [String: Any])
            let j = try XCTUnwrap(obj["result"] as? [String: Any])
            func q(_ k: String) -> UInt256? { (j[k] as? String).flatMap { UInt256(hex: $0) } }
            let block = try XCTUnwrap(blocks.first { UInt256($0.number) == q("blockNumber") })
            let tx = try Transaction.decode(raw: block.txs[q("transactionIndex")!.int!])
            XCTAssertEqual(tx.hash.hex, j["hash"] as? String, name)
            XCTAssertEqual(try tx.recoverSender().hex, j["from"] as? String, name)
            XCTAssertEqual(UInt256(UInt64(tx.type.rawValue)), q("type"), name)
            XCTAssertEqual(UInt256(tx.nonce), q("nonce"), name)
            XCTAssertEqual(UInt256(tx.gasLimit), q("gas"), name)
            XCTAssertEqual(tx.to?.hex, j["to"] as? String, name)
            XCTAssertEqual(tx.value, q("value"), name)
            XCTAssertEqual(tx.data.hex, j["input"] as? String, name)
            XCTAssertEqual(tx.v, q("v"), name)
            XCTAssertEqual(tx.r, q("r"), name)
            XCTAssertEqual(tx.s, q("s"), name)
            XCTAssertEqual(tx.effectiveGasPrice(baseFee: block.baseFee ?? .zero), q("gasPrice"), name)
            if tx.type != .legacy {
                XCTAssertEqual(tx.chainId.map { UInt256($0) }, q("chainId"), name)
                XCTAssertEqual(UInt256(UInt64(tx.yParity)), q("yParity"), name)
                let list = try XCTUnwrap(j["accessList"] as? [[String: Any]])
                XCTAssertEqual(tx.accessList.map { $0.address.hex }, list.map { $0["address"] as! String }, name)
                XCTAssertEqual(tx.accessList.map { $0.storageKeys.map(\.hex) }, list.map { $0["storageKeys"] as! [String] }, name)
            }
            if tx.type == .dynamicFee {
                XCTAssertEqual(tx.maxFeePerGas, q("maxFeePerGas"), name)
                XCTAssertEqual(tx.maxPriorityFeePerGas, q("maxPriorityFeePerGas"), name)
                XCTAssertEqual(tx.priorityFee(baseFee: block.baseFee!), q("maxPriorityFeePerGas"), name)
            }
        }
    }

    // MARK: round trips through signing

    static let key = Hex.decode("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")!
    static let to = Address(hex: "0x095e7baea6a6c7c4c2dfeb977efac326af552d87")!

    func testSignDecodeRecoverAllTypes() throws {
        let me = try Secp256k1.address(privateKey: Self.key)
        let list = [AccessListEntry(address: Self.to, storageKeys: [Hash(UInt256(1)), Hash(UInt256(2))])]
        let unsigned: [Transaction] = [
            .legacy(chainId: nil, nonce: 0, gasPrice: 1_000_000_000, gasLimit: 21_000, to: Self.to, value: 1, data: []),
            .legacy(chainId: 31337, nonce: 7, gasPrice: 2_000_000_000, gasLimit: 50_000, to: Self.to, value: 0,
                    data: [0xa9, 0x05, 0x9c, 0xbb, 0, 0]),
            .accessList(chainId: 31337, nonce: 1, gasPrice: 3, gasLimit: 60_000, to: Self.to, value: 5, data: [1],
                        accessList: list),
            .dynamicFee(chainId: 31337, nonce: UInt64.max - 1, maxPriorityFeePerGas: 1_000_000_000,
                        maxFeePerGas: 30_000_000_000, gasLimit: 100_000, to: Self.to, value: .max,
                        data: [UInt8](repeating: 0xee, count: 300), accessList: list),
            .dynamicFee(chainId: 31337, nonce: 0, maxPriorityFeePerGas: 0, maxFeePerGas: 1, gasLimit: 60_000,
                        to: nil, value: 0, data: [0x60, 0x00]),
        ]
        for u in unsigned {
            let tx = try u.signed(privateKey: Self.key)
            let raw = tx.encoded()
            let back = try Transaction.decode(raw: raw)
            XCTAssertEqual(back, tx)
            XCTAssertEqual(back.encoded(), raw)
            XCTAssertEqual(try back.recoverSender(), me)
            XCTAssertEqual(back.hash, Hash.keccak(raw))
            XCTAssertNoThrow(try Self.process(raw, chainId: 31337))
            if back.chainId != nil {
                XCTAssertThrowsError(try Self.process(raw, chainId: 1)) {
                    XCTAssertEqual(($0 as? TxError)?.message, "invalid chain id for signer: have 31337 want 1")
                }
            }
            // A signature for another chain id recovers someone else.
            if tx.type == .legacy, tx.chainId != nil {
                var other = back
                other.chainId = 1
                XCTAssertNotEqual(try? other.recoverSender(), me)
            }
        }
    }

    func testBasicTestsSignedLegacy() throws {
        // BasicTests/txtest.json: pre-EIP-155 legacy transactions signed with a given key
        // (RFC 6979 nonces; the second was signed before low-s was required).
        let url = Vectors.root.appendingPathComponent("ethereum-tests/BasicTests/txtest.json")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [[String: Any]])
        XCTAssertEqual(json.count, 2)
        for c in json {
            let key = try XCTUnwrap(Hex.decode(c["key"] as! String))
            let toText = c["to"] as! String
            let tx = Transaction.legacy(
                chainId: nil, nonce: (c["nonce"] as! NSNumber).uint64Value,
                gasPrice: UInt256((c["gasprice"] as! NSNumber).uint64Value),
                gasLimit: (c["startgas"] as! NSNumber).uint64Value,
                to: toText.isEmpty ? nil : Address(hex: toText), value: UInt256((c["value"] as! NSNumber).uint64Value),
                data: Hex.decode(c["data"] as! String)!)
            XCTAssertEqual(Hex.encode(tx.encodedUnsignedForTest, prefix: false), c["unsigned"] as? String)

            let expected = try Transaction.decode(raw: Hex.decode(c["signed"] as! String)!)
            XCTAssertEqual(expected.signingHash, tx.signingHash)
            XCTAssertEqual(Secp256k1.recover(hash: expected.signingHash, r: expected.r, s: expected.s,
                                             recoveryId: expected.yParity),
                           try Secp256k1.address(privateKey: key))
            let mine = try tx.signed(privateKey: key)
            XCTAssertEqual(mine.r, expected.r)
            if expected.s <= Transaction.secp256k1HalfN {
                XCTAssertEqual(mine.encoded(), expected.encoded())
                XCTAssertEqual(try expected.recoverSender(), try Secp256k1.address(privateKey: key))
            } else {
                XCTAssertEqual(mine.s, Transaction.secp256k1N - expected.s)
                XCTAssertThrowsError(try expected.recoverSender()) // high s: refused since Homestead
            }
        }
    }

    func testSignatureRules() throws {
        let tx = try Transaction.legacy(chainId: 1, nonce: 0, gasPrice: 1, gasLimit: 21_000, to: Self.to, value: 0, data: [])
            .signed(privateKey: Self.key)
        XCTAssertLessThanOrEqual(tx.s, Transaction.secp256k1HalfN)
        // The high-s twin of a valid signature recovers the same key but is refused (EIP-2).
        let high = tx.withSignature(r: tx.r, s: Transaction.secp256k1N - tx.s, yParity: tx.yParity ^ 1)
        XCTAssertEqual(Secp256k1.recover(hash: high.signingHash, r: high.r, s: high.s, recoveryId: high.yParity),
                       try tx.recoverSender())
        XCTAssertThrowsError(try high.recoverSender()) { XCTAssertEqual($0 as? TransactionError, .invalidSignatureValues) }
        XCTAssertThrowsError(try Self.process(high.encoded())) { XCTAssertEqual($0 as? TransactionError, .invalidSignatureValues) }
        XCTAssertThrowsError(try tx.withSignature(r: .zero, s: tx.s, yParity: 0).recoverSender())
        XCTAssertThrowsError(try tx.withSignature(r: Transaction.secp256k1N, s: tx.s, yParity: 0).recoverSender())
    }
}

extension Transaction {
    /// RLP of the legacy fields with v = r = s = 0 (what BasicTests calls `unsigned`).
    fileprivate var encodedUnsignedForTest: [UInt8] {
        var w = RLPWriter()
        w.list { w in
            w.write(nonce); w.write(gasPrice); w.write(gasLimit); w.write(to); w.write(value); w.write(bytes: data)
            w.write(UInt64(0)); w.write(UInt64(0)); w.write(UInt64(0))
        }
        return w.bytes
    }
}
