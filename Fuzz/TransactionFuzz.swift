// libFuzzer target: the transaction decoder (`Transaction.decode(raw:)`) and what the node does
// with a decoded transaction before it reaches the chain (validation, sender recovery).
//
// Properties: no trap; the decoder is strict, so an accepted input re-encodes to exactly the
// input (and so hashes to keccak(input)); a recovered sender re-verifies.
import Primitives
import EthCrypto

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
    for chainId: UInt64 in [31337, 1] {
        do { try tx.validate(chainId: chainId) } catch { check(!error.description.isEmpty, "empty error description") }
    }
    if let sender = try? tx.recoverSender() {
        check(tx.hasValidSignatureValues, "sender recovered from invalid signature values")
        let again = Secp256k1.recover(hash: tx.signingHash, r: tx.r, s: tx.s, recoveryId: tx.yParity)
        check(again == sender, "sender recovery is not deterministic")
    }
    return 0
}

/// `precondition` whose message survives -O (libFuzzer shows it with the crash).
@inline(__always) func check(_ cond: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !cond { fatalError(message(), file: file, line: line) }
}
