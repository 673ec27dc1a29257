/// Transaction envelope types stakenet decodes.
public enum TransactionType: UInt8, Hashable, Sendable {
    /// Untyped RLP list, with (EIP-155) or without a chain id.
    case legacy = 0
    /// EIP-2930.
    case accessList = 1
    /// EIP-1559.
    case dynamicFee = 2
}

/// One EIP-2930 access-list entry.
public struct AccessListEntry: Hashable, Sendable {
    public var address: Address
    public var storageKeys: [Hash]

    public init(address: Address, storageKeys: [Hash]) {
        self.address = address; self.storageKeys = storageKeys
    }
}

/// Names the transaction field an RLP error was found in.
public enum TransactionField: String, Hashable, Sendable {
    case transaction, chainId, nonce, gasPrice, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data
    case accessList, v, yParity, r, s
}

/// Why a transaction could not be read: while decoding (`Transaction.decode`) or when
/// recovering its sender (signature values, recovery). Whether a readable transaction is valid
/// is the EVM's validation alone (`EVM.validate`, throwing its `TxError`).
/// `description` uses geth's wording where geth has one.
public enum TransactionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No bytes.
    case emptyInput
    /// First byte 0x80–0xbf: neither a type byte nor an RLP list.
    case invalidEnvelope(UInt8)
    /// A type byte stakenet does not accept (3 = blob, 4 = set-code, or unknown).
    case unsupportedType(UInt8)
    /// Malformed RLP in the named field.
    case rlp(TransactionField, RLPError)
    /// The transaction list has the wrong number of fields.
    case wrongFieldCount(expected: Int, got: Int)
    /// `to` is neither empty nor 20 bytes.
    case invalidAddressLength(Int)
    /// An access-list entry is not `[address, [keys…]]`.
    case invalidAccessListEntry
    /// An access-list address is not 20 bytes.
    case invalidAccessListAddressLength(Int)
    /// An access-list storage key is not 32 bytes.
    case invalidStorageKeyLength(Int)
    /// Legacy v not in {27, 28} ∪ [35, …) (or its chain id beyond 64 bits); typed yParity not 0/1.
    case invalidV(UInt256)
    /// r or s zero or ≥ n, or s > n/2 (homestead low-s rule).
    case invalidSignatureValues
    /// No public key recovers from the signature.
    case invalidSender

    public var description: String {
        switch self {
        case .emptyInput: return "typed transaction too short"
        case .invalidEnvelope: return "transaction type not supported"
        case .unsupportedType(let t):
            switch t {
            case 3: return "transaction type not supported: blob transactions (type 3)"
            case 4: return "transaction type not supported: set-code transactions (type 4)"
            default: return "transaction type not supported"
            }
        case .rlp(let f, let e): return "rlp: \(e) for \(f.rawValue)"
        case .wrongFieldCount(let expected, let got):
            return got < expected ? "rlp: too few elements for transaction" : "rlp: input list has too many elements for transaction"
        case .invalidAddressLength(let n):
            return n > 20 ? "rlp: input string too long for common.Address" : "rlp: input string too short for common.Address"
        case .invalidAccessListEntry: return "rlp: invalid access list entry"
        case .invalidAccessListAddressLength(let n):
            return n > 20 ? "rlp: input string too long for common.Address, decoding into accessList"
                : "rlp: input string too short for common.Address, decoding into accessList"
        case .invalidStorageKeyLength(let n):
            return n > 32 ? "rlp: input string too long for common.Hash, decoding into accessList"
                : "rlp: input string too short for common.Hash, decoding into accessList"
        case .invalidV, .invalidSignatureValues: return "invalid transaction v, r, s values"
        case .invalidSender: return "invalid sender"
        }
    }
}

