import Crypto
import Primitives

/// Errors from BIP-32 derivation.
public enum HDKeyError: Error, Equatable, Sendable {
    /// Seeds must be 16…64 bytes.
    case invalidSeedLength(Int)
    /// The path text does not match `m/<n>['|h]/…` (the offending path).
    case invalidPath(String)
    /// A child index ≥ 2^31 (the hardened flag is passed separately).
    case indexOutOfRange(UInt32)
    /// A path starting with `m` applied to a key that is not a master key.
    case notMasterKey
    /// The derived key is invalid (I_L ≥ n or the key is zero; probability < 2^-127).
    case invalidDerivedKey
}

/// A BIP-32 extended private key.
public struct HDKey: Sendable, Hashable {
    public static let hardenedOffset: UInt32 = 0x8000_0000

    /// 32-byte private key.
    public let privateKey: [UInt8]
    /// 32-byte chain code.
    public let chainCode: [UInt8]
    /// 0 for the master key.
    public let depth: UInt8
    /// Child number including the hardened bit (0 for the master key).
    public let childNumber: UInt32
    /// First 4 bytes of the parent's hash160 identifier, big-endian (0 for the master key).
    public let parentFingerprint: UInt32

    init(privateKey: [UInt8], chainCode: [UInt8], depth: UInt8, childNumber: UInt32, parentFingerprint: UInt32) {
        self.privateKey = privateKey
        self.chainCode = chainCode
        self.depth = depth
        self.childNumber = childNumber
        self.parentFingerprint = parentFingerprint
    }

    /// The master key of a 16…64-byte seed: HMAC-SHA512("Bitcoin seed", seed).
    public static func master(seed: [UInt8]) throws -> HDKey {
        guard (16...64).contains(seed.count) else { throw HDKeyError.invalidSeedLength(seed.count) }
        let i = Array(HMAC<SHA512>.authenticationCode(for: seed, using: SymmetricKey(data: Array("Bitcoin seed".utf8))))
        let key = Array(i[0..<32])
        guard Secp256k1.isValidPrivateKey(key) else { throw HDKeyError.invalidDerivedKey }
        return HDKey(privateKey: key, chainCode: Array(i[32..<64]), depth: 0, childNumber: 0, parentFingerprint: 0)
    }

    /// 33-byte compressed public key.
    public var publicKey: [UInt8] {
        // The private key was validated on construction, so this cannot fail.
        (try? Secp256k1.compressedPublicKey(privateKey: privateKey)) ?? []
    }

    /// The Ethereum address of this key.
    public var address: Address {
        // The private key was validated on construction.
        (try? Secp256k1.address(privateKey: privateKey)) ?? .zero
    }

    /// hash160 of the compressed public key (20 bytes).
    public var identifier: [UInt8] { hash160(publicKey) }

    /// First 4 bytes of `identifier`, big-endian.
    public var fingerprint: UInt32 {
        let id = identifier
        return UInt32(id[0]) << 24 | UInt32(id[1]) << 16 | UInt32(id[2]) << 8 | UInt32(id[3])
    }

    /// The child `index` (< 2^31), hardened or normal.
    public func derive(index: UInt32, hardened: Bool) throws -> HDKey {
        guard index < HDKey.hardenedOffset else { throw HDKeyError.indexOutOfRange(index) }
        guard depth < UInt8.max else { throw HDKeyError.invalidDerivedKey }
        let number = hardened ? index | HDKey.hardenedOffset : index
        let pub = publicKey
        var data = [UInt8]()
        data.reserveCapacity(37)
        if hardened {
            data.append(0)
            data.append(contentsOf: privateKey)
        } else {
            data.append(contentsOf: pub)
        }
        data.append(contentsOf: [UInt8(number >> 24), UInt8(truncatingIfNeeded: number >> 16),
                                 UInt8(truncatingIfNeeded: number >> 8), UInt8(truncatingIfNeeded: number)])
        let i = Array(HMAC<SHA512>.authenticationCode(for: data, using: SymmetricKey(data: chainCode)))
        // child = (I_L + k_par) mod n; fails when I_L ≥ n or the sum is zero.
        var child = privateKey
        guard secp256k1_tweakAdd(&child, tweak: Array(i[0..<32])) else { throw HDKeyError.invalidDerivedKey }
        let id = hash160(pub)
        let fp = UInt32(id[0]) << 24 | UInt32(id[1]) << 16 | UInt32(id[2]) << 8 | UInt32(id[3])
        return HDKey(privateKey: child, chainCode: Array(i[32..<64]), depth: depth + 1, childNumber: number,
                     parentFingerprint: fp)
    }

    /// Follows a path such as `m/44'/60'/0'/0/3` (`h` may replace `'`). A leading `m` requires a
    /// master key; a path without it (`0'/1`) is relative to this key.
    public func derive(path: String) throws -> HDKey {
        let steps = try HDKey.parse(path: path)
        if steps.absolute && depth != 0 { throw HDKeyError.notMasterKey }
        var key = self
        for (index, hardened) in steps.components { key = try key.derive(index: index, hardened: hardened) }
        return key
    }

    /// Parses a derivation path into (index, hardened) steps.
    public static func parse(path: String) throws -> (absolute: Bool, components: [(UInt32, Bool)]) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false)
        var absolute = false
        if parts.first == "m" {
            absolute = true
            parts.removeFirst()
            if parts.isEmpty { return (true, []) }
        }
        guard !parts.isEmpty else { throw HDKeyError.invalidPath(path) }
        var out = [(UInt32, Bool)]()
        out.reserveCapacity(parts.count)
        for var part in parts {
            var hardened = false
            if let last = part.last, last == "'" || last == "h" || last == "H" {
                hardened = true
                part = part.dropLast()
            }
            guard !part.isEmpty, part.utf8.count <= 10, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let v = UInt64(part) else { throw HDKeyError.invalidPath(path) }
            guard v < UInt64(hardenedOffset) else { throw HDKeyError.invalidPath(path) }
            out.append((UInt32(v), hardened))
        }
        return (absolute, out)
    }

    /// BIP-32 `xprv…` serialisation (mainnet version bytes).
    public var xprv: String {
        var payload: [UInt8] = [0x04, 0x88, 0xAD, 0xE4, depth]
        payload.reserveCapacity(78)
        for v in [parentFingerprint, childNumber] {
            payload.append(contentsOf: [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16),
                                        UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)])
        }
        payload.append(contentsOf: chainCode)
        payload.append(0)
        payload.append(contentsOf: privateKey)
        return Base58.encodeCheck(payload)
    }
}
