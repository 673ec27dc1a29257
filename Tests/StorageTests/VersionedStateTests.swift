import XCTest
import Foundation
import Storage
import TestSupport

/// The obvious in-memory model of a multi-version state.
struct StateModel {
    var history: [[UInt8]: [UInt64: [UInt8]?]] = [:]

    mutating func write(_ key: [UInt8], _ value: [UInt8]?, block: UInt64) {
        history[key, default: [:]][block] = .some(value)
    }

    func read(_ key: [UInt8], at block: UInt64) -> [UInt8]? {
        guard let h = history[key], let newest = h.keys.filter({ $0 <= block }).max() else { return nil }
        return h[newest]!
    }

    mutating func truncate(above block: UInt64) {
        for k in Array(history.keys) {
            history[k] = history[k]!.filter { $0.key <= block }
            if history[k]!.isEmpty { history[k] = nil }
        }
    }

    func all(prefix: [UInt8], at block: UInt64) -> [[UInt8]: [UInt8]] {
        var out: [[UInt8]: [UInt8]] = [:]
        for k in history.keys where k.starts(with: prefix) {
            if let v = read(k, at: block) { out[k] = v }
        }
        return out
    }
}

final class VersionedStateTests: TempDirTestCase {
    func write(_ state: VersionedState, _ writes: [([UInt8], [UInt8]?)], block: UInt64) throws {
        var batch = WriteBatch()
        state.stage(writes, block: block, into: &batch)
        try state.db.write(batch, sync: false)
    }

    func testReadsAtManyBlocks() throws {
        let state = VersionedState(try Database(path: dbPath()))
        let k = b("balance:alice")
        try write(state, [(k, b("100"))], block: 5)
        try write(state, [(k, b("70"))], block: 8)
        try write(state, [(k, nil)], block: 10)              // tombstone
        try write(state, [(k, b("5"))], block: 15)
        try write(state, [(k, [])], block: 20)               // an empty value is a value
        let expected: [UInt64: [UInt8]?] = [0: nil, 4: nil, 5: b("100"), 6: b("100"), 7: b("100"), 8: b("70"),
                                             9: b("70"), 10: nil, 11: nil, 14: nil, 15: b("5"), 19: b("5"),
                                             20: [], 21: [], UInt64.max: []]
        for (blk, want) in expected {
            XCTAssertEqual(state.read(k, at: blk), want, "block \(blk)")
        }
        XCTAssertNil(state.read(b("balance:bob"), at: 100))
        XCTAssertNil(state.read(b("balance:alic"), at: 100))
        XCTAssertNil(state.read(b("balance:alicee"), at: 100))
        XCTAssertEqual(try state.read([k, b("balance:bob"), k], at: 9), [b("70"), nil, b("70")])
        XCTAssertEqual(try state.changedKeys(in: 10), [k])
        XCTAssertEqual(try state.changedKeys(in: 11), [])
    }

    func testBlockZeroAndMaxBlock() throws {
        let state = VersionedState(try Database(path: dbPath()))
        try write(state, [(b("k"), b("genesis"))], block: 0)
        try write(state, [(b("k"), b("last"))], block: UInt64.max)
        XCTAssertEqual(state.read(b("k"), at: 0), b("genesis"))
        XCTAssertEqual(state.read(b("k"), at: UInt64.max - 1), b("genesis"))
        XCTAssertEqual(state.read(b("k"), at: UInt64.max), b("last"))
        try state.truncate(above: UInt64.max - 1)
        XCTAssertEqual(state.read(b("k"), at: UInt64.max), b("genesis"))
        XCTAssertEqual(try state.truncate(above: UInt64.max), 0)
    }

