import Foundation

/// Test-only fault injection: makes the database's reads, writes or fsyncs fail on demand, so
/// the integration tests can check what the node does when storage fails (see
/// `scripts/integration/test_storage_faults.py`).
///
/// It exists only when the node is started with the environment variable
/// `STAKENET_TEST_STORAGE_FAULTS` naming a control file (`fromEnvironment`), and the node says
/// so on stderr at startup; without it `Database.Options.faults` is nil and no operation looks
/// here. The control file is polled every 10 ms; it holds the words of the faults that are on
/// (`read`, `write`, `sync`), and an empty or missing file turns them all off.
public final class StorageFaults: @unchecked Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        /// Every read (point reads and cursors) fails.
        case read
        /// Every write batch fails (nothing of it is applied).
        case write
        /// Every write that asks for fsync fails (nothing of it is applied).
        case sync
    }

    /// The environment variable that enables fault injection.
    public static let environmentVariable = "STAKENET_TEST_STORAGE_FAULTS"

    private let lock = NSLock()
    private var active = Set<Kind>()
    private var poller: Thread?
    public let controlFile: String?

    /// Faults set by `set(_:)` only (unit tests).
    public init() { controlFile = nil }

    /// Faults read from `controlFile`, polled on a background thread.
    public init(controlFile: String) {
        self.controlFile = controlFile
        reload()
        let t = Thread { [weak self] in
            while let s = self {
                s.reload()
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        t.name = "stakenet.storage-faults"
        poller = t
        t.start()
    }

    /// The faults named by `STAKENET_TEST_STORAGE_FAULTS`, or nil when it is not set.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> StorageFaults? {
        guard let path = env[environmentVariable], !path.isEmpty else { return nil }
        return StorageFaults(controlFile: path)
    }

    public func set(_ kinds: Set<Kind>) { lock.withLock { active = kinds } }

    public var current: Set<Kind> { lock.withLock { active } }

    private func reload() {
        guard let path = controlFile else { return }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let kinds = Set(text.split(whereSeparator: { $0.isWhitespace || $0 == "," }).compactMap { Kind(rawValue: String($0)) })
        set(kinds)
    }

    /// Throws the I/O error of an injected fault of this kind, if one is on.
    func check(_ kind: Kind) throws {
        if lock.withLock({ active.contains(kind) }) {
            throw StorageError.io("IO error: injected \(kind.rawValue) fault (\(Self.environmentVariable))")
        }
    }
}
