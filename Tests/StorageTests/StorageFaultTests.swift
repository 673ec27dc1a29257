import XCTest
import Foundation
import Storage

/// Storage failures are errors, never absent keys: every read path throws when the database
/// cannot be read, writes throw and apply nothing, and all works again once the fault clears.
final class StorageFaultTests: TempDirTestCase {
    private func open() throws -> (Database, StorageFaults) {
        let faults = StorageFaults()
        var o = Database.Options()
        o.faults = faults
        return (try Database(path: dbPath(), options: o), faults)
    }

    private func assertIOError(_ e: Error, file: StaticString = #filePath, line: UInt = #line) {
        guard case .io(let m)? = e as? StorageError else { return XCTFail("not an I/O error: \(e)", file: file, line: line) }
        XCTAssertTrue(m.contains("injected"), m, file: file, line: line)
        XCTAssertTrue(String(describing: e).hasPrefix("storage I/O error"), file: file, line: line)
    }

    func testPointReadsThrowInsteadOfAnsweringAbsent() throws {
        let (db, faults) = try open()
        try db.put(b("present"), b("1"))
        faults.set([.read])
        for key in [b("present"), b("absent")] {
            XCTAssertThrowsError(try db.value(forKey: key)) { assertIOError($0) }
            XCTAssertThrowsError(try key.withUnsafeBytes { k in try db.withValue(forKey: k) { $0 != nil } }) { assertIOError($0) }
        }
        XCTAssertThrowsError(try db.scan(prefix: []) { _, _ in true }) { assertIOError($0) }
        faults.set([])
        XCTAssertEqual(try db.value(forKey: b("present")), b("1"))
        XCTAssertNil(try db.value(forKey: b("absent")))
    }

    func testVersionedReadsThrow() throws {
        let (db, faults) = try open()
        let state = VersionedState(db)
        var batch = WriteBatch()
        state.stage(b("balance:alice"), b("100"), block: 1, into: &batch)
        try db.write(batch, sync: false)
        faults.set([.read])
        // The case of the issue: an account that exists must not read as empty.
        XCTAssertThrowsError(try state.value(b("balance:alice"), at: 1)) { assertIOError($0) }
        XCTAssertThrowsError(try state.value(b("balance:nobody"), at: 1)) { assertIOError($0) }
        XCTAssertThrowsError(try state.read([b("balance:alice")], at: 1)) { assertIOError($0) }
        XCTAssertThrowsError(try b("balance:alice").withUnsafeBytes { k in try state.withValue(k, at: 1) { $0 != nil } }) { assertIOError($0) }
        XCTAssertThrowsError(try state.forEach(prefix: [], at: 1) { _, _ in }) { assertIOError($0) }
        XCTAssertThrowsError(try state.versions(of: b("balance:alice"))) { assertIOError($0) }
        XCTAssertThrowsError(try state.changedKeys(in: 1)) { assertIOError($0) }
        var t = WriteBatch()
        XCTAssertThrowsError(try state.stageTruncate(above: 0, into: &t)) { assertIOError($0) }
        XCTAssertTrue(t.isEmpty, "a truncate that could not read stages nothing")
        faults.set([])
        XCTAssertEqual(try state.value(b("balance:alice"), at: 1), b("100"))
    }

    func testFailedWritesApplyNothing() throws {
        let (db, faults) = try open()
        let state = VersionedState(db)
        var batch = WriteBatch()
        state.stage(b("k"), b("v"), block: 3, into: &batch)
        faults.set([.write])
        XCTAssertThrowsError(try db.write(batch, sync: false)) { assertIOError($0) }
        XCTAssertThrowsError(try db.write(batch, sync: true)) { assertIOError($0) }
        faults.set([.sync])
        XCTAssertThrowsError(try db.write(batch, sync: true)) { assertIOError($0) }
        XCTAssertNil(try state.value(b("k"), at: 3), "nothing of a failed batch is applied")
        try db.write(batch, sync: false)     // only fsyncs fail
        XCTAssertEqual(try state.value(b("k"), at: 3), b("v"))
        faults.set([])
        try db.put(b("x"), b("y"), sync: true)
        XCTAssertEqual(try db.value(forKey: b("x")), b("y"))
    }

    func testControlFileTogglesFaults() throws {
        let control = tmp + "/faults"
        let faults = StorageFaults(controlFile: control)
        XCTAssertEqual(faults.current, [])
        try "read, sync\n".write(toFile: control, atomically: true, encoding: .utf8)
        XCTAssertTrue(waitFor { faults.current == [.read, .sync] })
        try "".write(toFile: control, atomically: true, encoding: .utf8)
        XCTAssertTrue(waitFor { faults.current.isEmpty })
        XCTAssertNil(StorageFaults.fromEnvironment([:]), "off unless the variable is set")
        XCTAssertNil(StorageFaults.fromEnvironment([StorageFaults.environmentVariable: ""]))
    }

    private func waitFor(_ cond: () -> Bool) -> Bool {
        for _ in 0..<200 { if cond() { return true }; Thread.sleep(forTimeInterval: 0.01) }
        return cond()
    }
}
