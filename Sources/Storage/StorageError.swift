import Foundation

/// Errors from the storage layer. The cases a user can act on (another process holds the
/// database, the disk is full, the directory holds something else) are explicit so the node
/// can explain them; everything else carries LevelDB's own message.
public enum StorageError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// Another process (or another `Database` in this process) holds the directory's LOCK file.
    case locked(path: String)
    /// LevelDB reported corruption (damaged files, bad checksums, a missing table file).
    case corrupted(String)
    /// An I/O failure: disk full, permission denied, read-only file system…
    case io(String)
    /// The database was written by an incompatible stakenet version (`found` is nil when the
    /// database has data but no format marker at all).
    case incompatibleFormat(found: String?, expected: String)
    /// The directory is not empty and does not contain a LevelDB database.
    case notADatabase(path: String)
    /// The database does not exist and `createIfMissing` was false.
    case missing(path: String)
    /// The database was closed.
    case closed
    /// Any other LevelDB failure, with its message.
    case other(String)

    /// Classifies a LevelDB status message (`"IO error: …"`, `"Corruption: …"`…).
    public static func from(leveldbMessage msg: String, path: String) -> StorageError {
        if msg.hasPrefix("IO error: lock ") || msg.contains("already held by process")
            || msg.contains("Resource temporarily unavailable") && msg.contains("LOCK") {
            return .locked(path: path)
        }
        if msg.hasPrefix("Corruption: ") { return .corrupted(msg) }
        if msg.hasPrefix("IO error: ") { return .io(msg) }
        if msg.hasPrefix("Invalid argument: ") && msg.contains("does not exist") { return .missing(path: path) }
        return .other(msg)
    }

    public var description: String {
        switch self {
        case .locked(let path):
            return "the database at \(path) is in use by another process (its LOCK file is held); stop that process or use another --data-dir"
        case .corrupted(let m):
            return "the database is corrupted: \(m)"
        case .io(let m):
            return "storage I/O error (disk full or not writable?): \(m)"
        case .incompatibleFormat(let found, let expected):
            return "the database format is \(found.map { "'\($0)'" } ?? "unknown (no format marker)"), this stakenet expects '\(expected)'; use another --data-dir or delete this one"
        case .notADatabase(let path):
            return "\(path) is not empty and does not contain a stakenet database; refusing to write into it"
        case .missing(let path):
            return "no database at \(path)"
        case .closed:
            return "the database is closed"
        case .other(let m):
            return "storage error: \(m)"
        }
    }

    public var errorDescription: String? { description }
}
