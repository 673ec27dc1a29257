import Crypto
import EthCrypto
import Primitives

/// What a precompile did. On failure all the gas given is consumed and there is no output.
public struct PrecompileResult: Sendable {
    public var success: Bool
    public var output: [UInt8]
    public var gasUsed: UInt64
    /// geth's wording when the call failed (`out of gas`, `invalid input`…).
    public var error: String?

    public init(success: Bool, output: [UInt8], gasUsed: UInt64, error: String? = nil) {
        self.success = success; self.output = output; self.gasUsed = gasUsed; self.error = error
    }
}

/// Cancun's precompiled contracts at 0x01–0x0a, as ethereum/execution-specs
/// `cancun/vm/precompiled_contracts` defines them. Every precompile charges its gas before it
/// looks at the input (blake2f checks the length first, which consumes everything anyway).
public enum Precompiles {
    /// True for 0x01…0x0a.
    @inline(__always)
    public static func isPrecompile(_ a: Address) -> Bool {
        let v = a.value
        return v.w1 == 0 && v.w2 == 0 && v.w0 >= 1 && v.w0 <= 10
    }

    /// Runs the precompile at `a` with `gas` available.
    /// `recoverOverrides`: signatures (r ‖ s ‖ v, 65 bytes) ecrecover answers with a set address.
    public static func run(_ a: Address, input: [UInt8], gas: UInt64,
                           recoverOverrides: [[UInt8]: Address] = [:]) -> PrecompileResult {
        guard isPrecompile(a) else { return fail(gas, "not a precompile") }
        switch a.value.w0 {
        case 1:
            if !recoverOverrides.isEmpty {
                let d = padded(input, to: 128)
                if let signer = recoverOverrides[Array(d[64..<128]) + [d[63]]] {
                    return charged(3000, gas) { signer.value.bytes32 }
                }
            }
            return charged(3000, gas) { ecrecover(input) }
        case 2:
            return charged(perWord(60, 12, input.count), gas) {
                Array(SHA256.hash(data: input))
            }
        case 3:
            return charged(perWord(600, 120, input.count), gas) {
                [UInt8](repeating: 0, count: 12) + RIPEMD160.hash(input)
            }
        case 4:
            return charged(perWord(15, 3, input.count), gas) { input }
        case 5:
            let header = ModExp.Header(input)
            guard let cost = header.gasCost else { return outOfGas(gas) }
            return charged(cost, gas) { ModExp.run(input, header) }
        case 6:
            return tryCharged(150, gas) { BN254.add(input) } ?? fail(gas, "invalid point")
        case 7:
            return tryCharged(6000, gas) { BN254.mul(input) } ?? fail(gas, "invalid point")
        case 8:
            let pairs = UInt64(input.count / 192)
            let cost = satAdd(45000, satMul(34000, pairs))
            guard cost <= gas else { return outOfGas(gas) }
            guard input.count % 192 == 0 else { return fail(gas, "bad elliptic curve pairing size") }
            return tryCharged(cost, gas) { BN254.pairing(input) } ?? fail(gas, "invalid point")
        case 9:
            guard input.count == Blake2F.inputLength else { return fail(gas, "invalid input length") }
            let rounds = Blake2F.rounds(input)
            guard UInt64(rounds) <= gas else { return outOfGas(gas) }
            return tryCharged(UInt64(rounds), gas) { Blake2F.run(input) } ?? fail(gas, "invalid final flag")
        default: // 10
            guard gas >= 50000 else { return outOfGas(gas) }
            return fail(gas, "KZG point evaluation is not supported: stakenet accepts no blob transactions")
        }
    }

    // MARK: the simple ones

    /// 0x01: the signer's address left-padded to 32 bytes, or empty output (still a success)
    /// when v is not exactly 27 or 28, r or s is outside [1, n), or no key recovers.
    static func ecrecover(_ input: [UInt8]) -> [UInt8] {
        let d = padded(input, to: 128)
        let v = UInt256(bigEndian: d[32..<64])!
        guard v == UInt256(27) || v == UInt256(28) else { return [] }
        let r = UInt256(bigEndian: d[64..<96])!, s = UInt256(bigEndian: d[96..<128])!
        guard let signer = Secp256k1.recover(hash: Array(d[0..<32]), r: r, s: s,
                                             recoveryId: UInt8(v.w0 - 27)) else { return [] }
        return signer.value.bytes32
    }

    // MARK: helpers

    /// `base + perWord · ⌈count / 32⌉`, saturating.
    static func perWord(_ base: UInt64, _ perWord: UInt64, _ count: Int) -> UInt64 {
        satAdd(base, satMul(perWord, UInt64(count / 32 + (count % 32 == 0 ? 0 : 1))))
    }

    /// Charges `cost` from `gas` and returns `body`'s output, or out-of-gas when it is short.
    @inline(__always)
    static func charged(_ cost: UInt64, _ gas: UInt64, _ body: () -> [UInt8]) -> PrecompileResult {
        guard cost <= gas else { return outOfGas(gas) }
        return PrecompileResult(success: true, output: body(), gasUsed: cost)
    }

    /// As `charged`, but `body` may reject the input (nil); the caller turns that into a failure.
    @inline(__always)
    static func tryCharged(_ cost: UInt64, _ gas: UInt64, _ body: () -> [UInt8]?) -> PrecompileResult? {
        guard cost <= gas else { return outOfGas(gas) }
        guard let out = body() else { return nil }
        return PrecompileResult(success: true, output: out, gasUsed: cost)
    }

    static func outOfGas(_ gas: UInt64) -> PrecompileResult { fail(gas, "out of gas") }

    static func fail(_ gas: UInt64, _ error: String) -> PrecompileResult {
        PrecompileResult(success: false, output: [], gasUsed: gas, error: error)
    }

    /// The first `n` bytes of `input`, zero-filled past its end (the spec's `buffer_read`).
    static func padded(_ input: [UInt8], to n: Int) -> [UInt8] {
        if input.count == n { return input }
        if input.count > n { return Array(input[0..<n]) }
        return input + [UInt8](repeating: 0, count: n - input.count)
    }

    static func satAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.addingReportingOverflow(b); return r.overflow ? .max : r.partialValue
    }

    static func satMul(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedReportingOverflow(by: b); return r.overflow ? .max : r.partialValue
    }
}