/// A signed (or not yet signed) transaction of type 0, 1 or 2.
///
/// Fees are stored as `maxFeePerGas` / `maxPriorityFeePerGas`; for legacy and type-1
/// transactions both equal the gas price (`gasPrice` reads and writes them together), which
/// is how EIP-1559 treats those types.
public struct Transaction: Hashable, Sendable {
    public var type: TransactionType
    /// Nil only for a legacy transaction signed before EIP-155 (v = 27/28).
    public var chainId: UInt64?
    public var nonce: UInt64
    public var maxPriorityFeePerGas: UInt256
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt64
    /// Nil for contract creation.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    /// Always empty for legacy transactions.
    public var accessList: [AccessListEntry]
    /// Parity of R.y: 0 or 1.
    public var yParity: UInt8
    public var r: UInt256
    public var s: UInt256

    /// secp256k1 curve order n.
    public static let secp256k1N = UInt256(w0: 0xBFD25E8CD0364141, w1: 0xBAAEDCE6AF48A03B,
                                           w2: 0xFFFFFFFFFFFFFFFE, w3: 0xFFFFFFFFFFFFFFFF)
    /// ⌊n / 2⌋, the largest s allowed since Homestead.
    public static let secp256k1HalfN = UInt256(w0: 0xDFE92F46681B20A0, w1: 0x5D576E7357A4501D,
                                               w2: 0xFFFFFFFFFFFFFFFF, w3: 0x7FFFFFFFFFFFFFFF)
    /// Any transaction, unsigned (r = s = 0) unless a signature is given.
    public init(type: TransactionType, chainId: UInt64?, nonce: UInt64,
                maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256, gasLimit: UInt64,
                to: Address?, value: UInt256, data: [UInt8], accessList: [AccessListEntry] = [],
                yParity: UInt8 = 0, r: UInt256 = .zero, s: UInt256 = .zero) {
        self.type = type; self.chainId = chainId; self.nonce = nonce
        self.maxPriorityFeePerGas = maxPriorityFeePerGas; self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit; self.to = to; self.value = value; self.data = data
        self.accessList = accessList; self.yParity = yParity; self.r = r; self.s = s
    }

    /// An unsigned legacy transaction (chainId nil = pre-EIP-155 signing).
    public static func legacy(chainId: UInt64?, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64,
                              to: Address?, value: UInt256, data: [UInt8]) -> Transaction {
        Transaction(type: .legacy, chainId: chainId, nonce: nonce, maxPriorityFeePerGas: gasPrice,
                    maxFeePerGas: gasPrice, gasLimit: gasLimit, to: to, value: value, data: data)
    }

    /// An unsigned EIP-2930 transaction.
    public static func accessList(chainId: UInt64, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64,
                                  to: Address?, value: UInt256, data: [UInt8],
                                  accessList: [AccessListEntry]) -> Transaction {
        Transaction(type: .accessList, chainId: chainId, nonce: nonce, maxPriorityFeePerGas: gasPrice,
                    maxFeePerGas: gasPrice, gasLimit: gasLimit, to: to, value: value, data: data,
                    accessList: accessList)
    }

    /// An unsigned EIP-1559 transaction.
    public static func dynamicFee(chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: UInt256,
                                  maxFeePerGas: UInt256, gasLimit: UInt64, to: Address?, value: UInt256,
                                  data: [UInt8], accessList: [AccessListEntry] = []) -> Transaction {
        Transaction(type: .dynamicFee, chainId: chainId, nonce: nonce, maxPriorityFeePerGas: maxPriorityFeePerGas,
                    maxFeePerGas: maxFeePerGas, gasLimit: gasLimit, to: to, value: value, data: data,
                    accessList: accessList)
    }

    /// This transaction with a signature over `signingHash` attached.
    public func withSignature(r: UInt256, s: UInt256, yParity: UInt8) -> Transaction {
        var t = self
        t.r = r; t.s = s; t.yParity = yParity
        return t
    }

    /// The gas price of legacy / type-1 transactions; `maxFeePerGas` for type 2.
    /// Setting it sets both fee caps.
    public var gasPrice: UInt256 {
        get { maxFeePerGas }
        set { maxFeePerGas = newValue; maxPriorityFeePerGas = newValue }
    }

