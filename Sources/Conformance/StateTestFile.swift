import Foundation
import Primitives
import EthCrypto
import EVM

// ethereum/tests GeneralStateTests, as filled by retesteth / the execution-spec-tests filler:
// one JSON object per file, test name → { env, pre, transaction, post: { fork: [entry…] } }.
// Every number is a hex string ("0x…"); a value that does not fit is written "0x:bigint 0x…".

/// Why a state-test file could not be read.
public struct StateTestFormatError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A parsed state-test file: its tests, sorted by name (JSON objects have no order).
public struct StateTestFile: Sendable {
    public var tests: [(name: String, test: StateTest)]

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw StateTestFormatError("cannot read: \(error.localizedDescription)")
        }
        try self.init(json: data)
    }

    public init(json data: Data) throws {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw StateTestFormatError("invalid JSON: \(error.localizedDescription)")
        }
        guard let obj = root as? [String: Any] else { throw StateTestFormatError("top level is not an object") }
        var tests: [(String, StateTest)] = []
        for (name, value) in obj {
            guard let t = value as? [String: Any] else { throw StateTestFormatError("\(name): not an object") }
            do { tests.append((name, try StateTest(json: t))) } catch let e as StateTestFormatError {
                throw StateTestFormatError("\(name): \(e.message)")
            }
        }
        self.tests = tests.sorted { $0.0 < $1.0 }.map { (name: $0.0, test: $0.1) }
    }
}

/// One test: a pre-state, a block, a transaction template and the expected outcomes per fork.
public struct StateTest: Sendable {
    public var env: StateTestEnv
    public var pre: [Address: StateTestAccount]
    public var transaction: StateTestTransaction
    /// Fork name → expected outcomes, one per (data, gas, value) index combination.
    public var post: [String: [StateTestPost]]

    public init(env: StateTestEnv, pre: [Address: StateTestAccount], transaction: StateTestTransaction,
                post: [String: [StateTestPost]]) {
        self.env = env; self.pre = pre; self.transaction = transaction; self.post = post
    }

    init(json t: [String: Any]) throws {
        env = try StateTestEnv(json: try field(t, "env"))
        let preJSON: [String: Any] = try field(t, "pre")
        var pre: [Address: StateTestAccount] = [:]
        for (a, v) in preJSON {
            guard let addr = Address(hex: a) else { throw StateTestFormatError("pre: bad address \(a)") }
            guard let acct = v as? [String: Any] else { throw StateTestFormatError("pre.\(a): not an object") }
            do { pre[addr] = try StateTestAccount(json: acct) } catch let e as StateTestFormatError {
                throw StateTestFormatError("pre.\(a): \(e.message)")
            }
        }
        self.pre = pre
        transaction = try StateTestTransaction(json: try field(t, "transaction"))
        let postJSON: [String: Any] = try field(t, "post")
        var post: [String: [StateTestPost]] = [:]
        for (fork, v) in postJSON {
            guard let list = v as? [Any] else { throw StateTestFormatError("post.\(fork): not a list") }
            post[fork] = try list.enumerated().map { i, e in
                guard let o = e as? [String: Any] else { throw StateTestFormatError("post.\(fork)[\(i)]: not an object") }
                do { return try StateTestPost(json: o) } catch let e as StateTestFormatError {
                    throw StateTestFormatError("post.\(fork)[\(i)]: \(e.message)")
                }
            }
        }
        self.post = post
    }
}

/// The block the transaction runs in.
public struct StateTestEnv: Sendable {
    public var coinbase: Address
    public var gasLimit: UInt64
    public var number: UInt64
    public var timestamp: UInt64
    /// nil when absent (pre-London files); the runner then uses 10, as geth does.
    public var baseFee: UInt256?
    /// currentRandom (post-merge); nil when absent.
    public var random: Hash?
    public var difficulty: UInt256
    public var excessBlobGas: UInt64?

    public init(coinbase: Address, gasLimit: UInt64, number: UInt64, timestamp: UInt64, baseFee: UInt256?,
                random: Hash?, difficulty: UInt256 = .zero, excessBlobGas: UInt64?) {
        self.coinbase = coinbase; self.gasLimit = gasLimit; self.number = number; self.timestamp = timestamp
        self.baseFee = baseFee; self.random = random; self.difficulty = difficulty; self.excessBlobGas = excessBlobGas
    }

