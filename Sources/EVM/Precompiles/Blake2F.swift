/// Precompile 0x09 (EIP-152): the BLAKE2b compression function F (RFC 7693 §3.2) with a
/// caller-chosen round count.
///
/// Input, exactly 213 bytes: rounds (4 bytes, big-endian) ‖ h (8 × u64 LE) ‖ m (16 × u64 LE)
/// ‖ t0, t1 (u64 LE each) ‖ f (1 byte, 0 or 1). Output: the new h, 64 bytes LE.
enum Blake2F {
    static let inputLength = 213

    /// The round count (the gas cost) of a 213-byte input.
    static func rounds(_ input: [UInt8]) -> UInt32 {
        UInt32(input[0]) << 24 | UInt32(input[1]) << 16 | UInt32(input[2]) << 8 | UInt32(input[3])
    }

    /// F over a 213-byte input; nil when the final-block flag is neither 0 nor 1.
    static func run(_ input: [UInt8]) -> [UInt8]? {
        precondition(input.count == inputLength)
        let flag = input[212]
        guard flag <= 1 else { return nil }
        var h = (0..<8).map { le64(input, 4 + 8 * $0) }
        let m = (0..<16).map { le64(input, 68 + 8 * $0) }
        compress(rounds: rounds(input), h: &h, m: m,
                 t0: le64(input, 196), t1: le64(input, 204), final: flag == 1)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for w in h { for j in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * j))) } }
        return out
    }

    static let iv: [UInt64] = [
        0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
        0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
    ]

    /// The ten message schedules of RFC 7693 §2.7; round i uses row i mod 10.
    static let sigma: [UInt8] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
    ]

    /// RFC 7693 §3.2 F, with `rounds` rounds instead of BLAKE2b's fixed 12.
    static func compress(rounds: UInt32, h: inout [UInt64], m: [UInt64], t0: UInt64, t1: UInt64, final: Bool) {
        var v = h + iv
        v[12] ^= t0
        v[13] ^= t1
        if final { v[14] = ~v[14] }
        v.withUnsafeMutableBufferPointer { vp in
            m.withUnsafeBufferPointer { mp in
                sigma.withUnsafeBufferPointer { sp in
                    var row = 0
                    for _ in 0..<rounds {
                        let s = sp.baseAddress! + row * 16
                        // Columns, then diagonals.
                        mix(vp, 0, 4, 8, 12, mp[Int(s[0])], mp[Int(s[1])])
                        mix(vp, 1, 5, 9, 13, mp[Int(s[2])], mp[Int(s[3])])
                        mix(vp, 2, 6, 10, 14, mp[Int(s[4])], mp[Int(s[5])])
                        mix(vp, 3, 7, 11, 15, mp[Int(s[6])], mp[Int(s[7])])
                        mix(vp, 0, 5, 10, 15, mp[Int(s[8])], mp[Int(s[9])])
                        mix(vp, 1, 6, 11, 12, mp[Int(s[10])], mp[Int(s[11])])
                        mix(vp, 2, 7, 8, 13, mp[Int(s[12])], mp[Int(s[13])])
                        mix(vp, 3, 4, 9, 14, mp[Int(s[14])], mp[Int(s[15])])
                        row = row == 9 ? 0 : row + 1
                    }
                }
            }
        }
        for i in 0..<8 { h[i] ^= v[i] ^ v[i + 8] }
    }

    /// The mixing function G (RFC 7693 §3.1), rotations 32, 24, 16, 63.
    @inline(__always)
    static func mix(_ v: UnsafeMutableBufferPointer<UInt64>, _ a: Int, _ b: Int, _ c: Int, _ d: Int,
                    _ x: UInt64, _ y: UInt64) {
        v[a] = v[a] &+ v[b] &+ x
        v[d] = rotr(v[d] ^ v[a], 32)
        v[c] = v[c] &+ v[d]
        v[b] = rotr(v[b] ^ v[c], 24)
        v[a] = v[a] &+ v[b] &+ y
        v[d] = rotr(v[d] ^ v[a], 16)
        v[c] = v[c] &+ v[d]
        v[b] = rotr(v[b] ^ v[c], 63)
    }

    @inline(__always)
    static func rotr(_ x: UInt64, _ n: UInt64) -> UInt64 { (x >> n) | (x << (64 - n)) }

    @inline(__always)
    static func le64(_ b: [UInt8], _ at: Int) -> UInt64 {
        var w: UInt64 = 0
        for j in 0..<8 { w |= UInt64(b[at + j]) << UInt64(8 * j) }
        return w
    }
}