    func testKeysThatArePrefixesOfOthersDoNotBleed() throws {
        let db = try Database(path: dbPath())
        let state = VersionedState(db)
        // Keys chosen to collide with naive layouts: a key plus 8 bytes that look like ~block,
        // zero bytes, 0xFF bytes, the empty key, and a key longer than 255 bytes.
        let base = b("acct")
        let plus8 = base + [UInt8](repeating: 0xFF, count: 8)
        let plus8b = base + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFA]
        let zero = base + [0]
        let ff = base + [0xFF]
        let long = [UInt8](repeating: 7, count: 300)
        let longer = long + [0]
        let keys: [[UInt8]] = [[], [0], base, plus8, plus8b, zero, ff, long, longer, Array(base.prefix(3))]
        var model = StateModel()
        for blk in UInt64(1)...12 {
            var writes: [([UInt8], [UInt8]?)] = []
            for (i, k) in keys.enumerated() where (Int(blk) + i) % 3 != 0 {
                let v: [UInt8]? = (Int(blk) * 7 + i) % 5 == 0 ? nil : b("\(i)@\(blk)")
                writes.append((k, v))
                model.write(k, v, block: blk)
            }
            try write(state, writes, block: blk)
        }
        for blk in UInt64(0)...14 {
            for k in keys {
                XCTAssertEqual(state.read(k, at: blk), model.read(k, at: blk), "key \(k.prefix(12)) (\(k.count) bytes) at \(blk)")
            }
        }
        for blk: UInt64 in [0, 3, 7, 12] {
            for prefix in [[], base, [7], plus8, long] as [[UInt8]] {
                var got: [[UInt8]: [UInt8]] = [:]
                try state.forEach(prefix: prefix, at: blk) { k, v in
                    XCTAssertNil(got[k], "each key once")
                    got[k] = v
                }
                XCTAssertEqual(got, model.all(prefix: prefix, at: blk), "prefix \(prefix.prefix(8)) at \(blk)")
            }
        }
    }

    func testTruncate() throws {
        let db = try Database(path: dbPath())
        let state = VersionedState(db)
        var model = StateModel()
        let keys = (0..<20).map { b("key\($0)") }
        var writesAbove5 = 0
        for blk in UInt64(1)...10 {
            var writes: [([UInt8], [UInt8]?)] = []
            for (i, k) in keys.enumerated() where (i + Int(blk)) % 4 != 0 {
                let v: [UInt8]? = i % 7 == 3 && blk % 2 == 0 ? nil : b("\(i)/\(blk)")
                writes.append((k, v))
                model.write(k, v, block: blk)
                if blk > 5 { writesAbove5 += 1 }
            }
            try write(state, writes, block: blk)
        }
        let before = (0...5).map { blk in keys.map { state.read($0, at: UInt64(blk)) } }
        db.put(unchecked: b("block:7"), b("header 7"))

        // One batch: the state above 5 and the chain's own data above 5.
        var batch = WriteBatch()
        let removed = try state.stageTruncate(above: 5, into: &batch)
        XCTAssertEqual(removed, writesAbove5, "only the versions written above 5 are visited")
        batch.delete(b("block:7"))
        try db.write(batch, sync: true)
        model.truncate(above: 5)

        for blk in 0...5 {
            XCTAssertEqual(keys.map { state.read($0, at: UInt64(blk)) }, before[blk], "block \(blk) unchanged")
        }
        for blk: UInt64 in [6, 7, 10, 1000] {
            XCTAssertEqual(keys.map { state.read($0, at: blk) }, before[5], "block \(blk) reads as 5")
        }
        XCTAssertNil(db.get(b("block:7")))
        for blk: UInt64 in 6...10 { XCTAssertEqual(try state.changedKeys(in: blk), []) }
        XCTAssertEqual(try state.truncate(above: 5), 0, "nothing left above 5")

        // The chain continues from 5 with new history.
        try write(state, [(keys[0], b("new6"))], block: 6)
        model.write(keys[0], b("new6"), block: 6)
        XCTAssertEqual(state.read(keys[0], at: 6), b("new6"))
        XCTAssertEqual(state.read(keys[0], at: 5), model.read(keys[0], at: 5))

        // Everything above 0 (anvil_reset to genesis).
        try state.truncate(above: 0, head: 6)
        for k in keys { XCTAssertNil(state.read(k, at: 100)) }
        var leftovers = 0
        try db.scan(from: []) { k, _ in
            if k != b("block:7") { leftovers += 1 }
            return true
        }
        XCTAssertEqual(leftovers, 0, "no version or change entry is left behind")
    }

    func testStagingTheSameBlockTwiceMerges() throws {
        let state = VersionedState(try Database(path: dbPath()))
        var batch = WriteBatch()
        state.stage([(b("a"), b("1"))], block: 3, into: &batch)
        state.stage([(b("b"), b("2")), (b("a"), b("1b"))], block: 3, into: &batch)
        try state.db.write(batch, sync: false)
        try write(state, [(b("c"), b("3"))], block: 3)       // a later batch for the same block
        XCTAssertEqual(state.read(b("a"), at: 3), b("1b"))
        XCTAssertEqual(try state.changedKeys(in: 3), [b("a"), b("b"), b("c")])
        try state.truncate(above: 2)
        XCTAssertNil(state.read(b("a"), at: 3))
        XCTAssertNil(state.read(b("b"), at: 3))
        XCTAssertNil(state.read(b("c"), at: 3))
    }

    func testTruncateDoesNotVisitOldHistory() throws {
        // 2000 blocks of writes below the truncation point; truncating the last 3 blocks only
        // visits the change entries of those 3 blocks.
        let db = try Database(path: dbPath())
        let state = VersionedState(db)
        var batch = WriteBatch()
        for blk in UInt64(1)...2000 {
            state.stage([(b("hot"), b("\(blk)")), (b("k\(blk % 50)"), b("\(blk)"))], block: blk, into: &batch)
        }
        try db.write(batch, sync: false)
        var truncation = WriteBatch()
        XCTAssertEqual(try state.stageTruncate(above: 1997, into: &truncation), 6)
        XCTAssertEqual(truncation.count, 12, "6 versions + 6 change entries, nothing else")
        try db.write(truncation, sync: false)
        XCTAssertEqual(state.read(b("hot"), at: 5000), b("1997"))
    }

    func testRandomHistoryAgainstModel() throws {
        let db = try Database(path: dbPath())
        let state = VersionedState(db)
        var model = StateModel()
        var rng = SplitMix64(state: 42)
        let keys: [[UInt8]] = (0..<40).map { i in
            let len = Int.random(in: 0...6, using: &rng)
            return (0..<len).map { _ in UInt8.random(in: 0...3, using: &rng) } + (i % 10 == 0 ? [UInt8(i)] : [])
        }
        var head: UInt64 = 0
        for round in 0..<6 {
            for _ in 0..<25 {
                head += UInt64.random(in: 1...3, using: &rng)
                var writes: [([UInt8], [UInt8]?)] = []
                for _ in 0..<Int.random(in: 0...6, using: &rng) {
                    let k = keys.randomElement(using: &rng)!
                    let v: [UInt8]? = Bool.random(using: &rng) && Bool.random(using: &rng) ? nil : (0..<Int.random(in: 0...4, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                    writes.append((k, v))
                    model.write(k, v, block: head)
                }
                try write(state, writes, block: head)
            }
            for _ in 0..<300 {
                let k = keys.randomElement(using: &rng)!
                let blk = UInt64.random(in: 0...(head + 2), using: &rng)
                XCTAssertEqual(state.read(k, at: blk), model.read(k, at: blk), "round \(round) key \(k) at \(blk)")
            }
            let dumpAt = UInt64.random(in: 0...head, using: &rng)
            for prefix in [[], [0], [1, 2]] as [[UInt8]] {
                var got: [[UInt8]: [UInt8]] = [:]
                try state.forEach(prefix: prefix, at: dumpAt) { k, v in got[k] = v }
                XCTAssertEqual(got, model.all(prefix: prefix, at: dumpAt))
            }
            // Revert a random suffix of history.
            let to = head - UInt64.random(in: 0...min(head, 20), using: &rng)
            try state.truncate(above: to)
            model.truncate(above: to)
            head = to
        }
    }
}

extension Database {
    func put(unchecked key: [UInt8], _ value: [UInt8]) { try! put(key, value) }
}
