/// A map for the handful of keys one transaction touches (accounts, slots, access sets): up to
/// `linearLimit` keys live in two arrays searched in order, past that a dictionary indexes them.
/// A transaction that touches a few accounts then costs a few word comparisons per lookup
/// instead of a SipHash round and a hash-table insert (with its reallocations as the table
/// grows), which were a quarter of a plain `eth_call`. Iteration follows insertion order.
struct SmallMap<Key: Hashable, Value>: Sequence {
    private var keys: [Key] = []
    private var values: [Value] = []
    private var index: [Key: Int]?
    static var linearLimit: Int { 16 }

    init() {}

    var count: Int { keys.count }

    @inline(__always) private func position(_ k: Key) -> Int? {
        if let index { return index[k] }
        var i = 0
        while i < keys.count {
            if keys[i] == k { return i }
            i += 1
        }
        return nil
    }

    subscript(k: Key) -> Value? {
        @inline(__always) get { position(k).map { values[$0] } }
        set {
            if let v = newValue { set(k, v) } else { remove(k) }
        }
    }

    func contains(_ k: Key) -> Bool { position(k) != nil }

    /// Sets `k` to `v`; true when `k` was not there.
    @discardableResult
    mutating func set(_ k: Key, _ v: Value) -> Bool {
        if let i = position(k) { values[i] = v; return false }
        keys.append(k)
        values.append(v)
        if index != nil {
            index![k] = keys.count - 1
        } else if keys.count > Self.linearLimit {
            index = positions()
        }
        return true
    }

    /// Changes the value of a key that is present.
    @inline(__always) mutating func modify(_ k: Key, _ body: (inout Value) -> Void) {
        guard let i = position(k) else { return }
        body(&values[i])
    }

    mutating func remove(_ k: Key) {
        guard let i = position(k) else { return }
        keys.remove(at: i)
        values.remove(at: i)
        guard index != nil else { return }
        if i == keys.count { index![k] = nil } else { index = positions() }
    }

    /// The dictionary index of the keys as they stand.
    private func positions() -> [Key: Int] {
        var d = [Key: Int](minimumCapacity: keys.count * 2)
        for (i, key) in keys.enumerated() { d[key] = i }
        return d
    }

    struct Iterator: IteratorProtocol {
        let keys: [Key], values: [Value]
        var i = 0
        mutating func next() -> (key: Key, value: Value)? {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (keys[i], values[i])
        }
    }
    func makeIterator() -> Iterator { Iterator(keys: keys, values: values) }
}

/// A set with `SmallMap`'s layout.
struct SmallSet<Element: Hashable>: Sequence {
    private var map = SmallMap<Element, Void>()
    init() {}
    var count: Int { map.count }
    func contains(_ e: Element) -> Bool { map.contains(e) }
    /// True when `e` was not there.
    @discardableResult mutating func insert(_ e: Element) -> Bool { map.set(e, ()) }
    mutating func remove(_ e: Element) { map.remove(e) }
    func makeIterator() -> LazyMapSequence<SmallMap<Element, Void>, Element>.Iterator {
        map.lazy.map { $0.key }.makeIterator()
    }
}
