import Primitives
import EthCrypto

/// `IERC20(token).…` calls from one emulated contract to another. The token address comes from
/// the caller's storage, so it may name any of the five contracts (or none): a contract
/// without the function, or an address without code, reverts with empty data, as solc's
/// high-level calls do; a revert inside the callee bubbles up unchanged.
enum ERC20Calls {
    /// `IERC20(token).balanceOf(account)` from contract `from` (a `view`: STATICCALL).
    static func balanceOf(_ x: Exec, from: Address, token: Address, account: Address) throws(Revert) -> UInt256 {
        try x.call(from: from, to: token, "balanceOf(address)", [account.value], isStatic: true, returns: Out.uint) { kind throws(Revert) -> UInt256 in
            switch kind {
            case .matic: return MaticToken(x).erc20.balanceOf(x, account)
            case .ankr: return AnkrToken(x).erc20.balanceOf(x, account)
            case .aMATICb: return try AMaticB(x).balanceOf(x, account)
            case .aMATICc: return AMaticC(x).balanceOf(x, account)
            case .pool: throw Revert.empty
            }
        }
    }

    static func transfer(_ x: Exec, token: Address, sender: Address, to: Address, amount: UInt256) throws(Revert) -> Bool {
        try x.call(from: sender, to: token, "transfer(address,uint256)", [to.value, amount], returns: Out.bool) { kind throws(Revert) -> Bool in
            switch kind {
            case .matic: return try MaticToken(x).transfer(x, sender: sender, to: to, value: amount)
            case .ankr: return try AnkrToken(x).erc20.transfer(x, sender: sender, to: to, value: amount)
            case .aMATICb: return try AMaticB(x).transfer(x, sender: sender, recipient: to, amount: amount)
            case .aMATICc: return try AMaticC(x).transfer(x, sender: sender, recipient: to, amount: amount)
            case .pool: throw Revert.empty
            }
        }
    }

    static func transferFrom(_ x: Exec, token: Address, sender: Address, from: Address, to: Address,
                             amount: UInt256) throws(Revert) -> Bool {
        try x.call(from: sender, to: token, "transferFrom(address,address,uint256)", [from.value, to.value, amount],
                   returns: Out.bool) { kind throws(Revert) -> Bool in
            switch kind {
            case .matic: return try MaticToken(x).transferFrom(x, sender: sender, from: from, to: to, value: amount)
            case .ankr: return try AnkrToken(x).erc20.transferFrom(x, sender: sender, from: from, to: to, value: amount)
            case .aMATICb: return try AMaticB(x).transferFrom(x, msgSender: sender, sender: from, recipient: to, amount: amount)
            case .aMATICc: return try AMaticC(x).transferFrom(x, msgSender: sender, sender: from, recipient: to, amount: amount)
            case .pool: throw Revert.empty
            }
        }
    }
}

/// OpenZeppelin 4.3 `ECDSAUpgradeable.recover(bytes32 hash, bytes signature)`: 65-byte
/// `r ‖ s ‖ v` or 64-byte EIP-2098 `r ‖ vs`; s must be in the lower half order and v 27 or
/// 28; each failure reverts with OpenZeppelin's message. No message prefix is applied.
enum ECDSA {
    static func recover(_ hash: Hash, _ signature: [UInt8]) throws(Revert) -> Address {
        let r: UInt256, s: UInt256, v: UInt8
        if signature.count == 65 {
            r = UInt256(bigEndian: signature[0..<32])!
            s = UInt256(bigEndian: signature[32..<64])!
            v = signature[64]
        } else if signature.count == 64 {
            r = UInt256(bigEndian: signature[0..<32])!
            let vs = UInt256(bigEndian: signature[32..<64])!
            s = vs & ~(UInt256.one << 255)
            v = UInt8(truncatingIfNeeded: (vs >> 255).w0) &+ 27
        } else {
            throw Revert.reason("ECDSA: invalid signature length")
        }
        if s > Secp256k1.halfN { throw Revert.reason("ECDSA: invalid signature 's' value") }
        if v != 27 && v != 28 { throw Revert.reason("ECDSA: invalid signature 'v' value") }
        guard let signer = Secp256k1.recover(hash: hash.bytes, r: r, s: s, recoveryId: v - 27), !signer.isZero else {
            throw Revert.reason("ECDSA: invalid signature")
        }
        return signer
    }
}