    /// The signature's v as it appears on the wire and in JSON-RPC: 27/28 for pre-EIP-155,
    /// chainId × 2 + 35 + yParity for EIP-155, yParity for typed transactions.
    public var v: UInt256 {
        switch type {
        case .legacy:
            guard let c = chainId else { return UInt256(UInt64(27 + yParity)) }
            return UInt256(c) &* UInt256(2) &+ UInt256(UInt64(35 + yParity))
        case .accessList, .dynamicFee:
            return UInt256(UInt64(yParity))
        }
    }

    public var isContractCreation: Bool { to == nil }

    // MARK: fees

    /// The priority fee per gas paid to the coinbase at `baseFee`, or nil when the fee cap is
    /// below the base fee (the transaction cannot be included).
    public func priorityFee(baseFee: UInt256) -> UInt256? {
        guard maxFeePerGas >= baseFee else { return nil }
        let room = maxFeePerGas - baseFee
        return Swift.min(maxPriorityFeePerGas, room)
    }

    /// Price per gas actually paid at `baseFee`: min(maxFee, baseFee + tip) (the gas price for
    /// legacy and type-1). Callers check `maxFeePerGas >= baseFee` first; below it this
    /// returns `maxFeePerGas`.
    public func effectiveGasPrice(baseFee: UInt256) -> UInt256 {
        guard let tip = priorityFee(baseFee: baseFee) else { return maxFeePerGas }
        return baseFee + tip
    }

    // MARK: gas

    /// Intrinsic gas (Shanghai/Cancun rules): 21 000 (53 000 for creation), 4 per zero and 16
    /// per non-zero data byte, 2 400 per access-list address and 1 900 per storage key, and for
    /// creation 2 per 32-byte word of init code (EIP-3860).
    public func intrinsicGas() -> UInt64 {
        Transaction.intrinsicGas(data: data, isContractCreation: to == nil, accessList: accessList)
    }

    /// Intrinsic gas of a call with these parts (see `intrinsicGas()`).
    @inlinable public static func intrinsicGas<C: Collection>(data: C, isContractCreation: Bool,
                                                    accessList: [AccessListEntry] = []) -> UInt64 where C.Element == UInt8 {
        var gas: UInt64 = isContractCreation ? 53_000 : 21_000
        let zeros = data.withContiguousStorageIfAvailable { buf in
            var n: UInt64 = 0
            for b in buf where b == 0 { n += 1 }
            return n
        } ?? UInt64(data.lazy.filter { $0 == 0 }.count)
        let count = UInt64(data.count)
        gas += zeros * 4 + (count - zeros) * 16
        if isContractCreation { gas += 2 * ((count + 31) / 32) }
        for e in accessList { gas += 2_400 + 1_900 * UInt64(e.storageKeys.count) }
        return gas
    }

    // MARK: signature

    /// r and s in [1, n) and s ≤ n/2 (EIP-2), yParity 0 or 1.
    public var hasValidSignatureValues: Bool {
        yParity <= 1 && !r.isZero && !s.isZero && r < Transaction.secp256k1N && s <= Transaction.secp256k1HalfN
    }

    // MARK: encoding

    /// The consensus (network) encoding: an RLP list for legacy, `type ‖ RLP list` otherwise.
    /// `keccak256` of it is the transaction hash.
    public func encoded() -> [UInt8] {
        var w = RLPWriter(capacity: data.count + 160)
        if type != .legacy { w.bytes.append(type.rawValue) }
        writeFields(&w, signed: true)
        return w.bytes
    }

    /// The transaction hash: keccak256 of `encoded()`.
    public var hash: Hash { Hash.keccak(encoded()) }

    /// The hash the sender signs: EIP-155 for legacy with a chain id, the EIP-2718 typed
    /// payload for types 1 and 2.
    public var signingHash: Hash {
        var w = RLPWriter(capacity: data.count + 160)
        if type != .legacy { w.bytes.append(type.rawValue) }
        writeFields(&w, signed: false)
        return Hash.keccak(w.bytes)
    }

