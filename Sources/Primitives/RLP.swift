/// Recursive Length Prefix encoding (Yellow Paper, appendix B).
///
/// Three tools:
/// - `RLPWriter`: a byte writer for the hot paths (transactions, receipts, headers, trie nodes);
///   lists are written in place, no tree of items is built.
/// - `RLPReader`: a strict, zero-copy cursor for decoding known layouts field by field.
/// - `RLP.Item`: a generic tree, for tests and ad-hoc data.
///
/// Decoding is strict: anything but the one canonical encoding is rejected with a typed
/// `RLPError`; no input makes the decoder trap.
public enum RLP {
    /// A decoded RLP value: a byte string or a list of values.
    public indirect enum Item: Hashable, Sendable {
        case bytes([UInt8])
        case list([Item])
    }

    /// Nesting limit of `decode(_:)` (the generic decoder is recursive).
    public static let maxDepth = 1024

    /// Encodes `item`.
    public static func encode(_ item: Item) -> [UInt8] {
        var w = RLPWriter(capacity: 64)
        w.write(item)
        return w.bytes
    }

    /// Encodes one byte string.
    public static func encode<C: Collection>(bytes: C) -> [UInt8] where C.Element == UInt8 {
        var w = RLPWriter(capacity: bytes.count + 9)
        w.write(bytes: bytes)
        return w.bytes
    }

    /// Encodes an integer as a minimal big-endian byte string (zero is `0x80`).
    public static func encode(_ value: UInt256) -> [UInt8] {
        var w = RLPWriter(capacity: 33)
        w.write(value)
        return w.bytes
    }

    /// Encodes an integer as a minimal big-endian byte string (zero is `0x80`).
    public static func encode(_ value: UInt64) -> [UInt8] {
        var w = RLPWriter(capacity: 9)
        w.write(value)
        return w.bytes
    }

    /// Decodes exactly one item spanning all of `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(RLPError) -> Item {
        guard !bytes.isEmpty else { throw .emptyInput }
        var r = RLPReader(bytes)
        let item = try r.readItem()
        try r.finish()
        return item
    }

    /// Minimal big-endian bytes of `value` (empty for zero).
    public static func minimalBytes(_ value: UInt64) -> [UInt8] {
        let n = (64 - value.leadingZeroBitCount + 7) / 8
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n { out[i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * (n - 1 - i))) }
        return out
    }

    /// Minimal big-endian bytes of `value` (empty for zero).
    public static func minimalBytes(_ value: UInt256) -> [UInt8] { value.minimalBytes }

    /// Strictly decodes the payload of an RLP integer: no leading zero byte, at most 32 bytes.
    /// The empty string is zero. (A leading zero is reported before an excess length, as geth
    /// does for big integers.)
    @inlinable
    public static func decodeUInt256<C: Collection>(_ payload: C) throws(RLPError) -> UInt256 where C.Element == UInt8 {
        if let first = payload.first, first == 0 { throw .leadingZeroInInteger }
        guard payload.count <= 32 else { throw .integerTooLarge(maxBytes: 32) }
        var r = UInt256.zero
        var shift = 0
        for b in payload.reversed() {
            r[limb: shift >> 6] |= UInt64(b) << UInt64(shift & 63)
            shift += 8
        }
        return r
    }

    /// Strictly decodes the payload of an RLP integer that must fit 64 bits. (An excess length
    /// is reported before a leading zero, as geth does for uint64.)
    @inlinable
    public static func decodeUInt64<C: Collection>(_ payload: C) throws(RLPError) -> UInt64 where C.Element == UInt8 {
        guard payload.count <= 8 else { throw .integerTooLarge(maxBytes: 8) }
        if let first = payload.first, first == 0 { throw .leadingZeroInInteger }
        var r: UInt64 = 0
        for b in payload { r = r << 8 | UInt64(b) }
        return r
    }
}

