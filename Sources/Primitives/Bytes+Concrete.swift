// Concrete (non-generic) byte decoders. The generic `Collection` initialisers are not
// specialised across modules, so every call paid for generic dispatch and a reversed
// sequence; call sites holding `[UInt8]` or `ArraySlice<UInt8>` pick these up instead.

extension UInt256 {
    /// Big-endian bytes, at most 32.
    @inlinable
    public init?(bigEndian b: UnsafeRawBufferPointer) {
        guard b.count <= 32 else { return nil }
        var r = UInt256.zero
        var end = b.count
        var limb = 0
        while end >= 8 {
            r[limb: limb] = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self))
            end -= 8
            limb += 1
        }
        if end > 0 {
            var v: UInt64 = 0
            for i in 0..<end { v = v << 8 | UInt64(b[i]) }
            r[limb: limb] = v
        }
        self = r
    }

    @inlinable
    public init?(bigEndian b: [UInt8]) {
        guard let v = b.withUnsafeBytes({ UInt256(bigEndian: $0) }) else { return nil }
        self = v
    }

    @inlinable
    public init?(bigEndian b: ArraySlice<UInt8>) {
        guard let v = b.withUnsafeBytes({ UInt256(bigEndian: $0) }) else { return nil }
        self = v
    }
}

extension Hash {
    @inlinable
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32, let v = UInt256(bigEndian: bytes) else { return nil }
        self.init(v)
    }

    @inlinable
    public init?(bytes: ArraySlice<UInt8>) {
        guard bytes.count == 32, let v = UInt256(bigEndian: bytes) else { return nil }
        self.init(v)
    }
}

extension Address {
    @inlinable
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20, let v = UInt256(bigEndian: bytes) else { return nil }
        self.init(truncating: v)
    }

    @inlinable
    public init?(bytes: ArraySlice<UInt8>) {
        guard bytes.count == 20, let v = UInt256(bigEndian: bytes) else { return nil }
        self.init(truncating: v)
    }
}
