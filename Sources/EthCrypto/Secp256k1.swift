import CSecp256k1
import Primitives
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors from key handling and signing.
public enum Secp256k1Error: Error, Equatable, Sendable {
    /// The private key is not 32 bytes, is zero, or is ≥ the curve order.
    case invalidPrivateKey
    /// The message hash is not exactly 32 bytes.
    case invalidHashLength
    /// libsecp256k1 refused to sign (does not happen for a valid key).
    case signingFailed
}

/// secp256k1 ECDSA over libsecp256k1: RFC 6979 deterministic signing (low-s, recoverable),
/// public-key recovery and key → address.
///
/// One context is created on first use and randomized once; afterwards it is only read, which
/// libsecp256k1 documents as safe from any number of threads.
public enum Secp256k1 {
    /// The curve order n.
    public static let n = UInt256(w0: 0xBFD25E8CD0364141, w1: 0xBAAEDCE6AF48A03B,
                                  w2: 0xFFFFFFFFFFFFFFFE, w3: 0xFFFFFFFFFFFFFFFF)
    /// ⌊n / 2⌋: the largest `s` allowed by the homestead low-s rule (EIP-2).
    public static let halfN = UInt256(w0: 0xDFE92F46681B20A0, w1: 0x5D576E7357A4501D,
                                      w2: 0xFFFFFFFFFFFFFFFF, w3: 0x7FFFFFFFFFFFFFFF)

    /// A recoverable signature. `recoveryId` is 0 or 1 (the parity of R.y).
    public struct Signature: Sendable, Hashable {
        public var r: UInt256
        public var s: UInt256
        public var recoveryId: UInt8

        public init(r: UInt256, s: UInt256, recoveryId: UInt8) {
            self.r = r; self.s = s; self.recoveryId = recoveryId
        }

        /// Parses `r ‖ s ‖ v` with v in {0, 1, 27, 28}; nil for any other length or v.
        /// (r and s are not range-checked here; `recover` does that.)
        public init?(bytes65 b: [UInt8]) {
            guard b.count == 65 else { return nil }
            switch b[64] {
            case 0, 1: recoveryId = b[64]
            case 27, 28: recoveryId = b[64] - 27
            default: return nil
            }
            r = UInt256(bigEndian: b[0..<32])!
            s = UInt256(bigEndian: b[32..<64])!
        }

        /// `r ‖ s ‖ (27 + recoveryId)`, the eth_sign / personal_sign format.
        public var bytes65: [UInt8] {
            var out = r.bytes32
            out.reserveCapacity(65)
            out.append(contentsOf: s.bytes32)
            out.append(27 &+ recoveryId)
            return out
        }
    }