/// Why an RLP input was rejected.
public enum RLPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// There was nothing to decode.
    case emptyInput
    /// A length runs past the end of the input or of the enclosing list.
    case truncated
    /// A single byte below 0x80 written as a one-byte string (`0x81 0x05`).
    case nonCanonicalSingleByte
    /// The long length form used for a payload shorter than 56 bytes.
    case nonCanonicalLength
    /// A long-form length that starts with a zero byte.
    case leadingZeroInLength
    /// A length that does not fit in memory.
    case lengthOverflow
    /// Bytes left after the item (the count of extra bytes).
    case trailingBytes(Int)
    /// A list where a byte string was required.
    case expectedBytes
    /// A byte string where a list was required.
    case expectedList
    /// An integer encoded with a leading zero byte (zero must be the empty string).
    case leadingZeroInInteger
    /// An integer longer than the field allows.
    case integerTooLarge(maxBytes: Int)
    /// Lists nested deeper than `RLP.maxDepth`.
    case tooDeep
    /// A fixed-size byte string (hash, address, bloom, nonce) of the wrong length.
    case wrongLength(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .emptyInput: return "empty input"
        case .truncated: return "value size exceeds available input length"
        case .nonCanonicalSingleByte: return "non-canonical size information (single byte below 0x80 must be encoded as itself)"
        case .nonCanonicalLength: return "non-canonical size information (long form for a length below 56)"
        case .leadingZeroInLength: return "non-canonical size information (leading zero in length)"
        case .lengthOverflow: return "length overflow"
        case .trailingBytes(let n): return "input contains \(n) bytes after the value"
        case .expectedBytes: return "expected input string or byte"
        case .expectedList: return "expected input list"
        case .leadingZeroInInteger: return "non-canonical integer (leading zero bytes)"
        case .integerTooLarge(let n): return "integer larger than \(n) bytes"
        case .tooDeep: return "lists nested too deeply"
        case .wrongLength(let e, let g): return "input string of \(g) bytes where \(e) are required"
        }
    }
}

// MARK: - Writer

/// Appends RLP encodings to a byte buffer. Lists are written in place with `list { … }`.
public struct RLPWriter: Sendable {
    public var bytes: [UInt8]

    @inlinable public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Number of bytes needed for the big-endian form of `n` (n > 0).
    @inlinable static func byteCount(_ n: UInt64) -> Int { (64 - n.leadingZeroBitCount + 7) / 8 }

