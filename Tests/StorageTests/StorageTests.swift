import XCTest
import Foundation
import Storage
import TestSupport

/// A fresh temporary directory per test, removed afterwards.
class TempDirTestCase: XCTestCase {
    var tmp: String!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory
            .appendingPathComponent("stakenet-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: tmp)
    }

    func dbPath(_ name: String = "db") -> String { tmp + "/" + name }
}

func b(_ s: String) -> [UInt8] { Array(s.utf8) }


final class DatabaseTests: TempDirTestCase {
    func testPutGetDelete() throws {
        let db = try Database(path: dbPath())
        XCTAssertNil(db.get(b("a")))
        try db.put(b("a"), b("1"))
        try db.put(b("b"), [])
        try db.put([0, 0xFF, 0], [1, 0, 2])
        XCTAssertEqual(db.get(b("a")), b("1"))
        XCTAssertEqual(db.get(b("b")), [], "an empty value is present, not absent")
        XCTAssertEqual(db.get([0, 0xFF, 0]), [1, 0, 2])
        XCTAssertNil(db.get([0, 0xFF]))
        try db.put(b("a"), b("2"))
        XCTAssertEqual(db.get(b("a")), b("2"))
        try db.delete(b("a"))
        XCTAssertNil(db.get(b("a")))
        XCTAssertEqual(try db.value(forKey: b("b")), [])
        // The zero-copy read sees the same bytes.
        let n = try b("b").withUnsafeBytes { k in try db.withValue(forKey: k) { $0?.count } }
        XCTAssertEqual(n, 0)
        let v = try [UInt8]([0, 0xFF, 0]).withUnsafeBytes { k in try db.withValue(forKey: k) { $0.map { Array($0) } } }
        XCTAssertEqual(v, [1, 0, 2])
    }

    func testBatchIsAtomicAndOrdered() throws {
        let db = try Database(path: dbPath())
        try db.put(b("gone"), b("x"))
        var batch = WriteBatch()
        XCTAssertTrue(batch.isEmpty)
        batch.put(b("k1"), b("v1"))
        batch.put(b("k2"), b("v2"))
        batch.put(b("k1"), b("v1b"))      // later op on the same key wins
        batch.delete(b("gone"))
        batch.put(b("k3"), b("v3"))
        batch.delete(b("k3"))
        XCTAssertEqual(batch.count, 6)
        XCTAssertFalse(batch.isEmpty)
        // Nothing is visible before the write.
        XCTAssertNil(db.get(b("k1")))
        XCTAssertEqual(db.get(b("gone")), b("x"))

        // A copy is independent (copy-on-write).
        var copy = batch
        copy.put(b("only-in-copy"), b("c"))
        XCTAssertEqual(batch.count, 6)
        XCTAssertEqual(copy.count, 7)
        var ops: [WriteBatch.Operation] = []
        batch.forEach { ops.append($0) }
        XCTAssertEqual(ops, [.put(b("k1"), b("v1")), .put(b("k2"), b("v2")), .put(b("k1"), b("v1b")),
                             .delete(b("gone")), .put(b("k3"), b("v3")), .delete(b("k3"))])

        try db.write(batch, sync: true)
        XCTAssertEqual(db.get(b("k1")), b("v1b"))
        XCTAssertEqual(db.get(b("k2")), b("v2"))
        XCTAssertNil(db.get(b("k3")))
        XCTAssertNil(db.get(b("gone")))
        XCTAssertNil(db.get(b("only-in-copy")))

        var appended = WriteBatch()
        appended.put(b("z"), b("1"))
        appended.append(copy)
        XCTAssertEqual(appended.count, 8)
        appended.removeAll()
        XCTAssertTrue(appended.isEmpty)
        try db.write(appended, sync: false)       // empty batch is fine
        XCTAssertNil(db.get(b("z")))
    }

    func testBatchIsAllOrNothingAcrossReopen() throws {
        // A batch written without sync survives closing the DB (the log is replayed on open).
        do {
            let db = try Database(path: dbPath())
            var batch = WriteBatch()
            for i in 0..<1000 { batch.put(b("key\(i)"), b("value\(i)")) }
            try db.write(batch, sync: false)
        }
        let db = try Database(path: dbPath())
        for i in 0..<1000 { XCTAssertEqual(db.get(b("key\(i)")), b("value\(i)")) }
    }

