import Storage

// Shorthands for tests that read a healthy database: a read error fails the test loudly
// (the node itself never reads without handling the error).
extension Database {
    func get(_ key: [UInt8]) -> [UInt8]? { try! value(forKey: key) }
}

extension VersionedState {
    func read(_ key: [UInt8], at block: UInt64) -> [UInt8]? { try! value(key, at: block) }
}
