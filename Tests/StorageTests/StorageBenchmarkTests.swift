import XCTest
import Foundation
import Storage
import TestSupport

/// Throughput measurements, printed and never asserted (timings depend on the machine and
/// on the build configuration; run with `-c release` for meaningful numbers).
final class StorageBenchmarkTests: TempDirTestCase {
    func time(_ body: () throws -> Void) rethrows -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    func report(_ what: String, _ n: Int, _ seconds: Double) {
        print(String(format: "[storage bench] %@: %.0f ops/s (%.2f µs/op, %d ops)", what, Double(n) / seconds, seconds / Double(n) * 1e6, n))
    }

    /// 32-byte pseudo-random words, like hashes and storage values.
    func word(_ i: Int, _ salt: UInt64 = 0) -> [UInt8] {
        var g = SplitMix64(state: UInt64(i) &* 0x1000193 ^ salt)
        return (0..<4).flatMap { _ in withUnsafeBytes(of: g.next()) { Array($0) } }
    }

    func directorySize(_ path: String) -> Int {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return files.reduce(0) { acc, f in
            acc + (((try? FileManager.default.attributesOfItem(atPath: path + "/" + f))?[.size] as? Int) ?? 0)
        }
    }

    func testThroughput() throws {
        let n = 50_000
        let keys = (0..<n).map { word($0, 1) }
        let values = (0..<n).map { word($0, 2) }

        // Raw writes in batches of 1000, then point reads (hits and misses).
        let db = try Database(path: dbPath("raw"))
        report("db put (batches of 1000)", n, try time {
            var batch = WriteBatch()
            for i in 0..<n {
                batch.put(keys[i], values[i])
                if batch.count == 1000 { try db.write(batch, sync: false); batch.removeAll() }
            }
        })
        var hits = 0
        report("db get hit", n, time { for i in 0..<n where db.get(keys[(i &* 7919) % n]) != nil { hits += 1 } })
        XCTAssertEqual(hits, n)
        let misses = (0..<n).map { word($0, 3) }
        report("db get miss (bloom filter)", n, time { for k in misses where db.get(k) != nil { hits += 1 } })
        var zeroCopy = 0
        report("db withValue (no copy)", n, time {
            for i in 0..<n { try! keys[(i &* 7919) % n].withUnsafeBytes { k in try db.withValue(forKey: k) { zeroCopy += $0?.count ?? 0 } } }
        })
        XCTAssertEqual(zeroCopy, 32 * n)
        report("db sync write (1 op per fsync)", 50, try time {
            for i in 0..<50 { try db.put(keys[i], values[n - 1 - i], sync: true) }
        })

        // Batch building: native LevelDB batch vs a Swift array of ops converted at write time.
        let ops = 200_000
        let native = time {
            var batch = WriteBatch()
            for i in 0..<ops { batch.put(keys[i % n], values[i % n]) }
            XCTAssertEqual(batch.count, ops)
        }
        let swiftArray = time {
            var list: [([UInt8], [UInt8]?)] = []
            for i in 0..<ops { list.append((keys[i % n], values[i % n])) }
            var batch = WriteBatch()
            for (k, v) in list { if let v { batch.put(k, v) } else { batch.delete(k) } }
            XCTAssertEqual(batch.count, ops)
        }
        report("batch build, native leveldb_writebatch", ops, native)
        report("batch build, Swift array then convert", ops, swiftArray)

        // Versioned state: 2000 blocks × 25 writes over 5000 keys, then reads.
        let state = VersionedState(try Database(path: dbPath("state")))
        let blocks = 2000, perBlock = 25, stateKeys = 5000
        report("versioned stage+write (per key)", blocks * perBlock, try time {
            for blk in 1...blocks {
                var batch = WriteBatch()
                for j in 0..<perBlock {
                    let i = (blk * perBlock + j) % stateKeys
                    state.stage(keys[i], values[(i + blk) % n], block: UInt64(blk), into: &batch)
                }
                try state.db.write(batch, sync: false)
            }
        })
        var found = 0
        report("versioned read at head", n, time {
            for i in 0..<n where state.read(keys[(i &* 7919) % stateKeys], at: UInt64(blocks)) != nil { found += 1 }
        })
        report("versioned read at random old block", n, time {
            for i in 0..<n where state.read(keys[(i &* 7919) % stateKeys], at: UInt64(1 + (i % blocks))) != nil { found += 1 }
        })
        report("versioned read, never written", n, time {
            for i in 0..<n where state.read(misses[i], at: UInt64(blocks)) != nil { found += 1 }
        })
        let group = (0..<stateKeys).map { keys[$0] }
        report("versioned read, 5000 keys from one cursor", stateKeys, try time { _ = try state.read(group, at: UInt64(blocks)) })
        report("versioned truncate (last 100 blocks)", 100 * perBlock, try time { try state.truncate(above: UInt64(blocks - 100)) })

        // Compression: hash-like data does not compress, so snappy only costs CPU.
        for compression in [false, true] {
            var o = Database.Options()
            o.compression = compression
            o.writeBufferBytes = 1 << 20              // force tables to be written
            let path = dbPath("compression-\(compression)")
            let cdb = try Database(path: path, options: o)
            let t = try time {
                for round in 0..<4 {
                    var batch = WriteBatch()
                    for i in 0..<n { batch.put(keys[i], word(i, UInt64(round))) }
                    try cdb.write(batch, sync: false)
                }
                try cdb.compact()
            }
            cdb.close()
            report("compression=\(compression): write 4×\(n) + compact, \(directorySize(path) / 1024) KiB on disk", 4 * n, t)
        }
    }
}
