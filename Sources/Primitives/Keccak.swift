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

    static let rate = 136

    /// The Keccak-f[1600] permutation on 25 lanes.
    public static func permute(_ a: inout [UInt64]) {
        precondition(a.count == 25)
        a.withUnsafeMutableBufferPointer { permute($0.baseAddress!) }
    }

    @inline(__always) static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }

    /// The permutation on 25 lanes at `s` (rho and pi unrolled: lane walk from lane 1).
    static func permute(_ s: UnsafeMutablePointer<UInt64>) {
        roundConstants.withUnsafeBufferPointer { rc in
            for round in 0..<24 {
                // theta
                let c0 = s[0] ^ s[5] ^ s[10] ^ s[15] ^ s[20]
                let c1 = s[1] ^ s[6] ^ s[11] ^ s[16] ^ s[21]
                let c2 = s[2] ^ s[7] ^ s[12] ^ s[17] ^ s[22]
                let c3 = s[3] ^ s[8] ^ s[13] ^ s[18] ^ s[23]
                let c4 = s[4] ^ s[9] ^ s[14] ^ s[19] ^ s[24]
                let d0 = c4 ^ rotl(c1, 1), d1 = c0 ^ rotl(c2, 1), d2 = c1 ^ rotl(c3, 1)
                let d3 = c2 ^ rotl(c4, 1), d4 = c3 ^ rotl(c0, 1)
                var y = 0
                while y < 25 {
                    s[y] ^= d0; s[y + 1] ^= d1; s[y + 2] ^= d2; s[y + 3] ^= d3; s[y + 4] ^= d4
                    y += 5
                }
                // rho + pi
                var t = s[1], tmp: UInt64 = 0
                tmp = s[10]; s[10] = rotl(t, 1); t = tmp
                tmp = s[7]; s[7] = rotl(t, 3); t = tmp
                tmp = s[11]; s[11] = rotl(t, 6); t = tmp
                tmp = s[17]; s[17] = rotl(t, 10); t = tmp
                tmp = s[18]; s[18] = rotl(t, 15); t = tmp
                tmp = s[3]; s[3] = rotl(t, 21); t = tmp
                tmp = s[5]; s[5] = rotl(t, 28); t = tmp
                tmp = s[16]; s[16] = rotl(t, 36); t = tmp
                tmp = s[8]; s[8] = rotl(t, 45); t = tmp
                tmp = s[21]; s[21] = rotl(t, 55); t = tmp
                tmp = s[24]; s[24] = rotl(t, 2); t = tmp
                tmp = s[4]; s[4] = rotl(t, 14); t = tmp
                tmp = s[15]; s[15] = rotl(t, 27); t = tmp
                tmp = s[23]; s[23] = rotl(t, 41); t = tmp
                tmp = s[19]; s[19] = rotl(t, 56); t = tmp
                tmp = s[13]; s[13] = rotl(t, 8); t = tmp
                tmp = s[12]; s[12] = rotl(t, 25); t = tmp
                tmp = s[2]; s[2] = rotl(t, 43); t = tmp
                tmp = s[20]; s[20] = rotl(t, 62); t = tmp
                tmp = s[14]; s[14] = rotl(t, 18); t = tmp
                tmp = s[22]; s[22] = rotl(t, 39); t = tmp
                tmp = s[9]; s[9] = rotl(t, 61); t = tmp
                tmp = s[6]; s[6] = rotl(t, 20); t = tmp
                tmp = s[1]; s[1] = rotl(t, 44); t = tmp
                // chi
                y = 0
                while y < 25 {
                    let b0 = s[y], b1 = s[y + 1], b2 = s[y + 2], b3 = s[y + 3], b4 = s[y + 4]
                    s[y] = b0 ^ (~b1 & b2)
                    s[y + 1] = b1 ^ (~b2 & b3)
                    s[y + 2] = b2 ^ (~b3 & b4)
                    s[y + 3] = b3 ^ (~b4 & b0)
                    s[y + 4] = b4 ^ (~b0 & b1)
                    y += 5
                }
                // iota
                s[0] ^= rc[round]
            }
        }
    }

    /// keccak-256 digest (32 bytes).
    public static func hash<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        if let r = input.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return r }
        return Array(input).withUnsafeBytes { hash($0) }
    }

    /// keccak-256 of raw bytes; the state lives on the stack, whole blocks are absorbed in place.
    public static func hash(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25 + rate / 8) { buf in
            let s = buf.baseAddress!
            s.initialize(repeating: 0, count: 25 + rate / 8)
            var off = 0
            let n = input.count
            while n - off >= rate {
                for i in 0..<(rate / 8) {
                    s[i] ^= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: off + i * 8, as: UInt64.self))
                }
                permute(s)
                off += rate
            }
            // Last, padded block in the scratch lanes after the state.
            let last = UnsafeMutableRawPointer(s + 25)
            let rest = n - off
            if rest > 0 { last.copyMemory(from: input.baseAddress! + off, byteCount: rest) }
            let bytes = last.assumingMemoryBound(to: UInt8.self)
            bytes[rest] ^= 0x01
            bytes[rate - 1] ^= 0x80
            for i in 0..<(rate / 8) {
                s[i] ^= UInt64(littleEndian: last.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
            }
            permute(s)
            return [UInt8](unsafeUninitializedCapacity: 32) { out, count in
                for i in 0..<4 {
                    let lane = s[i].littleEndian
                    withUnsafeBytes(of: lane) { out.baseAddress!.advanced(by: i * 8).initialize(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: 8) }
                }
                count = 32
            }
        }
    }
}

/// keccak-256 of `bytes`.
public func keccak256<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 { Keccak256.hash(bytes) }