    init(json e: [String: Any]) throws {
        coinbase = try address(try field(e, "currentCoinbase"), "currentCoinbase")
        gasLimit = try uint64(try field(e, "currentGasLimit"), "currentGasLimit")
        number = try uint64(try field(e, "currentNumber"), "currentNumber")
        timestamp = try uint64(try field(e, "currentTimestamp"), "currentTimestamp")
        baseFee = try (e["currentBaseFee"] as? String).map { try uint256($0, "currentBaseFee") }
        random = try (e["currentRandom"] as? String).map { Hash(try uint256($0, "currentRandom")) }
        difficulty = try (e["currentDifficulty"] as? String).map { try uint256($0, "currentDifficulty") } ?? .zero
        excessBlobGas = try (e["currentExcessBlobGas"] as? String).map { try uint64($0, "currentExcessBlobGas") }
    }

    /// EIP-4844 blob base fee: fake_exponential(1, excessBlobGas, 3 338 477); 1 without blobs.
    public var blobBaseFee: UInt256 { StateTestEnv.fakeExponential(factor: .one, numerator: UInt256(excessBlobGas ?? 0),
                                                                   denominator: UInt256(UInt64(3_338_477))) }

    /// EIP-4844's integer approximation of factor · e^(numerator / denominator). Saturates at
    /// 2^256 − 1 (an excess that large is far beyond any blob test).
    public static func fakeExponential(factor: UInt256, numerator: UInt256, denominator: UInt256) -> UInt256 {
        var i = UInt256.one
        var output = UInt256.zero
        guard var acc = factor.checkedMul(denominator) else { return .max }
        while !acc.isZero {
            guard let o = output.checkedAdd(acc) else { return .max }
            output = o
            guard let m = acc.checkedMul(numerator), let d = denominator.checkedMul(i) else { return .max }
            acc = m / d
            i = i &+ .one
        }
        return output / denominator
    }

    /// geth's vmTestBlockHash: keccak256 of the block number's decimal digits.
    public static func testBlockHash(_ n: UInt64) -> Hash { Hash.keccak(Array(String(n).utf8)) }

    /// The EVM's view of this block (chain id 1, as in the tests); BLOCKHASH answers the 256
    /// blocks below `number` with `testBlockHash`.
    public var blockContext: BlockContext {
        let current = number
        return BlockContext(number: number, timestamp: timestamp, coinbase: coinbase, gasLimit: gasLimit,
                            baseFee: baseFee ?? UInt256(10), prevRandao: random ?? Hash(difficulty), chainId: 1,
                            blobBaseFee: blobBaseFee,
                            blockHash: { n in
                                guard n < current, current - n <= 256 else { return nil }
                                return StateTestEnv.testBlockHash(n)
                            })
    }
}

/// A pre-state account.
public struct StateTestAccount: Equatable, Sendable {
    public var balance: UInt256
    public var nonce: UInt64
    public var code: [UInt8]
    /// Zero values are kept as written (a zero slot is the same as an absent one).
    public var storage: [UInt256: UInt256]

    public init(balance: UInt256 = .zero, nonce: UInt64 = 0, code: [UInt8] = [], storage: [UInt256: UInt256] = [:]) {
        self.balance = balance; self.nonce = nonce; self.code = code; self.storage = storage
    }

    init(json a: [String: Any]) throws {
        balance = try uint256(try field(a, "balance"), "balance")
        nonce = try uint64(try field(a, "nonce"), "nonce")
        code = try bytes(try field(a, "code"), "code")
        var storage: [UInt256: UInt256] = [:]
        if let s = a["storage"] {
            guard let s = s as? [String: Any] else { throw StateTestFormatError("storage: not an object") }
            for (k, v) in s {
                guard let v = v as? String else { throw StateTestFormatError("storage.\(k): not a string") }
                storage[try uint256(k, "storage key")] = try uint256(v, "storage.\(k)")
            }
        }
        self.storage = storage
    }
}

/// The transaction template: `data`, `gasLimit` and `value` are lists that a post entry's
/// `indexes` pick from; `accessLists` (when present) goes with the data index.
public struct StateTestTransaction: Sendable {
    public var data: [[UInt8]]
    public var gasLimit: [UInt64]
    /// nil where the value does not fit 256 bits (a transaction no encoder can write).
    public var value: [UInt256?]
    public var nonce: UInt64
    /// nil: contract creation ("to": "").
    public var to: Address?
    public var sender: Address
    public var secretKey: [UInt8]?
    public var gasPrice: UInt256?
    public var maxFeePerGas: UInt256?
    public var maxPriorityFeePerGas: UInt256?
    /// One per data index (nil entries: none), or nil for transactions without access lists.
    public var accessLists: [[AccessListEntry]?]?
    public var blobVersionedHashes: [Hash]?
    public var maxFeePerBlobGas: UInt256?