    @inlinable mutating func appendBigEndian(_ v: UInt64, count: Int) {
        var i = count - 1
        while i >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i)))
            i -= 1
        }
    }

    /// A string or list header for a payload of `length` bytes (`offset` 0x80 or 0xc0).
    @inlinable public mutating func writeHeader(length: Int, offset: UInt8) {
        if length < 56 {
            bytes.append(offset + UInt8(length))
        } else {
            let n = RLPWriter.byteCount(UInt64(length))
            bytes.append(offset + 55 + UInt8(n))
            appendBigEndian(UInt64(length), count: n)
        }
    }

    /// A byte string.
    @inlinable public mutating func write<C: Collection>(bytes b: C) where C.Element == UInt8 {
        let n = b.count
        if n == 1, let f = b.first, f < 0x80 {
            bytes.append(f)
            return
        }
        writeHeader(length: n, offset: 0x80)
        bytes.append(contentsOf: b)
    }

    /// An integer, minimal big-endian (zero is the empty string).
    @inlinable public mutating func write(_ v: UInt64) {
        if v == 0 {
            bytes.append(0x80)
        } else if v < 0x80 {
            bytes.append(UInt8(v))
        } else {
            let n = RLPWriter.byteCount(v)
            bytes.append(0x80 + UInt8(n))
            appendBigEndian(v, count: n)
        }
    }

    @inlinable public mutating func write(_ v: Int) {
        precondition(v >= 0, "RLP of a negative Int")
        write(UInt64(v))
    }

    /// An integer, minimal big-endian (zero is the empty string).
    @inlinable public mutating func write(_ v: UInt256) {
        if (v.w1 | v.w2 | v.w3) == 0 { write(v.w0); return }
        let n = (v.bitWidth + 7) / 8
        bytes.append(0x80 + UInt8(n))
        // The top limb is partial, the rest are whole.
        let top = (n - 1) / 8
        let topBytes = n - top * 8
        appendBigEndian(v[limb: top], count: topBytes)
        var i = top - 1
        while i >= 0 {
            appendBigEndian(v[limb: i], count: 8)
            i -= 1
        }
    }

    public mutating func write(_ b: Bool) { bytes.append(b ? 0x01 : 0x80) }

    /// A 20-byte string.
    @inlinable public mutating func write(_ a: Address) {
        bytes.append(0x94)
        appendBigEndian(a.value.w2, count: 4)
        appendBigEndian(a.value.w1, count: 8)
        appendBigEndian(a.value.w0, count: 8)
    }

    /// A 20-byte string, or the empty string for nil (contract creation's `to`).
    @inlinable public mutating func write(_ a: Address?) {
        if let a { write(a) } else { bytes.append(0x80) }
    }

    /// A 32-byte string.
    @inlinable public mutating func write(_ h: Hash) {
        bytes.append(0xa0)
        appendBigEndian(h.value.w3, count: 8)
        appendBigEndian(h.value.w2, count: 8)
        appendBigEndian(h.value.w1, count: 8)
        appendBigEndian(h.value.w0, count: 8)
    }

    /// Bytes that already are one RLP item, copied as they are.
    @inlinable public mutating func write<C: Collection>(encoded: C) where C.Element == UInt8 {
        bytes.append(contentsOf: encoded)
    }

    /// A list whose items `body` writes.
    @inlinable public mutating func list<E: Error>(_ body: (inout RLPWriter) throws(E) -> Void) throws(E) {
        let start = bytes.count
        bytes.append(0xc0) // room for a short header; widened below if needed
        try body(&self)
        let length = bytes.count - start - 1
        if length < 56 {
            bytes[start] = 0xc0 + UInt8(length)
        } else {
            let n = RLPWriter.byteCount(UInt64(length))
            bytes[start] = 0xf7 + UInt8(n)
            var header = [UInt8](repeating: 0, count: n)
            for i in 0..<n { header[i] = UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(8 * (n - 1 - i))) }
            bytes.insert(contentsOf: header, at: start + 1)
        }
    }

    /// A generic item.
    public mutating func write(_ item: RLP.Item) {
        switch item {
        case .bytes(let b): write(bytes: b)
        case .list(let items):
            list { w in for i in items { w.write(i) } }
        }
    }
}

// MARK: - Reader

/// A strict cursor over RLP input. Each `read…` consumes one item; `readList()` returns a
/// reader over the list's payload. Byte strings come back as slices of the input (no copy).
public struct RLPReader: Sendable {
    public let data: [UInt8]
    @usableFromInline var pos: Int
    public let end: Int
    /// Offset of the next item in `data`.
    @inlinable public var position: Int { pos }

    public init(_ data: [UInt8]) {
        self.data = data
        pos = 0
        end = data.count
    }

    @usableFromInline init(data: [UInt8], start: Int, end: Int) {
        self.data = data
        pos = start
        self.end = end
    }

    /// True when every item has been read.
    @inlinable public var isAtEnd: Bool { position >= end }

    /// Bytes not yet read.
    @inlinable public var remaining: Int { end - position }

    /// Header of the item at `p`: whether it is a list, where its payload starts and its length.
    @inlinable
    func header(at p: Int) throws(RLPError) -> (isList: Bool, start: Int, length: Int) {
        guard p < end else { throw .truncated }
        let b = data[p]
        let avail = end - p - 1
        switch b {
        case 0x00...0x7f:
            return (false, p, 1)
        case 0x80...0xb7:
            let len = Int(b - 0x80)
            guard len <= avail else { throw .truncated }
            if len == 1 && data[p + 1] < 0x80 { throw .nonCanonicalSingleByte }
            return (false, p + 1, len)
        case 0xb8...0xbf:
            let n = Int(b - 0xb7)
            let len = try longLength(at: p + 1, count: n)
            return (false, p + 1 + n, len)
        case 0xc0...0xf7:
            let len = Int(b - 0xc0)
            guard len <= avail else { throw .truncated }
            return (true, p + 1, len)
        default:
            let n = Int(b - 0xf7)
            let len = try longLength(at: p + 1, count: n)
            return (true, p + 1 + n, len)
        }
    }

