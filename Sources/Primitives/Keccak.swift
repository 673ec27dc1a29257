/// Ethereum's keccak-256: Keccak-f[1600], rate 1088 bits, original padding (0x01 … 0x80).
public enum Keccak256 {
    @usableFromInline static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]
    // rho offsets and pi destinations, in the order of the classic lane walk.
    @usableFromInline static let rotations: [UInt64] = [1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44]
    @usableFromInline static let piLanes: [Int] = [10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1]

    /// The Keccak-f[1600] permutation on 25 lanes.
    public static func permute(_ a: inout [UInt64]) {
        a.withUnsafeMutableBufferPointer { s in
            var c = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            for round in 0..<24 {
                // theta
                c.0 = s[0] ^ s[5] ^ s[10] ^ s[15] ^ s[20]
                c.1 = s[1] ^ s[6] ^ s[11] ^ s[16] ^ s[21]
                c.2 = s[2] ^ s[7] ^ s[12] ^ s[17] ^ s[22]
                c.3 = s[3] ^ s[8] ^ s[13] ^ s[18] ^ s[23]
                c.4 = s[4] ^ s[9] ^ s[14] ^ s[19] ^ s[24]
                let d0 = c.4 ^ rotl(c.1, 1), d1 = c.0 ^ rotl(c.2, 1), d2 = c.1 ^ rotl(c.3, 1)
                let d3 = c.2 ^ rotl(c.4, 1), d4 = c.3 ^ rotl(c.0, 1)
                for y in stride(from: 0, to: 25, by: 5) {
                    s[y] ^= d0; s[y + 1] ^= d1; s[y + 2] ^= d2; s[y + 3] ^= d3; s[y + 4] ^= d4
                }
                // rho + pi
                var t = s[1]
                for i in 0..<24 {
                    let j = piLanes[i]
                    let tmp = s[j]
                    s[j] = rotl(t, rotations[i])
                    t = tmp
                }
                // chi
                for y in stride(from: 0, to: 25, by: 5) {
                    let b0 = s[y], b1 = s[y + 1], b2 = s[y + 2], b3 = s[y + 3], b4 = s[y + 4]
                    s[y] = b0 ^ (~b1 & b2)
                    s[y + 1] = b1 ^ (~b2 & b3)
                    s[y + 2] = b2 ^ (~b3 & b4)
                    s[y + 3] = b3 ^ (~b4 & b0)
                    s[y + 4] = b4 ^ (~b0 & b1)
                }
                // iota
                s[0] ^= roundConstants[round]
            }
        }
    }

    @inline(__always) @usableFromInline static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }

    /// keccak-256 digest (32 bytes).
    public static func hash<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        let rate = 136
        var state = [UInt64](repeating: 0, count: 25)
        var block = [UInt8](repeating: 0, count: rate)
        var fill = 0
        func absorb() {
            block.withUnsafeBytes { raw in
                for i in 0..<(rate / 8) {
                    state[i] ^= UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                }
            }
            permute(&state)
        }
        for b in input {
            block[fill] = b
            fill += 1
            if fill == rate { absorb(); fill = 0 }
        }
        for i in fill..<rate { block[i] = 0 }
        block[fill] ^= 0x01
        block[rate - 1] ^= 0x80
        absorb()
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<4 {
            let lane = state[i]
            for j in 0..<8 { out[i * 8 + j] = UInt8(truncatingIfNeeded: lane >> UInt64(8 * j)) }
        }
        return out
    }
}

/// keccak-256 of `bytes`.
public func keccak256<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 { Keccak256.hash(bytes) }
