// libFuzzer target: the transaction decoder (`Transaction.decode(raw:)`) and what the node does
// with a decoded transaction before its state matters (sender recovery, then the EVM's
// stateless validation, `EVM.validateStateless`, the checks every validation path begins with).
//
// Properties: no trap; the decoder is strict, so an accepted input re-encodes to exactly the
// input (and so hashes to keccak(input)); a recovered sender re-verifies; every refusal has
// a message.
import Primitives
import EthCrypto
import EVM

@_cdecl("LLVMFuzzerTestOneInput")
public func txFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw: [UInt8] = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let tx: Transaction
    do {
        tx = try Transaction.decode(raw: raw)
    } catch {
        check(!error.description.isEmpty, "empty error description")
        return 0
    }
    let enc = tx.encoded()
    check(enc == raw, "transaction round trip: \(raw.hex) re-encoded as \(enc.hex)")
    check(tx.hash == Hash.keccak(raw), "hash differs from keccak(raw)")
    _ = tx.signingHash
    _ = tx.intrinsicGas()
    _ = tx.effectiveGasPrice(baseFee: UInt256(1_000_000_000))
    _ = tx.priorityFee(baseFee: UInt256(7))
    let sender: Address?
    do { sender = try tx.recoverSender() } catch {
        check(!error.description.isEmpty, "empty error description")
        sender = nil
    }
    if let sender {
        check(tx.hasValidSignatureValues, "sender recovered from invalid signature values")
        let again = Secp256k1.recover(hash: tx.signingHash, r: tx.r, s: tx.s, recoveryId: tx.yParity)
        check(again == sender, "sender recovery is not deterministic")
    }
    let env = TxEnv(tx, sender: sender ?? Address.zero)
    for chainId: UInt64 in [31337, 1] {
        do throws(TxError) { try EVM.validateStateless(env, chainId: chainId) } catch {
            check(!error.message.isEmpty, "empty validation error")
            if let c = tx.chainId, c != chainId {
                check(error.message.hasPrefix("invalid chain id for signer"), "chain id \(c) for \(chainId) refused as: \(error.message)")
            }
        }
    }
    return 0
}

/// `precondition` whose message survives -O (libFuzzer shows it with the crash).
@inline(__always) func check(_ cond: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !cond { fatalError(message(), file: file, line: line) }
}
