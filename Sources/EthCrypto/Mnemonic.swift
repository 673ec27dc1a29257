import Crypto
import Foundation

/// Errors from BIP-39 phrase handling.
public enum MnemonicError: Error, Equatable, Sendable {
    /// Word count is not 12, 15, 18, 21 or 24.
    case invalidWordCount(Int)
    /// A word not in the English list (the offending word).
    case unknownWord(String)
    /// The phrase's checksum bits do not match its entropy.
    case invalidChecksum
    /// Entropy is not 16, 20, 24, 28 or 32 bytes.
    case invalidEntropyLength(Int)
}

/// BIP-39 mnemonics with the English wordlist.
public enum Mnemonic {
    /// The 64-byte seed: PBKDF2-HMAC-SHA512(NFKD(phrase), "mnemonic" + NFKD(passphrase), 2048 rounds).
    /// Does not validate the phrase (BIP-39 derives a seed from any text).
    public static func seed(phrase: String, passphrase: String = "") -> [UInt8] {
        let password = Array(phrase.decomposedStringWithCompatibilityMapping.utf8)
        let salt = Array(("mnemonic" + passphrase).decomposedStringWithCompatibilityMapping.utf8)
        return PBKDF2SHA512.derive(password: password, salt: salt, iterations: 2048, length: 64)
    }

    /// Checks word count, that every word is in the English list, and the checksum.
    public static func validate(_ phrase: String) throws {
        _ = try entropy(phrase)
    }

    /// The entropy encoded by a valid English phrase.
    public static func entropy(_ phrase: String) throws -> [UInt8] {
        let words = phrase.decomposedStringWithCompatibilityMapping
            .split(whereSeparator: { $0.isWhitespace }).map(String.init)
        guard [12, 15, 18, 21, 24].contains(words.count) else { throw MnemonicError.invalidWordCount(words.count) }
        // Pack 11-bit word indices into a bit string.
        var bits = [Bool]()
        bits.reserveCapacity(words.count * 11)
        for w in words {
            guard let idx = BIP39English.index[w] else { throw MnemonicError.unknownWord(w) }
            for b in stride(from: 10, through: 0, by: -1) { bits.append((idx >> b) & 1 == 1) }
        }
        let checksumBits = bits.count / 33
        let entropyBits = bits.count - checksumBits
        var entropy = [UInt8](repeating: 0, count: entropyBits / 8)
        for i in 0..<entropyBits where bits[i] { entropy[i / 8] |= 0x80 >> UInt8(i % 8) }
        let hash = Array(SHA256.hash(data: entropy))
        for i in 0..<checksumBits {
            let expected = (hash[i / 8] >> UInt8(7 - i % 8)) & 1 == 1
            guard bits[entropyBits + i] == expected else { throw MnemonicError.invalidChecksum }
        }
        return entropy
    }

    /// The English phrase for 16, 20, 24, 28 or 32 bytes of entropy.
    public static func phrase(entropy: [UInt8]) throws -> String {
        guard [16, 20, 24, 28, 32].contains(entropy.count) else {
            throw MnemonicError.invalidEntropyLength(entropy.count)
        }
        let hash = Array(SHA256.hash(data: entropy))
        let data = entropy + [hash[0], hash[1]]   // at most 8 checksum bits are used
        let wordCount = (entropy.count * 8 + entropy.count / 4) / 11
        var words = [String]()
        words.reserveCapacity(wordCount)
        for w in 0..<wordCount {
            var idx = 0
            for b in 0..<11 {
                let bit = w * 11 + b
                idx = idx << 1 | Int((data[bit / 8] >> UInt8(7 - bit % 8)) & 1)
            }
            words.append(BIP39English.words[idx])
        }
        return words.joined(separator: " ")
    }
}

/// PBKDF2 with HMAC-SHA512 (RFC 8018), over swift-crypto's HMAC.
enum PBKDF2SHA512 {
    static func derive(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        // The keyed HMAC state is computed once and copied for every block (copy-on-write).
        let keyed = HMAC<SHA512>(key: SymmetricKey(data: password))
        var out = [UInt8]()
        out.reserveCapacity(length)
        var block: UInt32 = 1
        while out.count < length {
            var mac = keyed
            mac.update(data: salt)
            mac.update(data: [UInt8(block >> 24), UInt8(truncatingIfNeeded: block >> 16),
                              UInt8(truncatingIfNeeded: block >> 8), UInt8(truncatingIfNeeded: block)])
            var u = Array(mac.finalize())
            var t = u
            if iterations > 1 {
                for _ in 1..<iterations {
                    var m = keyed
                    m.update(data: u)
                    u = Array(m.finalize())
                    for i in 0..<t.count { t[i] ^= u[i] }
                }
            }
            out.append(contentsOf: t.prefix(length - out.count))
            block += 1
        }
        return out
    }
}