    func testScanAndCursor() throws {
        let db = try Database(path: dbPath())
        var batch = WriteBatch()
        for k in ["a", "ab", "abc", "abd", "b", "ba", "c"] { batch.put(b(k), b(k.uppercased())) }
        try db.write(batch, sync: false)

        var seen: [String] = []
        try db.scan(prefix: b("ab")) { k, v in
            XCTAssertEqual(v, b(String(decoding: k, as: UTF8.self).uppercased()))
            seen.append(String(decoding: k, as: UTF8.self)); return true
        }
        XCTAssertEqual(seen, ["ab", "abc", "abd"])

        seen = []
        try db.scan(from: b("abc"), while: { $0.first == UInt8(ascii: "a") || $0 == b("b") }) { k, _ in
            seen.append(String(decoding: k, as: UTF8.self)); return true
        }
        XCTAssertEqual(seen, ["abc", "abd", "b"])

        seen = []
        try db.scan(from: []) { k, _ in seen.append(String(decoding: k, as: UTF8.self)); return seen.count < 3 }
        XCTAssertEqual(seen, ["a", "ab", "abc"])

        try db.withCursor { c in
            c.seek(b("abz"))
            XCTAssertEqual(c.key, b("b"))
            c.prev()
            XCTAssertEqual(c.key, b("abd"))
            c.seekToLast()
            XCTAssertEqual(c.key, b("c"))
            XCTAssertEqual(c.value, b("C"))
            c.next()
            XCTAssertFalse(c.isValid)
            XCTAssertEqual(c.key, [])
            c.seekToFirst()
            XCTAssertEqual(c.key, b("a"))
            XCTAssertTrue(c.keyHasPrefix(b("a")))
            XCTAssertFalse(c.keyHasPrefix(b("ab")))
        }
    }

    func testCursorSeesSnapshot() throws {
        let db = try Database(path: dbPath())
        try db.put(b("a"), b("1"))
        try db.withCursor { c in
            try db.put(b("b"), b("2"))           // written after the cursor was created
            c.seekToFirst()
            XCTAssertEqual(c.key, b("a"))
            c.next()
            XCTAssertFalse(c.isValid)
        }
        XCTAssertEqual(db.get(b("b")), b("2"))
    }

    func testSecondOpenIsLocked() throws {
        let path = dbPath()
        let db = try Database(path: path)
        XCTAssertThrowsError(try Database(path: path)) { e in
            XCTAssertEqual(e as? StorageError, .locked(path: path))
            XCTAssertTrue("\(e)".contains("in use"))
        }
        XCTAssertThrowsError(try DataDirectory.open(path: path)) { e in
            XCTAssertEqual(e as? StorageError, .locked(path: path))
        }
        db.close()
        let again = try Database(path: path)       // the lock was released by close()
        again.close()
    }