    @inlinable
    func longLength(at q: Int, count n: Int) throws(RLPError) -> Int {
        guard n <= end - q else { throw .truncated }
        guard data[q] != 0 else { throw .leadingZeroInLength }
        var len: UInt64 = 0
        for i in 0..<n { len = len << 8 | UInt64(data[q + i]) }
        guard len >= 56 else { throw .nonCanonicalLength }
        guard len <= UInt64(Int.max) else { throw .lengthOverflow }
        guard len <= UInt64(end - q - n) else { throw .truncated }
        return Int(len)
    }

    /// Whether the next item is a list (without consuming it).
    @inlinable public func peekIsList() throws(RLPError) -> Bool {
        try header(at: position).isList
    }

    /// The next item, which must be a byte string.
    @inlinable public mutating func readBytes() throws(RLPError) -> ArraySlice<UInt8> {
        let h = try header(at: position)
        guard !h.isList else { throw .expectedBytes }
        pos = h.start + h.length
        return data[h.start..<(h.start + h.length)]
    }

    /// The next item, which must be a list; returns a reader over its items.
    @inlinable public mutating func readList() throws(RLPError) -> RLPReader {
        let h = try header(at: position)
        guard h.isList else { throw .expectedList }
        pos = h.start + h.length
        return RLPReader(data: data, start: h.start, end: h.start + h.length)
    }

    /// The full encoding of the next item (header included), whatever it is.
    @inlinable public mutating func readRaw() throws(RLPError) -> ArraySlice<UInt8> {
        let p = position
        let h = try header(at: p)
        pos = h.start + h.length
        return data[p..<position]
    }

    /// The next item as a strictly encoded integer of at most 32 bytes.
    @inlinable public mutating func readUInt256() throws(RLPError) -> UInt256 {
        try RLP.decodeUInt256(readBytes())
    }

    /// The next item as a strictly encoded integer of at most 8 bytes.
    @inlinable public mutating func readUInt64() throws(RLPError) -> UInt64 {
        try RLP.decodeUInt64(readBytes())
    }

    /// The next item as a generic tree.
    public mutating func readItem() throws(RLPError) -> RLP.Item {
        try readItem(depth: 0)
    }

    mutating func readItem(depth: Int) throws(RLPError) -> RLP.Item {
        let h = try header(at: position)
        pos = h.start + h.length
        if !h.isList { return .bytes(Array(data[h.start..<(h.start + h.length)])) }
        guard depth < RLP.maxDepth else { throw .tooDeep }
        var sub = RLPReader(data: data, start: h.start, end: h.start + h.length)
        var items: [RLP.Item] = []
        while !sub.isAtEnd { items.append(try sub.readItem(depth: depth + 1)) }
        return .list(items)
    }

    /// Throws `trailingBytes` unless every item has been read.
    @inlinable public func finish() throws(RLPError) {
        if position < end { throw .trailingBytes(end - position) }
    }
}

// MARK: - Item conveniences

extension RLP.Item {
    /// An integer item (minimal big-endian).
    public static func uint(_ v: UInt256) -> RLP.Item { .bytes(v.minimalBytes) }
    /// An integer item (minimal big-endian).
    @_disfavoredOverload
    public static func uint(_ v: UInt64) -> RLP.Item { .bytes(RLP.minimalBytes(v)) }

    /// The encoding of this item.
    public var encoded: [UInt8] { RLP.encode(self) }

    /// The byte string, or nil for a list.
    public var bytesValue: [UInt8]? { if case .bytes(let b) = self { return b }; return nil }
    /// The items, or nil for a byte string.
    public var listValue: [RLP.Item]? { if case .list(let l) = self { return l }; return nil }

    /// The byte string as a strict integer of at most 32 bytes.
    public func uint256() throws(RLPError) -> UInt256 {
        guard case .bytes(let b) = self else { throw .expectedBytes }
        return try RLP.decodeUInt256(b)
    }
    /// The byte string as a strict integer of at most 8 bytes.
    public func uint64() throws(RLPError) -> UInt64 {
        guard case .bytes(let b) = self else { throw .expectedBytes }
        return try RLP.decodeUInt64(b)
    }
}
