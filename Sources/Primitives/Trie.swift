/// Merkle-Patricia trie roots (Yellow Paper, appendix D), computed in memory from the full
/// set of key/value pairs: the root is a function of the contents only, so no node database
/// is kept. Nodes whose encoding is shorter than 32 bytes are inlined in their parent.
public enum Trie {
    /// Root of the empty trie: keccak256(RLP("")).
    public static let emptyRoot = Hash(hex: "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")!

    /// Root of the trie holding `pairs`. When a key repeats, the last pair wins; an empty value
    /// means the key is absent (as a trie delete).
    public static func root(_ pairs: [([UInt8], [UInt8])]) -> Hash {
        var latest: [[UInt8]: Int] = [:]
        latest.reserveCapacity(pairs.count)
        for (i, p) in pairs.enumerated() { latest[p.0] = i }
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(latest.count)
        for (_, i) in latest where !pairs[i].1.isEmpty {
            entries.append((nibbles(pairs[i].0), pairs[i].1))
        }
        entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
        return rootOfSorted(entries)
    }

    /// Root of the trie mapping RLP(index) → `values[index]`: transactionsRoot, receiptsRoot,
    /// withdrawalsRoot. Values are the consensus encodings of the items.
    public static func orderedRoot(_ values: [[UInt8]]) -> Hash {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            entries.append((nibbles(RLP.encode(UInt64(i))), v))
        }
        entries.sort { $0.key.lexicographicallyPrecedes($1.key) }
        return rootOfSorted(entries)
    }

    /// `entries` sorted by key, keys unique, values non-empty.
    static func rootOfSorted(_ entries: [(key: [UInt8], value: [UInt8])]) -> Hash {
        if entries.isEmpty { return emptyRoot }
        var w = RLPWriter(capacity: 256)
        writeNode(entries, 0, entries.count, depth: 0, into: &w)
        return Hash.keccak(w.bytes)
    }

    /// The nibbles (half-bytes, high first) of `bytes`.
    static func nibbles(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: bytes.count * 2)
        for (i, b) in bytes.enumerated() {
            out[2 * i] = b >> 4
            out[2 * i + 1] = b & 0x0f
        }
        return out
    }

    /// Hex-prefix encoding of a nibble path, flagged as a leaf (terminated) or extension path.
    static func hexPrefix<C: Collection>(_ path: C, leaf: Bool) -> [UInt8] where C.Element == UInt8 {
        let odd = path.count % 2 == 1
        var out: [UInt8] = []
        out.reserveCapacity(path.count / 2 + 1)
        let flag: UInt8 = (leaf ? 2 : 0) + (odd ? 1 : 0)
        var it = path.makeIterator()
        if odd {
            out.append(flag << 4 | it.next()!)
        } else {
            out.append(flag << 4)
        }
        while let hi = it.next(), let lo = it.next() { out.append(hi << 4 | lo) }
        return out
    }

    /// Writes the node for entries[lo..<hi], whose keys all share their first `depth` nibbles.
    static func writeNode(_ e: [(key: [UInt8], value: [UInt8])], _ lo: Int, _ hi: Int, depth: Int,
                          into w: inout RLPWriter) {
        if hi - lo == 1 {
            let key = e[lo].key
            w.list { w in
                w.write(bytes: hexPrefix(key[depth...], leaf: true))
                w.write(bytes: e[lo].value)
            }
            return
        }
        // Sorted keys: the common prefix of the first and the last is common to all.
        let first = e[lo].key, last = e[hi - 1].key
        var cp = 0
        while depth + cp < first.count && depth + cp < last.count && first[depth + cp] == last[depth + cp] { cp += 1 }
        if cp > 0 {
            w.list { w in
                w.write(bytes: hexPrefix(first[depth..<(depth + cp)], leaf: false))
                writeReference(e, lo, hi, depth: depth + cp, into: &w)
            }
            return
        }
        // Branch: a key that ends here is the value; the rest split on their next nibble.
        var i = lo
        var value: [UInt8] = []
        if e[i].key.count == depth {
            value = e[i].value
            i += 1
        }
        w.list { w in
            for nibble in UInt8(0)..<16 {
                let start = i
                while i < hi && e[i].key[depth] == nibble { i += 1 }
                if start == i {
                    w.write(bytes: [UInt8]())
                } else {
                    writeReference(e, start, i, depth: depth + 1, into: &w)
                }
            }
            w.write(bytes: value)
        }
    }

    /// Writes a child reference: the node itself when its encoding is shorter than 32 bytes,
    /// else the keccak of the encoding.
    static func writeReference(_ e: [(key: [UInt8], value: [UInt8])], _ lo: Int, _ hi: Int, depth: Int,
                               into w: inout RLPWriter) {
        var child = RLPWriter(capacity: 128)
        writeNode(e, lo, hi, depth: depth, into: &child)
        if child.bytes.count < 32 {
            w.write(encoded: child.bytes)
        } else {
            w.write(Hash.keccak(child.bytes))
        }
    }
}