    // `nonisolated(unsafe)`: the pointer is written once during lazy static initialisation
    // and the context it points to is only read afterwards.
    nonisolated(unsafe) static let context: OpaquePointer = {
        guard let ctx = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("secp256k1_context_create failed")
        }
        var seed = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<32 { seed[i] = UInt8.random(in: 0...255, using: &rng) }
        // Randomization only blinds the signing computations against side channels; a failure
        // leaves a working, unblinded context.
        _ = secp256k1_context_randomize(ctx, seed)
        return ctx
    }()

    // MARK: keys

    /// True when `key` is 32 bytes, non-zero and below n.
    public static func isValidPrivateKey(_ key: [UInt8]) -> Bool {
        guard key.count == 32 else { return false }
        return secp256k1_ec_seckey_verify(context, key) == 1
    }

    /// The 65-byte uncompressed public key `04 ‖ X ‖ Y`.
    public static func publicKey(privateKey: [UInt8]) throws -> [UInt8] {
        try serializedPublicKey(privateKey: privateKey, compressed: false)
    }

    /// The 33-byte compressed public key `02/03 ‖ X`.
    public static func compressedPublicKey(privateKey: [UInt8]) throws -> [UInt8] {
        try serializedPublicKey(privateKey: privateKey, compressed: true)
    }

    static func serializedPublicKey(privateKey: [UInt8], compressed: Bool) throws -> [UInt8] {
        guard isValidPrivateKey(privateKey) else { throw Secp256k1Error.invalidPrivateKey }
        var pk = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &pk, privateKey) == 1 else {
            throw Secp256k1Error.invalidPrivateKey
        }
        var out = [UInt8](repeating: 0, count: compressed ? 33 : 65)
        var len = out.count
        let flags = UInt32(compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED)
        _ = secp256k1_ec_pubkey_serialize(context, &out, &len, &pk, flags)
        return out
    }

    /// The Ethereum address of a private key: the last 20 bytes of keccak256(X ‖ Y).
    public static func address(privateKey: [UInt8]) throws -> Address {
        let pub = try publicKey(privateKey: privateKey)
        return address(uncompressedPublicKey: pub)!
    }

    /// The address of a 65-byte uncompressed (`04…`) or 64-byte raw public key; nil otherwise.
    public static func address(uncompressedPublicKey pub: [UInt8]) -> Address? {
        let body: ArraySlice<UInt8>
        if pub.count == 65 && pub[0] == 4 { body = pub[1...] }
        else if pub.count == 64 { body = pub[...] }
        else { return nil }
        let h = Keccak256.hash(body)
        return Address(bytes: h[12...])
    }

    // MARK: signing

    /// Signs a 32-byte hash with RFC 6979 deterministic nonces. The result is always low-s
    /// (s ≤ n/2) and carries the recovery id.
    public static func sign(hash: [UInt8], privateKey: [UInt8]) throws -> Signature {
        guard hash.count == 32 else { throw Secp256k1Error.invalidHashLength }
        guard isValidPrivateKey(privateKey) else { throw Secp256k1Error.invalidPrivateKey }
        var sig = secp256k1_ecdsa_recoverable_signature()
        guard secp256k1_ecdsa_sign_recoverable(context, &sig, hash, privateKey, nil, nil) == 1 else {
            throw Secp256k1Error.signingFailed
        }
        var out = [UInt8](repeating: 0, count: 64)
        var recid: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &out, &recid, &sig)
        return Signature(r: UInt256(bigEndian: out[0..<32])!, s: UInt256(bigEndian: out[32..<64])!,
                         recoveryId: UInt8(truncatingIfNeeded: recid))
    }

    /// Signs a hash given as a `Hash`.
    public static func sign(hash: Hash, privateKey: [UInt8]) throws -> Signature {
        try sign(hash: hash.bytes, privateKey: privateKey)
    }

    // MARK: recovery

    /// The address that produced `(r, s, recoveryId)` over `hash`, or nil when the signature is
    /// invalid: hash not 32 bytes, r or s zero or ≥ n, recoveryId not 0/1, or no point recovers.
    /// High s is accepted; callers enforce the homestead low-s rule (`s <= halfN`) themselves.
    public static func recover(hash: [UInt8], r: UInt256, s: UInt256, recoveryId: UInt8) -> Address? {
        guard hash.count == 32 else { return nil }
        return hash.withUnsafeBufferPointer { h in recover(hashPointer: h.baseAddress!, r: r, s: s, recoveryId: recoveryId) }
    }

    /// `recover` for a hash given as a `Hash`.
    public static func recover(hash: Hash, r: UInt256, s: UInt256, recoveryId: UInt8) -> Address? {
        recover(hash: hash.bytes, r: r, s: s, recoveryId: recoveryId)
    }

    /// Recovers from a 65-byte `r ‖ s ‖ v` signature with v in {0, 1, 27, 28}; nil otherwise.
    public static func recover(hash: [UInt8], signature65 sig: [UInt8]) -> Address? {
        guard let parsed = Signature(bytes65: sig) else { return nil }
        return recover(hash: hash, r: parsed.r, s: parsed.s, recoveryId: parsed.recoveryId)
    }

    static func recover(hashPointer hash: UnsafePointer<UInt8>, r: UInt256, s: UInt256, recoveryId: UInt8) -> Address? {
        guard recoveryId <= 1, !r.isZero, !s.isZero, r < n, s < n else { return nil }
        // 64 bytes r ‖ s, then room for the 65-byte serialized key, all on the stack.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64 + 65) { buf -> Address? in
            let p = buf.baseAddress!
            store(r, to: p)
            store(s, to: p + 32)
            var sig = secp256k1_ecdsa_recoverable_signature()
            guard secp256k1_ecdsa_recoverable_signature_parse_compact(context, &sig, p, Int32(recoveryId)) == 1 else {
                return nil
            }
            var pk = secp256k1_pubkey()
            guard secp256k1_ecdsa_recover(context, &pk, &sig, hash) == 1 else { return nil }
            let out = p + 64
            var len = 65
            guard secp256k1_ec_pubkey_serialize(context, out, &len, &pk, UInt32(SECP256K1_EC_UNCOMPRESSED)) == 1,
                  len == 65 else { return nil }
            let h = Keccak256.hash(UnsafeBufferPointer(start: out + 1, count: 64))
            return Address(bytes: h[12...])
        }
    }

    @inline(__always)
    static func store(_ v: UInt256, to p: UnsafeMutablePointer<UInt8>) {
        @inline(__always) func put(_ limb: UInt64, _ at: Int) {
            for j in 0..<8 { p[at + j] = UInt8(truncatingIfNeeded: limb >> UInt64(56 - 8 * j)) }
        }
        put(v.w3, 0); put(v.w2, 8); put(v.w1, 16); put(v.w0, 24)
    }
}

/// `key = (key + tweak) mod n`; false when tweak ≥ n or the result is zero (key left unspecified).
func secp256k1_tweakAdd(_ key: inout [UInt8], tweak: [UInt8]) -> Bool {
    guard key.count == 32, tweak.count == 32 else { return false }
    return secp256k1_ec_seckey_tweak_add(Secp256k1.context, &key, tweak) == 1
}