    func writeFields(_ w: inout RLPWriter, signed: Bool) {
        w.list { w in
            switch type {
            case .legacy:
                w.write(nonce); w.write(maxFeePerGas); w.write(gasLimit); w.write(to); w.write(value)
                w.write(bytes: data)
                if signed {
                    w.write(v); w.write(r); w.write(s)
                } else if let c = chainId {
                    w.write(c); w.write(UInt64(0)); w.write(UInt64(0))
                }
            case .accessList, .dynamicFee:
                w.write(chainId ?? 0)
                w.write(nonce)
                if type == .dynamicFee { w.write(maxPriorityFeePerGas) }
                w.write(maxFeePerGas)
                w.write(gasLimit); w.write(to); w.write(value); w.write(bytes: data)
                w.list { w in
                    for e in accessList {
                        w.list { w in
                            w.write(e.address)
                            w.list { w in for k in e.storageKeys { w.write(k) } }
                        }
                    }
                }
                if signed { w.write(UInt64(yParity)); w.write(r); w.write(s) }
            }
        }
    }

    // MARK: decoding

    /// Decodes a raw transaction as `eth_sendRawTransaction` receives it. Strict: any
    /// non-canonical RLP, wrong field count, oversized or malformed field is an error. Types 3,
    /// 4 and unknown types give `unsupportedType`. Contract creation (`to` empty) decodes.
    public static func decode(raw: [UInt8]) throws(TransactionError) -> Transaction {
        guard let first = raw.first else { throw .emptyInput }
        if first >= 0xc0 {
            var outer = RLPReader(raw)
            let list: RLPReader
            do throws(RLPError) {
                list = try outer.readList()
                try outer.finish()
            } catch { throw .rlp(.transaction, error) }
            return try decodeLegacy(list)
        }
        if first >= 0x80 { throw .invalidEnvelope(first) }
        guard let type = TransactionType(rawValue: first), type != .legacy else { throw .unsupportedType(first) }
        guard raw.count > 1 else { throw .emptyInput }
        var outer = RLPReader(data: raw, start: 1, end: raw.count)
        let list: RLPReader
        do throws(RLPError) {
            list = try outer.readList()
            try outer.finish()
        } catch { throw .rlp(.transaction, error) }
        return try decodeTyped(type, list)
    }

    static let legacyFields: [TransactionField] = [.nonce, .gasPrice, .gasLimit, .to, .value, .data, .v, .r, .s]
    static let accessListFields: [TransactionField] = [.chainId, .nonce, .gasPrice, .gasLimit, .to, .value, .data,
                                                       .accessList, .yParity, .r, .s]
    static let dynamicFeeFields: [TransactionField] = [.chainId, .nonce, .maxPriorityFeePerGas, .maxFeePerGas, .gasLimit,
                                                       .to, .value, .data, .accessList, .yParity, .r, .s]

    /// Counts the items of `list`, checking each one's framing; errors name the field by position.
    static func fieldCount(_ list: RLPReader, names: [TransactionField]) throws(TransactionError) -> Int {
        var c = list
        var n = 0
        do throws(RLPError) {
            while !c.isAtEnd { _ = try c.readRaw(); n += 1 }
        } catch { throw .rlp(n < names.count ? names[n] : .transaction, error) }
        return n
    }

    @inline(__always)
    static func field<T>(_ f: TransactionField, _ read: () throws(RLPError) -> T) throws(TransactionError) -> T {
        do throws(RLPError) { return try read() } catch { throw .rlp(f, error) }
    }

    static func readTo(_ r: inout RLPReader) throws(TransactionError) -> Address? {
        let b = try field(.to) { () throws(RLPError) in try r.readBytes() }
        if b.isEmpty { return nil }
        guard b.count == 20, let a = Address(bytes: b) else { throw .invalidAddressLength(b.count) }
        return a
    }

