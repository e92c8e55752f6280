import Domain
import Foundation
import Logging
import Synchronization

/// One JSON object per line on stderr: `ts`, `level`, `label`, `message`, `source` and
/// the metadata, for log collectors.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
        _ = LogOutput.started
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Runs for every request (the access log), so it formats by hand: a date formatter and
    /// `JSONSerialization` per line cost more than the rest of the request.
    func log(event: LogEvent) {
        var fields: [String: JSONValue] = [:]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged { fields[key] = Self.plain(value) }
        // The fixed fields win over metadata of the same name.
        fields["ts"] = .string(RFC3339.format(Date()))
        fields["level"] = .string(event.level.rawValue)
        fields["label"] = .string(label)
        fields["message"] = .string("\(event.message)")
        fields["source"] = .string(event.source)
        var line = JSONValue.object(fields).serialized
        line.append(10)
        LogOutput.standardError.append(line, urgent: event.level >= .notice)
    }

    static func plain(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): .string(text)
        case .stringConvertible(let convertible): .string(convertible.description)
        case .array(let items): .array(items.map(plain))
        case .dictionary(let members): .object(members.mapValues(plain))
        }
    }
}
