import CLibPQ
import Foundation

/// Where and how to connect: any libpq connection string or URI.
///
/// An empty string means "libpq's defaults": the `PG*` environment variables, the
/// service file and `.pgpass` all apply, as they do for `psql`.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    public var connectionString: String
    /// Reported as `application_name` unless the connection string names one.
    public var applicationName: String
    /// Seconds libpq waits for a connection unless the connection string says otherwise.
    public var connectTimeoutSeconds: Int
    /// A database name that replaces the connection string's (for per-test databases).
    public var database: String?

    /// Checks the connection string with `PQconninfoParse` (no connection is made).
    public init(_ connectionString: String, applicationName: String = "campaignd", connectTimeoutSeconds: Int = 10)
        throws
    {
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        _ = try Self.parse(connectionString)
    }

    /// The connection string in keyword/value form with ``database`` applied (for child
    /// processes and `psql`). It contains the password, if the original did.
    public var keywordValueString: String {
        var options = (try? Self.parse(connectionString)) ?? [:]
        if let database { options["dbname"] = database }
        return options.sorted { $0.key < $1.key }.map { key, value in
            let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
            return "\(key)='\(escaped)'"
        }.joined(separator: " ")
    }

    /// The connection string's options, with ``database`` applied; empty when invalid.
    public var parameters: [String: String] {
        var options = (try? Self.parse(connectionString)) ?? [:]
        if let database { options["dbname"] = database }
        return options
    }

    /// Host, port, database and user as libpq will use them (no password), for logs.
    public var description: String {
        guard var options = try? Self.parse(connectionString) else { return "(invalid connection string)" }
        let shown = ["host", "hostaddr", "port", "dbname", "user", "service"]
        if let database { options["dbname"] = database }
        let parts = shown.compactMap { key in options[key].map { "\(key)=\($0)" } }
        return parts.isEmpty ? "(libpq defaults)" : parts.joined(separator: " ")
    }

    /// The options of a connection string; empty for an empty string.
    static func parse(_ connectionString: String) throws -> [String: String] {
        if connectionString.isEmpty { return [:] }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            var reason = "invalid connection string"
            if let errorMessage {
                reason += ": " + String(cString: errorMessage).trimmingTrailingNewlines
                PQfreemem(errorMessage)
            }
            throw PostgresError(code: .invalidConfiguration, message: reason)
        }
        defer { PQconninfoFree(options) }
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { result[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return result
    }
}

extension PostgresConfiguration {
    /// The libpq environment variables (`PGHOST`, `PGSERVICE`, ...) set in `environment`:
    /// the names come from libpq itself (`PQconndefaults`).
    public static func libpqVariablesSet(in environment: [String: String]) -> [String] {
        guard let defaults = PQconndefaults() else { return [] }
        defer { PQconninfoFree(defaults) }
        var names: [String] = []
        var option = defaults
        while option.pointee.keyword != nil {
            if let variable = option.pointee.envvar.map({ String(cString: $0) }), environment[variable] != nil {
                names.append(variable)
            }
            option += 1
        }
        return names
    }
}

extension String {
    /// libpq messages span lines ("...failed: Connection refused\n\tIs the server running...?"):
    /// one line is easier to log and to show as a command's error.
    var trimmingTrailingNewlines: String {
        split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
