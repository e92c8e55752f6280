import Domain
import Foundation
import Logging

/// The daemon's log lines on stderr, through ``LogOutput``, in one of two forms:
/// - `text`: swift-log's own format (`2026-12-02T14:43:25+0000 info campaignd:
///   key=value [source] message`, metadata sorted by key), for people;
/// - `json`: one object per line (`ts`, `level`, `label`, `message`, `source` and the
///   metadata), for log collectors.
///
/// It runs for every request (the access log), so it formats by hand: a date formatter
/// and `JSONSerialization` per line would cost more than the rest of the request.
struct DaemonLogHandler: LogHandler {
    enum Format: Sendable { case text, json }

    let label: String
    let format: Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level, format: Format) {
        self.label = label
        self.format = format
        self.logLevel = level
        _ = LogOutput.started
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = format == .json ? json(event, merged) : text(event, merged)
        LogOutput.standardError.append(line, urgent: event.level >= .notice)
    }

    func text(_ event: LogEvent, _ metadata: Logger.Metadata) -> [UInt8] {
        var line = Self.timestamp() + " \(event.level) \(label):"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { line += " \(key)=\(value)" }
        line += " [\(event.source)] \(event.message)\n"
        return Array(line.utf8)
    }

    func json(_ event: LogEvent, _ metadata: Logger.Metadata) -> [UInt8] {
        var fields: [String: JSONValue] = [:]
        for (key, value) in metadata { fields[key] = Self.plain(value) }
        // The fixed fields win over metadata of the same name.
        fields["ts"] = .string(RFC3339.format(Date()))
        fields["level"] = .string(event.level.rawValue)
        fields["label"] = .string(label)
        fields["message"] = .string("\(event.message)")
        fields["source"] = .string(event.source)
        var line = JSONValue.object(fields).serialized
        line.append(10)
        return line
    }

    static func plain(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let items): .array(items.map(plain))
        case .dictionary(let members): .object(members.mapValues(plain))
        }
    }

    /// Local time with its offset, to the second, as swift-log's own handler writes it.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buffer = [Int8](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
