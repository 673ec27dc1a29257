import Foundation

/// The shared test vectors: `../shared/vectors` beside the repo (found from this source file),
/// or `$STAKENET_VECTORS`.
public enum Vectors {
    public static var root: URL {
        if let env = ProcessInfo.processInfo.environment["STAKENET_VECTORS"] { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/vectors")
    }

    /// The JSON file at `path` under `root`, as JSONSerialization reads it.
    public static func json(_ path: String) throws -> Any {
        let data = try Data(contentsOf: root.appendingPathComponent(path))
        return try JSONSerialization.jsonObject(with: data)
    }
}
