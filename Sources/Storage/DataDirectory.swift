import Foundation

/// Where the node's database lives: an ephemeral directory under the system temp directory
/// (removed by `cleanup()`), or a user's `--data-dir`. The directory *is* the LevelDB
/// database; it carries a format marker (`meta:format` → `stakenet-1`) so a database from an
/// incompatible version is refused instead of misread.
public final class DataDirectory: @unchecked Sendable {  // `cleanedUp` guarded by `lock`; the rest is immutable
    public static let formatKey: [UInt8] = StorageKeys.format
    public static let currentFormat = "stakenet-1"

    public let path: String
    public let isEphemeral: Bool
    public let database: Database
    /// True when the database held no data when opened (nothing but the format marker): the
    /// caller must create genesis. False means there is a chain to resume.
    public let isNew: Bool

    private let lock = NSLock()
    private var cleanedUp = false

    private init(path: String, isEphemeral: Bool, database: Database, isNew: Bool) {
        self.path = path
        self.isEphemeral = isEphemeral
        self.database = database
        self.isNew = isNew
    }

    deinit { cleanup() }

    /// A fresh database in a new directory under `ephemeralParent()`.
    public static func ephemeral(format: String = currentFormat, options: Database.Options = .init()) throws -> DataDirectory {
        let parent = ephemeralParent()
        removeStale(in: parent)
        let dir = parent.appendingPathComponent("stakenet-\(getpid())-\(UUID().uuidString)", isDirectory: true).path
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw StorageError.io("cannot create \(dir): \(error.localizedDescription)")
        }
        do {
            let (db, isNew) = try openChecked(path: dir, format: format, options: options)
            return DataDirectory(path: dir, isEphemeral: true, database: db, isNew: isNew)
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }

    /// Where ephemeral chains live: `$TMPDIR` when it is set, else the system temp directory.
    /// `TMPDIR=/dev/shm` keeps the chain in memory, as Anvil does: LevelDB's log appends then skip
    /// the file system (about 5 % less CPU per transaction on ext4), but the chain costs RAM,
    /// about 670 MB per million blocks, so it is not the default.
    public static func ephemeralParent(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let t = environment["TMPDIR"], !t.isEmpty { return URL(fileURLWithPath: t, isDirectory: true) }
        return URL(fileURLWithPath: "/tmp", isDirectory: true)
    }

    /// Removes ephemeral directories (`stakenet-<pid>-<uuid>`) left by nodes that were killed
    /// (`kill -9` skips the cleanup), so they do not pile up.
    public static func removeStale(in parent: URL) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: parent.path) else { return }
        for name in names where name.hasPrefix("stakenet-") {
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[1]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                let path = parent.appendingPathComponent(name).path
                // Only what `ephemeral` creates: a directory holding nothing but LevelDB's files.
                let entries = (try? fm.contentsOfDirectory(atPath: path)) ?? ["?"]
                if entries.allSatisfy(isLevelDBFileName) { try? fm.removeItem(atPath: path) }
            }
        }
    }

    /// Opens (or creates) the database in `path`. Throws `.notADatabase` for a file or a
    /// non-empty directory without a LevelDB database, `.locked` if another process uses it,
    /// `.incompatibleFormat` if it was written by another format version.
    public static func open(path: String, format: String = currentFormat, options: Database.Options = .init()) throws -> DataDirectory {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw StorageError.notADatabase(path: path) }
            let entries = (try? fm.contentsOfDirectory(atPath: path)) ?? []
            let visible = entries.filter { !$0.hasPrefix(".") }
            // Without CURRENT, accept only LevelDB's own files (a crash while it was creating the
            // database leaves LOCK and LOG behind).
            if !entries.contains("CURRENT") && !visible.allSatisfy(isLevelDBFileName) {
                throw StorageError.notADatabase(path: path)
            }
        } else {
            guard options.createIfMissing else { throw StorageError.missing(path: path) }
            do {
                try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw StorageError.io("cannot create \(path): \(error.localizedDescription)")
            }
        }
        let (db, isNew) = try openChecked(path: path, format: format, options: options)
        return DataDirectory(path: path, isEphemeral: false, database: db, isNew: isNew)
    }

    static func isLevelDBFileName(_ name: String) -> Bool {
        if ["LOCK", "LOG", "LOG.old", "CURRENT"].contains(name) || name.hasPrefix("MANIFEST-") { return true }
        guard let dot = name.lastIndex(of: ".") else { return false }
        let stem = name[..<dot], ext = name[name.index(after: dot)...]
        return !stem.isEmpty && stem.allSatisfy(\.isNumber) && ["log", "ldb", "sst", "dbtmp"].contains(String(ext))
    }

    private static func openChecked(path: String, format: String, options: Database.Options) throws -> (Database, Bool) {
        let db = try Database(path: path, options: options)
        do {
            let marker = try db.value(forKey: formatKey)
            // Is the database empty apart from the marker?
            let onlyMarker: Bool = try db.withCursor { c in
                c.seekToFirst()
                if !c.isValid { return true }
                if c.key != formatKey { return false }
                c.next()
                return !c.isValid
            }
            if let marker {
                let found = String(decoding: marker, as: UTF8.self)
                guard found == format else { throw StorageError.incompatibleFormat(found: found, expected: format) }
                return (db, onlyMarker)
            }
            guard onlyMarker else { throw StorageError.incompatibleFormat(found: nil, expected: format) }
            try db.put(formatKey, Array(format.utf8), sync: true)
            return (db, true)
        } catch {
            db.close()
            throw error
        }
    }

    /// Closes the database; for an ephemeral directory also deletes it. Idempotent.
    public func cleanup() {
        lock.lock()
        defer { lock.unlock() }
        guard !cleanedUp else { return }
        cleanedUp = true
        database.close()
        if isEphemeral { try? FileManager.default.removeItem(atPath: path) }
    }
}