    func testLockedByAnotherProcess() throws {
        // LevelDB locks LOCK with fcntl; a python child takes the same kind of lock.
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        try XCTSkipIf(python == nil, "python3 not available to hold a lock from another process")
        let path = dbPath()
        try Database(path: path).close()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python!)
        p.arguments = ["-c", "import fcntl,sys,time; f=open(sys.argv[1],'r+'); fcntl.lockf(f, fcntl.LOCK_EX|fcntl.LOCK_NB); print('locked', flush=True); sys.stdin.read()", path + "/LOCK"]
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardInput = inp
        try p.run()
        defer { try? inp.fileHandleForWriting.close(); p.waitUntilExit() }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }                // child exited
            line += chunk
        }
        XCTAssertEqual(String(decoding: line, as: UTF8.self), "locked\n")
        XCTAssertThrowsError(try Database(path: path)) { e in
            XCTAssertEqual(e as? StorageError, .locked(path: path), "\(e)")
        }
    }

    func testMissingDatabase() throws {
        let path = dbPath("absent")
        XCTAssertThrowsError(try Database(path: path, createIfMissing: false)) { e in
            XCTAssertEqual(e as? StorageError, .missing(path: path))
        }
    }

    func testClosedDatabaseFailsCleanly() throws {
        let db = try Database(path: dbPath())
        try db.put(b("a"), b("1"))
        db.close()
        db.close()
        XCTAssertFalse(db.isOpen)
        XCTAssertThrowsError(try db.value(forKey: b("a"))) { XCTAssertEqual($0 as? StorageError, .closed) }
        XCTAssertThrowsError(try db.put(b("a"), b("2"))) { XCTAssertEqual($0 as? StorageError, .closed) }
        XCTAssertThrowsError(try db.scan(prefix: []) { _, _ in true }) { XCTAssertEqual($0 as? StorageError, .closed) }
    }

    func testConcurrentReadersAndWriter() throws {
        let db = try Database(path: dbPath())
        let state = VersionedState(db)
        var batch = WriteBatch()
        for i in 0..<200 { state.stage(b("k\(i)"), b("v\(i)@0"), block: 0, into: &batch) }
        try db.write(batch, sync: false)
        // nonisolated(unsafe): iteration t writes only failures[t]; read after concurrentPerform returns.
        nonisolated(unsafe) let failures = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        failures.initialize(repeating: 0, count: 4)
        defer { failures.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            if t == 0 {
                for blk in 1...50 as ClosedRange<UInt64> {
                    var wb = WriteBatch()
                    for i in 0..<200 { state.stage(b("k\(i)"), b("v\(i)@\(blk)"), block: blk, into: &wb) }
                    if (try? db.write(wb, sync: false)) == nil { failures[t] += 1 }
                }
            } else {
                for r in 0..<2000 {
                    let i = r % 200
                    // Block 0 never changes, whatever the writer does.
                    if state.read(b("k\(i)"), at: 0) != b("v\(i)@0") { failures[t] += 1 }
                }
            }
        }
        XCTAssertEqual((0..<4).map { failures[$0] }, [0, 0, 0, 0])
        XCTAssertEqual(state.read(b("k7"), at: 50), b("v7@50"))
        XCTAssertEqual(state.read(b("k7"), at: 1000), b("v7@50"))
    }

    func testErrorClassification() {
        let p = "/d"
        XCTAssertEqual(StorageError.from(leveldbMessage: "IO error: lock /d/LOCK: Resource temporarily unavailable", path: p), .locked(path: p))
        XCTAssertEqual(StorageError.from(leveldbMessage: "IO error: lock /d/LOCK: already held by process", path: p), .locked(path: p))
        XCTAssertEqual(StorageError.from(leveldbMessage: "IO error: /d/000005.log: No space left on device", path: p),
                       .io("IO error: /d/000005.log: No space left on device"))
        XCTAssertEqual(StorageError.from(leveldbMessage: "IO error: /d/LOCK: Permission denied", path: p),
                       .io("IO error: /d/LOCK: Permission denied"))
        XCTAssertEqual(StorageError.from(leveldbMessage: "Corruption: checksum mismatch", path: p), .corrupted("Corruption: checksum mismatch"))
        XCTAssertEqual(StorageError.from(leveldbMessage: "Invalid argument: /d: does not exist (create_if_missing is false)", path: p), .missing(path: p))
        XCTAssertEqual(StorageError.from(leveldbMessage: "Not implemented: x", path: p), .other("Not implemented: x"))
    }

    func testCorruptionIsReported() throws {
        let path = dbPath()
        do {
            let db = try Database(path: path)
            try db.put(b("a"), b("1"))
        }
        // Destroy the MANIFEST the CURRENT file points to.
        let current = try String(contentsOfFile: path + "/CURRENT", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try Data(repeating: 0x5A, count: 300).write(to: URL(fileURLWithPath: path + "/" + current))
        XCTAssertThrowsError(try Database(path: path)) { e in
            guard case .corrupted(let m)? = e as? StorageError else { return XCTFail("\(e)") }
            XCTAssertFalse(m.isEmpty)
        }
    }
}

