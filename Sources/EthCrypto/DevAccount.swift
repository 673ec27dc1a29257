import Primitives

public enum DevAccountError: Error, Equatable, Sendable {
    /// The account count is negative or ≥ 2^31.
    case invalidCount(Int)
}

/// A prefunded development account derived from a mnemonic (Anvil / Hardhat style).
public struct DevAccount: Sendable, Hashable {
    public let address: Address
    /// 32-byte private key.
    public let privateKey: [UInt8]

    public init(address: Address, privateKey: [UInt8]) {
        self.address = address
        self.privateKey = privateKey
    }

    /// Anvil's and Hardhat's default mnemonic.
    public static let defaultMnemonic = "test test test test test test test test test test test junk"
    /// Anvil's and Hardhat's default derivation prefix; the account index is appended.
    public static let defaultPath = "m/44'/60'/0'/0/"

    /// The first `count` accounts at `path` + index (e.g. `m/44'/60'/0'/0/0`, `…/1`, …).
    /// The mnemonic must be a valid English BIP-39 phrase; `path` is the prefix, with or
    /// without the trailing `/`.
    public static func devAccounts(mnemonic: String, passphrase: String = "", path: String = defaultPath,
                                   count: Int) throws -> [DevAccount] {
        guard count >= 0, count <= Int(HDKey.hardenedOffset) else { throw DevAccountError.invalidCount(count) }
        try Mnemonic.validate(mnemonic)
        var base = path
        while base.hasSuffix("/") { base.removeLast() }
        let master = try HDKey.master(seed: Mnemonic.seed(phrase: mnemonic, passphrase: passphrase))
        let parent = base.isEmpty || base == "m" ? master : try master.derive(path: base)
        var out = [DevAccount]()
        out.reserveCapacity(count)
        for i in 0..<count {
            let key = try parent.derive(index: UInt32(i), hardened: false)
            out.append(DevAccount(address: try Secp256k1.address(privateKey: key.privateKey), privateKey: key.privateKey))
        }
        return out
    }
}