    public init(data: [[UInt8]], gasLimit: [UInt64], value: [UInt256?], nonce: UInt64, to: Address?, sender: Address,
                secretKey: [UInt8]? = nil, gasPrice: UInt256? = nil, maxFeePerGas: UInt256? = nil,
                maxPriorityFeePerGas: UInt256? = nil, accessLists: [[AccessListEntry]?]? = nil,
                blobVersionedHashes: [Hash]? = nil, maxFeePerBlobGas: UInt256? = nil) {
        self.data = data; self.gasLimit = gasLimit; self.value = value; self.nonce = nonce; self.to = to
        self.sender = sender; self.secretKey = secretKey; self.gasPrice = gasPrice; self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas; self.accessLists = accessLists
        self.blobVersionedHashes = blobVersionedHashes; self.maxFeePerBlobGas = maxFeePerBlobGas
    }

    init(json t: [String: Any]) throws {
        let dataJSON: [Any] = try field(t, "data")
        data = try dataJSON.map { v in
            guard let s = v as? String else { throw StateTestFormatError("data: not a string") }
            return try bytes(s, "data")
        }
        let gasJSON: [Any] = try field(t, "gasLimit")
        gasLimit = try gasJSON.map { v in
            guard let s = v as? String else { throw StateTestFormatError("gasLimit: not a string") }
            return try uint64(s, "gasLimit")
        }
        let valueJSON: [Any] = try field(t, "value")
        value = try valueJSON.map { v in
            guard let s = v as? String else { throw StateTestFormatError("value: not a string") }
            return try bigValue(s, "value")
        }
        nonce = try uint64(try field(t, "nonce"), "nonce")
        let toText: String = try field(t, "to")
        to = toText.isEmpty ? nil : try address(toText, "to")
        if let k = t["secretKey"] as? String {
            let key = try bytes(k, "secretKey")
            guard key.count == 32 else { throw StateTestFormatError("secretKey: not 32 bytes") }
            secretKey = key
        }
        if let s = t["sender"] as? String, !s.isEmpty {
            sender = try address(s, "sender")
        } else if let key = secretKey {
            do { sender = try Secp256k1.address(privateKey: key) } catch {
                throw StateTestFormatError("secretKey: \(error)")
            }
        } else {
            throw StateTestFormatError("transaction: neither sender nor secretKey")
        }
        gasPrice = try (t["gasPrice"] as? String).map { try uint256($0, "gasPrice") }
        maxFeePerGas = try (t["maxFeePerGas"] as? String).map { try uint256($0, "maxFeePerGas") }
        maxPriorityFeePerGas = try (t["maxPriorityFeePerGas"] as? String).map { try uint256($0, "maxPriorityFeePerGas") }
        guard gasPrice != nil || maxFeePerGas != nil else {
            throw StateTestFormatError("transaction: neither gasPrice nor maxFeePerGas")
        }
        if let lists = t["accessLists"] {
            guard let lists = lists as? [Any] else { throw StateTestFormatError("accessLists: not a list") }
            accessLists = try lists.map { l -> [AccessListEntry]? in
                if l is NSNull { return nil }
                guard let entries = l as? [Any] else { throw StateTestFormatError("accessLists: entry not a list") }
                return try entries.map { e in
                    guard let o = e as? [String: Any] else { throw StateTestFormatError("accessLists: entry not an object") }
                    let keys: [Any] = try field(o, "storageKeys")
                    return AccessListEntry(address: try address(try field(o, "address"), "accessList address"),
                                           storageKeys: try keys.map { k in
                                               guard let k = k as? String else { throw StateTestFormatError("storageKeys: not a string") }
                                               return Hash(try uint256(k, "storage key"))
                                           })
                }
            }
        }
        if let hashes = t["blobVersionedHashes"] {
            guard let hashes = hashes as? [Any] else { throw StateTestFormatError("blobVersionedHashes: not a list") }
            blobVersionedHashes = try hashes.map { h in
                guard let h = h as? String, let v = Hash(hex: h) else { throw StateTestFormatError("blobVersionedHashes: bad hash") }
                return v
            }
        }
        maxFeePerBlobGas = try (t["maxFeePerBlobGas"] as? String).map { try uint256($0, "maxFeePerBlobGas") }
    }