final class DataDirectoryTests: TempDirTestCase {
    func testEphemeralIsRemovedByCleanup() throws {
        let dir = try DataDirectory.ephemeral()
        XCTAssertTrue(dir.isEphemeral)
        XCTAssertTrue(dir.isNew)
        XCTAssertTrue(dir.path.hasPrefix(DataDirectory.ephemeralParent().path))
        try dir.database.put(b("x"), b("y"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path + "/CURRENT"))
        dir.cleanup()
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path))
        dir.cleanup()
        XCTAssertThrowsError(try dir.database.value(forKey: b("x"))) { XCTAssertEqual($0 as? StorageError, .closed) }
    }

    func testEphemeralParentHonoursTMPDIR() {
        XCTAssertEqual(DataDirectory.ephemeralParent(environment: ["TMPDIR": tmp]).path, tmp)
        XCTAssertEqual(DataDirectory.ephemeralParent(environment: [:]).path, "/tmp")
    }

    func testRemoveStaleDeletesOnlyDeadNodesLevelDBDirectories() throws {
        // A pid that is certainly dead: a child that has exited and been reaped.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        let dead = p.processIdentifier
        let fm = FileManager.default
        func make(_ name: String, files: [String]) throws -> String {
            let d = tmp + "/" + name
            try fm.createDirectory(atPath: d, withIntermediateDirectories: true)
            for f in files { _ = fm.createFile(atPath: d + "/" + f, contents: Data()) }
            return d
        }
        let stale = try make("stakenet-\(dead)-A1B2", files: ["CURRENT", "LOCK", "000003.log", "MANIFEST-000002"])
        let alien = try make("stakenet-\(dead)-C3D4", files: ["CURRENT", "notes.txt"])
        let live = try make("stakenet-\(getpid())-E5F6", files: ["CURRENT"])
        let other = try make("other-\(dead)-X", files: ["CURRENT"])
        DataDirectory.removeStale(in: URL(fileURLWithPath: tmp))
        XCTAssertFalse(fm.fileExists(atPath: stale))
        XCTAssertTrue(fm.fileExists(atPath: alien))   // holds something LevelDB never writes
        XCTAssertTrue(fm.fileExists(atPath: live))    // our own process
        XCTAssertTrue(fm.fileExists(atPath: other))   // not ours
    }

    func testReopenResumes() throws {
        let path = dbPath("nested/data")          // intermediate directories are created
        do {
            let dir = try DataDirectory.open(path: path)
            XCTAssertTrue(dir.isNew)
            XCTAssertFalse(dir.isEphemeral)
            let state = VersionedState(dir.database)
            var batch = WriteBatch()
            state.stage([(b("bal"), b("100"))], block: 1, into: &batch)
            state.stage([(b("bal"), b("90"))], block: 2, into: &batch)
            batch.put(b("head"), [2])
            try dir.database.write(batch, sync: true)
            dir.cleanup()
            XCTAssertTrue(FileManager.default.fileExists(atPath: path + "/CURRENT"), "cleanup keeps a user directory")
        }
        let dir = try DataDirectory.open(path: path)
        XCTAssertFalse(dir.isNew)
        let state = VersionedState(dir.database)
        XCTAssertEqual(dir.database.get(b("head")), [2])
        XCTAssertEqual(state.read(b("bal"), at: 1), b("100"))
        XCTAssertEqual(state.read(b("bal"), at: 2), b("90"))
        XCTAssertEqual(dir.database.get(DataDirectory.formatKey), b(DataDirectory.currentFormat))
    }

    func testEmptyDatabaseWithOnlyMarkerIsStillNew() throws {
        let path = dbPath()
        try DataDirectory.open(path: path).cleanup()
        let dir = try DataDirectory.open(path: path)
        XCTAssertTrue(dir.isNew, "nothing but the marker was written: genesis is still to be created")
    }

    func testFormatMismatchIsRefused() throws {
        let path = dbPath()
        try DataDirectory.open(path: path, format: "stakenet-0").cleanup()
        XCTAssertThrowsError(try DataDirectory.open(path: path)) { e in
            XCTAssertEqual(e as? StorageError, .incompatibleFormat(found: "stakenet-0", expected: DataDirectory.currentFormat))
            XCTAssertTrue("\(e)".contains("stakenet-0"))
        }
        // The refused open released the database.
        try DataDirectory.open(path: path, format: "stakenet-0").cleanup()
    }

    func testDatabaseWithoutMarkerIsRefused() throws {
        let path = dbPath()
        do {
            let db = try Database(path: path)
            try db.put(b("someone else's"), b("data"))
        }
        XCTAssertThrowsError(try DataDirectory.open(path: path)) { e in
            XCTAssertEqual(e as? StorageError, .incompatibleFormat(found: nil, expected: DataDirectory.currentFormat))
        }
    }

    func testNonDatabaseDirectoryIsRefused() throws {
        let path = dbPath("photos")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path + "/holiday.jpg"))
        XCTAssertThrowsError(try DataDirectory.open(path: path)) { e in
            XCTAssertEqual(e as? StorageError, .notADatabase(path: path))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path), ["holiday.jpg"], "nothing was written into it")

        let file = dbPath("afile")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        XCTAssertThrowsError(try DataDirectory.open(path: file)) { e in
            XCTAssertEqual(e as? StorageError, .notADatabase(path: file))
        }

        // A database whose creation was interrupted (LOCK and LOG only) is taken over.
        let interrupted = dbPath("interrupted")
        try FileManager.default.createDirectory(atPath: interrupted, withIntermediateDirectories: true)
        for f in ["LOCK", "LOG"] { try Data().write(to: URL(fileURLWithPath: interrupted + "/" + f)) }
        XCTAssertTrue(try DataDirectory.open(path: interrupted).isNew)

        // An existing empty directory is fine.
        let empty = dbPath("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        XCTAssertTrue(try DataDirectory.open(path: empty).isNew)
    }
}
