import Primitives

/// Precompile 0x05 (EIP-198, priced by EIP-2565): `base^exp mod modulus` over big-endian
/// integers of declared lengths.
///
/// Input: baseLen ‖ expLen ‖ modLen (32-byte words) ‖ base ‖ exp ‖ modulus, every read past
/// the end of the input yielding zeros. The lengths are 256-bit numbers; nothing is allocated
/// for them before the gas is paid, and a declared length too big to pay for is never read.
enum ModExp {
    /// The three lengths and the exponent's first 32 bytes: all the gas formula needs.
    struct Header {
        var baseLen: UInt256, expLen: UInt256, modLen: UInt256
        /// The first min(32, expLen) bytes of the exponent as a number.
        var expHead: UInt256

        init(_ input: [UInt8]) {
            baseLen = UInt256(bigEndian: ModExp.read(input, at: .zero, count: 32))!
            expLen = UInt256(bigEndian: ModExp.read(input, at: UInt256(32), count: 32))!
            modLen = UInt256(bigEndian: ModExp.read(input, at: UInt256(64), count: 32))!
            let headLen = expLen < UInt256(32) ? Int(expLen.w0) : 32
            // 96 + baseLen cannot wrap in a way that matters: a baseLen that large costs more
            // than any gas, and the head read then is all zeros anyway.
            expHead = UInt256(bigEndian: ModExp.read(input, at: UInt256(96).saturatingAdd(baseLen), count: headLen))!
        }

        /// EIP-2565: max(200, ⌊⌈max(baseLen, modLen) / 8⌉² · max(iterations, 1) / 3⌋), or nil
        /// when that does not fit in a UInt64 (no call can have that much gas). Saturating
        /// 256-bit arithmetic: a saturated intermediate is ≥ 2²⁵⁶ − 1, far above 3 · 2⁶⁴.
        var gasCost: UInt64? {
            let maxLen = Swift.max(baseLen, modLen)
            let words = (maxLen >> 3) &+ (maxLen.w0 & 7 == 0 ? .zero : .one)
            let complexity = words.saturatingMul(words)
            let cost = complexity.saturatingMul(iterations) / UInt256(3)
            return Swift.max(cost, UInt256(200)).uint64
        }

        /// The adjusted exponent length: roughly the exponent's bit length, at least 1.
        var iterations: UInt256 {
            let headBits = expHead.isZero ? 0 : expHead.bitWidth - 1
            var count = UInt256(headBits)
            if expLen > UInt256(32) {
                count = (expLen - UInt256(32)).saturatingMul(UInt256(8)).saturatingAdd(count)
            }
            return Swift.max(count, .one)
        }
    }

    /// The result, `modLen` bytes. Called only once the gas is paid, so the lengths are small
    /// enough to hold (see `Header.gasCost`).
    static func run(_ input: [UInt8], _ h: Header) -> [UInt8] {
        if h.baseLen.isZero && h.modLen.isZero { return [] }
        // Paid-for lengths are below 2⁶³ (baseLen, modLen far below): the sums cannot overflow.
        guard let baseLen = h.baseLen.int, let expLen = h.expLen.int, let modLen = h.modLen.int else {
            preconditionFailure("modexp lengths exceed what any gas pays for")
        }
        let modulus = BigNat(bigEndian: read(input, at: UInt256(96 + baseLen + expLen), count: modLen))
        if modulus.isZero { return [UInt8](repeating: 0, count: modLen) }
        let base = BigNat(bigEndian: read(input, at: UInt256(96), count: baseLen))
        let exp = BigNat(bigEndian: read(input, at: UInt256(96 + baseLen), count: expLen))
        return BigNat.modPow(base, exp, modulus).bigEndianBytes(count: modLen)
    }

    /// `count` bytes of `input` from `offset`, zero past its end.
    static func read(_ input: [UInt8], at offset: UInt256, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0, let start = offset.int, start < input.count else { return out }
        let n = Swift.min(count, input.count - start)
        out.withUnsafeMutableBufferPointer { o in
            input.withUnsafeBufferPointer { i in
                o.baseAddress!.update(from: i.baseAddress! + start, count: n)
            }
        }
        return out
    }
}
