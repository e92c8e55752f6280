/// An error from libpq, from the server or from decoding a row.
///
/// `description` is safe to log: it carries the stable ``code``, the SQLSTATE and the
/// server's primary message, never the query's parameters, the connection password or
/// the server's `DETAIL` line (which may quote row values; see ``serverDetail``).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// A stable, machine-readable kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The connection string could not be parsed.
        public static let invalidConfiguration = Code("invalid_configuration")
        /// No connection could be made (server down, wrong password, unknown host...).
        public static let connectionFailed = Code("connection_failed")
        /// The connection broke while in use, or was already closed.
        public static let connectionClosed = Code("connection_closed")
        /// The server answered a statement with an error: see ``PostgresError/sqlState``.
        public static let server = Code("server_error")
        /// A column could not be decoded into the requested Swift type.
        public static let decoding = Code("decoding_failed")
        /// A bound value cannot be sent (it contains a NUL character).
        public static let invalidParameter = Code("invalid_parameter")
        /// The pool had no free connection within its acquire timeout.
        public static let poolTimeout = Code("pool_timeout")
        /// The pool was shut down.
        public static let poolClosed = Code("pool_closed")
    }

    public var code: Code
    /// The five-character SQLSTATE for server errors (`23505`, `40001`, ...).
    public var sqlState: String?
    /// The primary message, from the server or from campaignd.
    public var message: String
    /// The server's DETAIL field. It may contain row values: never log it blindly.
    public var serverDetail: String?
    /// The constraint named by the server, if any (unique, check, foreign key violations).
    public var constraint: String?
    /// The column a decoding error is about.
    public var column: String?
    /// 1-based character position in the statement text the server complained about.
    public var position: Int?

    public init(
        code: Code, message: String, sqlState: String? = nil, serverDetail: String? = nil,
        constraint: String? = nil, column: String? = nil, position: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.serverDetail = serverDetail
        self.constraint = constraint
        self.column = column
        self.position = position
    }

    public var description: String {
        var text = "\(code)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let column { text += " column \"\(column)\"" }
        return text + ": " + message
    }
}

extension PostgresError {
    /// Well-known SQLSTATE values.
    public enum SQLState {
        public static let uniqueViolation = "23505"
        public static let foreignKeyViolation = "23503"
        public static let checkViolation = "23514"
        public static let notNullViolation = "23502"
        public static let serializationFailure = "40001"
        public static let deadlockDetected = "40P01"
        public static let syntaxError = "42601"
        public static let undefinedTable = "42P01"
        public static let insufficientPrivilege = "42501"
        public static let lockNotAvailable = "55P03"
        public static let adminShutdown = "57P01"
    }

    /// Whether retrying the whole transaction may succeed (serialization failure, deadlock).
    public var isTransient: Bool {
        sqlState == SQLState.serializationFailure || sqlState == SQLState.deadlockDetected
    }

    /// Whether the connection itself failed, rather than the statement.
    public var isConnectionFailure: Bool {
        code == .connectionFailed || code == .connectionClosed
            || sqlState?.hasPrefix("08") == true || sqlState == SQLState.adminShutdown
    }
}
