import Primitives

/// EIP-191 signed-message helpers (`eth_sign`, `personal_sign`).
public enum MessageSigning {
    /// keccak256("\u{19}Ethereum Signed Message:\n" + decimal byte length + message).
    public static func personalHash(_ message: [UInt8]) -> [UInt8] {
        var data = Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8)
        data.append(contentsOf: message)
        return Keccak256.hash(data)
    }

    /// Signs `personalHash(message)`; `bytes65` of the result is the `personal_sign` output.
    public static func personalSign(_ message: [UInt8], privateKey: [UInt8]) throws -> Secp256k1.Signature {
        try Secp256k1.sign(hash: personalHash(message), privateKey: privateKey)
    }

    /// The signer of `personal_sign` output (`r ‖ s ‖ v`, v in 0/1/27/28), or nil.
    public static func recoverPersonal(_ message: [UInt8], signature65: [UInt8]) -> Address? {
        Secp256k1.recover(hash: personalHash(message), signature65: signature65)
    }
}
