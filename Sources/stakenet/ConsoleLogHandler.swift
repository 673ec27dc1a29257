import Foundation
import Logging

/// swift-log handler writing `time level label: message [metadata]` lines to stdout.
///
/// Unlike `StreamLogHandler`, setting metadata only stores it: Hummingbird tags every request's
/// logger with a request id, and `StreamLogHandler` re-renders its whole metadata text on each
/// such set (about 2 % of the node's CPU under load), even though nothing is logged at `info`
/// per request. The text is built only when a message is actually written.
struct ConsoleLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let level = event.level, message = event.message, explicit = event.metadata
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit { all.merge(explicit) { _, new in new } }
        var text = "\(Self.timestamp()) \(level) \(label):"
        if !all.isEmpty {
            text += " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        text += " \(message)\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func timestamp() -> String {
        var t = timeval()
        gettimeofday(&t, nil)
        var tmv = tm()
        var secs = t.tv_sec
        localtime_r(&secs, &tmv)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d", tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday,
                      tmv.tm_hour, tmv.tm_min, tmv.tm_sec)
    }
}
