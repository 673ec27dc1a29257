/// Every key prefix of the node's LevelDB database, in one place. Each namespace is one
/// leading byte (printable, so `ldb scan` output stays readable); the layouts are:
///
///     v ‖ len(key) ‖ key ‖ ~block      → versioned state (`VersionedState`)
///     c ‖ block ‖ len(key) ‖ key       → keys a block changed (`VersionedState`)
///     H ‖ number(8)                    → canonical block hash
///     B ‖ hash(32)                     → block record (header, tx hashes, size)
///     T ‖ txhash(32)                   → raw tx ‖ sender ‖ block number ‖ index ‖ block hash
///     R ‖ txhash(32)                   → receipt record
///     I a ‖ address(20) ‖ number(8)    → (empty) the block has a log from that address
///     I t ‖ topic(32) ‖ number(8)      → (empty) the block has a log with that topic
///     K ‖ codeHash(32)                 → contract code (not versioned, never deleted)
///     M ‖ name                         → node metadata: head number, clock, sync marker
///     meta:format                      → the database format marker
///
/// State keys (the `key` inside `v`/`c` entries) have their own prefixes:
///
///     A ‖ address(20)                  → account (nonce, balance, code hash)
///     S ‖ address(20) ‖ slot(32)       → storage word
public enum StorageKeys {
    // MARK: namespaces of the database

    /// Versioned state entries.
    public static let version = UInt8(ascii: "v")
    /// Per-block change entries of the versioned state.
    public static let change = UInt8(ascii: "c")
    /// Block number → canonical block hash.
    public static let canonicalHash = UInt8(ascii: "H")
    /// Block hash → block record.
    public static let block = UInt8(ascii: "B")
    /// Transaction hash → mined transaction.
    public static let transaction = UInt8(ascii: "T")
    /// Transaction hash → receipt.
    public static let receipt = UInt8(ascii: "R")
    /// Log indexes; the second byte says which (`logIndexAddress`, `logIndexTopic`).
    public static let logIndex = UInt8(ascii: "I")
    /// Second byte of a log index key by emitting address.
    public static let logIndexAddress = UInt8(ascii: "a")
    /// Second byte of a log index key by topic.
    public static let logIndexTopic = UInt8(ascii: "t")
    /// Code hash → contract code.
    public static let code = UInt8(ascii: "K")
    /// Node metadata.
    public static let meta = UInt8(ascii: "M")

    // MARK: metadata keys

    /// The head block number.
    public static let head: [UInt8] = Array("Mhead".utf8)
    /// The chain clock (offset, next timestamp, interval).
    public static let clock: [UInt8] = Array("Mclock".utf8)
    /// Written with fsync by the group commit (its value: the newest block it covers).
    public static let syncMarker: [UInt8] = Array("Msync".utf8)
    /// The database format marker (`DataDirectory.currentFormat`).
    public static let format: [UInt8] = Array("meta:format".utf8)

    // MARK: state keys (inside the versioned state)

    /// `A ‖ address`: an account.
    public static let account = UInt8(ascii: "A")
    /// `S ‖ address ‖ slot`: a storage word.
    public static let storage = UInt8(ascii: "S")
}
