import Primitives

extension Transaction {
    /// The sender: the address whose key signed `signingHash`. Enforces the signature value
    /// rules (r, s in [1, n), s ≤ n/2, yParity 0/1) before recovering.
    public func recoverSender() throws(TransactionError) -> Address {
        guard hasValidSignatureValues else { throw .invalidSignatureValues }
        guard let a = Secp256k1.recover(hash: signingHash, r: r, s: s, recoveryId: yParity) else {
            throw .invalidSender
        }
        return a
    }

    /// This transaction signed with `privateKey` (32 bytes). The chain id, if any, must be set
    /// beforehand: it is part of the signing hash.
    public func signed(privateKey: [UInt8]) throws -> Transaction {
        let sig = try Secp256k1.sign(hash: signingHash, privateKey: privateKey)
        return withSignature(r: sig.r, s: sig.s, yParity: sig.recoveryId)
    }
}