    /// A transaction that cannot even be encoded (so no client would execute it).
    public struct Unencodable: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The transaction for one post entry's indexes. Throws `Unencodable` for a value beyond 256
    /// bits or a blob transaction without a recipient (type 3 has no creation form); a bad
    /// index throws `StateTestFormatError`.
    public func txEnv(_ ix: StateTestPost.Indexes) throws -> TxEnv {
        guard data.indices.contains(ix.data), gasLimit.indices.contains(ix.gas), value.indices.contains(ix.value) else {
            throw StateTestFormatError("indexes \(ix.data)/\(ix.gas)/\(ix.value) out of range")
        }
        guard let v = value[ix.value] else { throw Unencodable(description: "rlp: value exceeds 256 bits") }
        let isBlob = blobVersionedHashes != nil || maxFeePerBlobGas != nil
        if isBlob && to == nil { throw Unencodable(description: "blob transaction cannot be a contract creation") }
        // Legacy and type-1: the gas price is both fee cap and tip.
        let feeCap = maxFeePerGas ?? gasPrice ?? .zero
        let tip = maxPriorityFeePerGas ?? feeCap
        var list: [AccessListEntry] = []
        if let lists = accessLists, lists.indices.contains(ix.data), let l = lists[ix.data] { list = l }
        return TxEnv(caller: sender, to: to, nonce: nonce, value: v, data: data[ix.data], gasLimit: gasLimit[ix.gas],
                     maxFeePerGas: feeCap, maxPriorityFeePerGas: tip, accessList: list,
                     blobHashes: blobVersionedHashes ?? [], maxFeePerBlobGas: isBlob ? (maxFeePerBlobGas ?? .zero) : nil)
    }
}

/// One expected outcome.
public struct StateTestPost: Sendable {
    public struct Indexes: Hashable, Sendable {
        public var data: Int, gas: Int, value: Int
        public init(data: Int, gas: Int, value: Int) { self.data = data; self.gas = gas; self.value = value }
    }
    /// Post-state root.
    public var hash: Hash
    /// keccak256(RLP(logs)).
    public var logs: Hash
    public var indexes: Indexes
    /// Set when the transaction is invalid (e.g. "TransactionException.INTRINSIC_GAS_TOO_LOW").
    public var expectException: String?

    public init(hash: Hash, logs: Hash, indexes: Indexes, expectException: String? = nil) {
        self.hash = hash; self.logs = logs; self.indexes = indexes; self.expectException = expectException
    }

    init(json p: [String: Any]) throws {
        guard let h = Hash(hex: try field(p, "hash")) else { throw StateTestFormatError("hash: not 32 bytes") }
        guard let l = Hash(hex: try field(p, "logs")) else { throw StateTestFormatError("logs: not 32 bytes") }
        hash = h; logs = l
        let ix: [String: Any] = try field(p, "indexes")
        func index(_ k: String) throws -> Int {
            guard let n = ix[k] as? NSNumber, n.intValue >= 0 else { throw StateTestFormatError("indexes.\(k): not a number") }
            return n.intValue
        }
        indexes = Indexes(data: try index("data"), gas: try index("gas"), value: try index("value"))
        if let e = p["expectException"] as? String, !e.isEmpty { expectException = e }
    }
}

// MARK: - field helpers

private func field<T>(_ o: [String: Any], _ k: String) throws -> T {
    guard let v = o[k] else { throw StateTestFormatError("missing \(k)") }
    guard let t = v as? T else { throw StateTestFormatError("\(k): unexpected type") }
    return t
}

/// Hex ("0x…", any length of digits) or decimal.
private func uint256(_ s: String, _ what: String) throws -> UInt256 {
    let v: UInt256?
    if s.hasPrefix("0x") || s.hasPrefix("0X") { v = s.count == 2 ? .zero : UInt256(hex: s) } else { v = UInt256(decimal: s) }
    guard let v else { throw StateTestFormatError("\(what): bad number \(s.prefix(80))") }
    return v
}

private func uint64(_ s: String, _ what: String) throws -> UInt64 {
    guard let v = try uint256(s, what).uint64 else { throw StateTestFormatError("\(what): exceeds 64 bits") }
    return v
}

/// A number that may be written "0x:bigint 0x…" and may exceed 256 bits (nil then).
private func bigValue(_ s: String, _ what: String) throws -> UInt256? {
    var text = s
    if text.hasPrefix("0x:bigint ") { text = String(text.dropFirst("0x:bigint ".count)) }
    let digits = text.hasPrefix("0x") ? text.dropFirst(2) : Substring(text)
    if text.hasPrefix("0x"), digits.drop(while: { $0 == "0" }).count > 64, digits.allSatisfy(\.isHexDigit) { return nil }
    return try uint256(text, what)
}

private func bytes(_ s: String, _ what: String) throws -> [UInt8] {
    guard let b = Hex.decode(s) else { throw StateTestFormatError("\(what): bad hex \(s.prefix(80))") }
    return b
}

private func address(_ s: String, _ what: String) throws -> Address {
    guard let a = Address(hex: s) else { throw StateTestFormatError("\(what): bad address \(s)") }
    return a
}
