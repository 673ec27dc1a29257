import Primitives
import EthCrypto
import Chain

/// Message signing with the node's keys (dev accounts and the operator's keys):
/// `eth_sign`, `personal_sign` (EIP-191) and `eth_signTypedData_v4` (EIP-712). Signatures are
/// `r ‖ s ‖ v` with v = 27/28, as geth, Anvil and MetaMask return them.
///
/// Impersonated accounts can send transactions without a key (the node skips the signature),
/// but a message signature needs the key, so signing for them is refused with a clear error.
enum SigningMethods {
    static func register(_ t: MethodTable, _ n: NodeContext) {
        // eth_sign(address, data): the EIP-191 personal-message hash of data (geth's eth_sign).
        t.register("eth_sign", maxParams: 2) { p in
            let address = try p.address(0)
            let data = try messageBytes(p, 1)
            let key = try await signingKey(address, n)
            return .data(try sign(MessageSigning.personalHash(data), key))
        }
        // personal_sign(data, address[, password]). MetaMask tolerates the two swapped
        // (some libraries send them that way); so do we when exactly one is a signer we hold.
        t.register("personal_sign", maxParams: 3) { p in
            var dataIndex = 0, addressIndex = 1
            if let a0 = p[0].flatMap({ try? ParamDecoder.address($0, "param 0") }), n.keys[a0] != nil,
               let v1 = p[1], (try? ParamDecoder.address(v1, "param 1")).map({ n.keys[$0] == nil }) ?? true {
                dataIndex = 1; addressIndex = 0
            }
            let address = try p.address(addressIndex)
            let data = try messageBytes(p, dataIndex)
            let key = try await signingKey(address, n)
            return .data(try sign(MessageSigning.personalHash(data), key))
        }
        // eth_signTypedData_v4(address, typedData): typedData as an object or a JSON string.
        t.register(["eth_signTypedData_v4", "eth_signTypedData_v3"], maxParams: 2) { p in
            let address = try p.address(0)
            let raw = try p.value(1)
            let typed: EIP712TypedData
            do { typed = try EIP712TypedData(json: raw) } catch {
                throw RPCError.invalidParams("param 1: \(error)")
            }
            let digest: [UInt8]
            do { digest = try typed.digest() } catch { throw RPCError.invalidParams("param 1: \(error)") }
            let key = try await signingKey(address, n)
            return .data(try sign(digest, key))
        }
        t.register("eth_signTypedData", maxParams: 2) { p in
            throw RPCError.server("eth_signTypedData (v1) is not supported; use eth_signTypedData_v4")
        }
    }

    /// Hex data (`0x…`), or, for a string that is not hex, its UTF-8 text (as MetaMask does
    /// for personal_sign).
    static func messageBytes(_ p: Params, _ i: Int) throws -> [UInt8] {
        let v = try p.value(i)
        guard case .string(let s) = v else { throw RPCError.invalidParams("param \(i): expected hex data or a string, got \(v.kindName)") }
        if (s.hasPrefix("0x") || s.hasPrefix("0X")), let b = Hex.decode(s) { return b }
        return Array(s.utf8)
    }

    static func signingKey(_ a: Address, _ n: NodeContext) async throws -> SigningKey {
        if let k = n.keys[a] { return k }
        if await n.chain.canSendUnsigned(from: a) {
            throw RPCError.server("cannot sign for \(a.checksummed): it is impersonated, which lets it send transactions without a key, but a signature needs the private key")
        }
        throw RPCError.server("no private key for \(a.checksummed): only the dev accounts (eth_accounts) and the operator's accounts can sign")
    }

    static func sign(_ digest: [UInt8], _ key: SigningKey) throws -> [UInt8] {
        do { return try Secp256k1.sign(hash: digest, privateKey: key.privateKey).bytes65 } catch {
            throw RPCError.internal("signing failed: \(error)")
        }
    }
}