    static func decodeLegacy(_ list: RLPReader) throws(TransactionError) -> Transaction {
        let n = try fieldCount(list, names: legacyFields)
        guard n == 9 else { throw .wrongFieldCount(expected: 9, got: n) }
        var r = list
        let nonce = try field(.nonce) { () throws(RLPError) in try r.readUInt64() }
        let gasPrice = try field(.gasPrice) { () throws(RLPError) in try r.readUInt256() }
        let gasLimit = try field(.gasLimit) { () throws(RLPError) in try r.readUInt64() }
        let to = try readTo(&r)
        let value = try field(.value) { () throws(RLPError) in try r.readUInt256() }
        let data = try field(.data) { () throws(RLPError) in Array(try r.readBytes()) }
        let v = try field(.v) { () throws(RLPError) in try r.readUInt256() }
        let sigR = try field(.r) { () throws(RLPError) in try r.readUInt256() }
        let sigS = try field(.s) { () throws(RLPError) in try r.readUInt256() }

        let chainId: UInt64?
        let parity: UInt8
        if v == UInt256(27) || v == UInt256(28) {
            chainId = nil
            parity = UInt8(v.w0 - 27)
        } else if v >= UInt256(35) {
            let x = v - UInt256(35)
            guard let c = (x >> 1).uint64 else { throw .invalidV(v) }
            chainId = c
            parity = UInt8(x.w0 & 1)
        } else {
            throw .invalidV(v)
        }
        return Transaction(type: .legacy, chainId: chainId, nonce: nonce, maxPriorityFeePerGas: gasPrice,
                           maxFeePerGas: gasPrice, gasLimit: gasLimit, to: to, value: value, data: data,
                           accessList: [], yParity: parity, r: sigR, s: sigS)
    }

    static func decodeTyped(_ type: TransactionType, _ list: RLPReader) throws(TransactionError) -> Transaction {
        let expected = type == .dynamicFee ? 12 : 11
        let n = try fieldCount(list, names: type == .dynamicFee ? dynamicFeeFields : accessListFields)
        guard n == expected else { throw .wrongFieldCount(expected: expected, got: n) }
        var r = list
        let chainId = try field(.chainId) { () throws(RLPError) in try r.readUInt64() }
        let nonce = try field(.nonce) { () throws(RLPError) in try r.readUInt64() }
        let tip: UInt256, feeCap: UInt256
        if type == .dynamicFee {
            tip = try field(.maxPriorityFeePerGas) { () throws(RLPError) in try r.readUInt256() }
            feeCap = try field(.maxFeePerGas) { () throws(RLPError) in try r.readUInt256() }
        } else {
            feeCap = try field(.gasPrice) { () throws(RLPError) in try r.readUInt256() }
            tip = feeCap
        }
        let gasLimit = try field(.gasLimit) { () throws(RLPError) in try r.readUInt64() }
        let to = try readTo(&r)
        let value = try field(.value) { () throws(RLPError) in try r.readUInt256() }
        let data = try field(.data) { () throws(RLPError) in Array(try r.readBytes()) }
        var entries = try field(.accessList) { () throws(RLPError) in try r.readList() }
        var accessList: [AccessListEntry] = []
        while !entries.isAtEnd {
            var entry = try field(.accessList) { () throws(RLPError) in try entries.readList() }
            guard try fieldCount(entry, names: [.accessList, .accessList]) == 2 else { throw .invalidAccessListEntry }
            let ab = try field(.accessList) { () throws(RLPError) in try entry.readBytes() }
            guard ab.count == 20, let address = Address(bytes: ab) else { throw .invalidAccessListAddressLength(ab.count) }
            var keysReader = try field(.accessList) { () throws(RLPError) in try entry.readList() }
            var keys: [Hash] = []
            while !keysReader.isAtEnd {
                let kb = try field(.accessList) { () throws(RLPError) in try keysReader.readBytes() }
                guard kb.count == 32, let k = Hash(bytes: kb) else { throw .invalidStorageKeyLength(kb.count) }
                keys.append(k)
            }
            accessList.append(AccessListEntry(address: address, storageKeys: keys))
        }
        let parity = try field(.yParity) { () throws(RLPError) in try r.readUInt256() }
        guard parity <= UInt256.one else { throw .invalidV(parity) }
        let sigR = try field(.r) { () throws(RLPError) in try r.readUInt256() }
        let sigS = try field(.s) { () throws(RLPError) in try r.readUInt256() }
        return Transaction(type: type, chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip,
                           maxFeePerGas: feeCap, gasLimit: gasLimit, to: to, value: value, data: data,
                           accessList: accessList, yParity: UInt8(parity.w0), r: sigR, s: sigS)
    }
}
