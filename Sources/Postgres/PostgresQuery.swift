/// A SQL statement whose interpolated values become bound parameters.
///
/// ```swift
/// let rows = try await connection.query("SELECT id FROM central.operators WHERE name = \(name)")
/// ```
/// sends `SELECT id FROM central.operators WHERE name = $1` with `name` bound as `$1`: an
/// interpolated value can never change the statement. Raw SQL must be asked for by name
/// (`\(unsafeSQL: ...)`), and identifiers are quoted by libpq (`\(identifier: ...)`).
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    enum Fragment: Sendable {
        case sql(String)
        case bind(PostgresDataType, String?)
        case identifier(String)
    }

    var fragments: [Fragment]

    public init(stringLiteral value: String) {
        fragments = [.sql(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        fragments = stringInterpolation.fragments
    }

    /// A statement built from trusted text. Never pass user input here.
    public init(unsafeSQL: String) {
        fragments = [.sql(unsafeSQL)]
    }

    /// Appends another query, keeping its bound values bound.
    public mutating func append(_ other: PostgresQuery) {
        fragments += other.fragments
    }

    public static func + (lhs: PostgresQuery, rhs: PostgresQuery) -> PostgresQuery {
        var query = lhs
        query.append(rhs)
        return query
    }

    /// Joins queries with a separator, as for a list of `AND` conditions.
    public static func joined(_ parts: [PostgresQuery], separator: String) -> PostgresQuery {
        var query = PostgresQuery(unsafeSQL: "")
        for (index, part) in parts.enumerated() {
            if index > 0 { query.fragments.append(.sql(separator)) }
            query.append(part)
        }
        return query
    }

    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var fragments: [Fragment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            fragments.reserveCapacity(interpolationCount * 2 + 1)
        }

        public mutating func appendLiteral(_ literal: String) {
            if !literal.isEmpty { fragments.append(.sql(literal)) }
        }

        /// Binds a value as the next `$n` parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            fragments.append(.bind(Value.postgresType, value.postgresText))
        }

        /// Binds an optional value; `nil` is SQL NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            fragments.append(.bind(Value.postgresType, value.flatMap(\.postgresText)))
        }

        /// Inlines a nested query, keeping its bound values bound.
        public mutating func appendInterpolation(_ query: PostgresQuery) {
            fragments += query.fragments
        }

        /// Inlines an identifier (table, column, channel), quoted with `PQescapeIdentifier`.
        public mutating func appendInterpolation(identifier: String) {
            fragments.append(.identifier(identifier))
        }

        /// Inlines raw SQL text. Never pass user input here.
        public mutating func appendInterpolation(unsafeSQL: String) {
            fragments.append(.sql(unsafeSQL))
        }
    }
}

/// A query ready for `PQexecParams`: text with `$n` placeholders and its parameters.
struct RenderedQuery: Sendable {
    var sql: String
    var types: [UInt32]
    var values: [String?]
}

extension PostgresQuery {
    func render(quoteIdentifier: (String) throws -> String) rethrows -> RenderedQuery {
        var rendered = RenderedQuery(sql: "", types: [], values: [])
        for fragment in fragments {
            switch fragment {
            case .sql(let text):
                rendered.sql += text
            case .bind(let type, let value):
                rendered.types.append(type.oid)
                rendered.values.append(value)
                rendered.sql += "$\(rendered.values.count)"
            case .identifier(let name):
                rendered.sql += try quoteIdentifier(name)
            }
        }
        return rendered
    }
}
