import CLibPQ
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// One libpq connection.
///
/// libpq calls block, so every call runs on a `NIOThreadPool` thread, never on Swift's
/// cooperative pool. The raw `PGconn` pointer lives only in this class and is touched
/// only while `lock` is held: that is why the class can be `@unchecked Sendable`. A
/// connection is used by one borrower at a time (see ``PostgresPool``); the lock makes
/// a mistaken concurrent use wait instead of corrupting libpq's state.
public final class PostgresConnection: @unchecked Sendable {
    private let lock = NIOLock()
    private var handle: OpaquePointer?
    /// Statements without parameters to send ahead of the next command, in the same round
    /// trip: a transaction's `BEGIN` (see `withTransaction`). Touched only under `lock`.
    private var deferred: [String] = []
    /// Set by `pipelineAndCommit`, read by `withTransaction`. Touched only under `lock`.
    private var committedInPipeline = false
    let threadPool: NIOThreadPool
    let logger: Logger

    private init(handle: OpaquePointer, threadPool: NIOThreadPool, logger: Logger) {
        self.handle = handle
        self.threadPool = threadPool
        self.logger = logger
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Opens a connection; the blocking connect runs on `threadPool`.
    public static func connect(
        _ configuration: PostgresConfiguration,
        threadPool: NIOThreadPool = BlockingThreads.pool,
        logger: Logger
    ) async throws -> PostgresConnection {
        try await threadPool.runIfActive {
            try connectBlocking(configuration, threadPool: threadPool, logger: logger)
        }
    }

    /// Opens a connection on the calling thread (which must not be a cooperative one).
    static func connectBlocking(
        _ configuration: PostgresConfiguration,
        threadPool: NIOThreadPool,
        logger: Logger
    ) throws -> PostgresConnection {
        let connection = PostgresConnection(
            handle: try openConnection(configuration), threadPool: threadPool, logger: logger)
        connection.routeNoticesToLogger()
        // Timestamps are exchanged in UTC whatever the server's or the role's time zone.
        try connection.withHandle { handle in
            let result = PQexec(handle, "SET TIME ZONE 'UTC'")
            defer { PQclear(result) }
            try check(result, handle)
        }
        return connection
    }

    /// Runs a statement with bound parameters and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await threadPool.runIfActive {
            try self.withHandle { handle in
                let rendered = try query.render { try Self.quoteIdentifier($0, handle) }
                let ahead = self.takeDeferred()
                guard !ahead.isEmpty else { return try Self.execute(rendered, on: handle) }
                let statements = ahead.map { RenderedQuery(sql: $0, types: [], values: []) } + [rendered]
                return try Self.pipeline(statements, on: handle)[statements.count - 1]
            }
        }
    }

    /// Runs statements with bound parameters one after the other, sent together in one
    /// round trip (libpq's pipeline mode), and returns their rows in order. The first that
    /// fails throws, and the ones after it are not run. Inside a transaction they are part
    /// of it; outside one, they form one implicit transaction, which a failure undoes whole.
    public func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresRows] {
        guard !queries.isEmpty else { return [] }
        return try await threadPool.runIfActive {
            try self.withHandle { handle in
                let rendered = try queries.map { query in try query.render { try Self.quoteIdentifier($0, handle) } }
                let ahead = self.takeDeferred().map { RenderedQuery(sql: $0, types: [], values: []) }
                return Array(try Self.pipeline(ahead + rendered, on: handle).dropFirst(ahead.count))
            }
        }
    }

    /// Inside `withTransaction`: runs `queries` as `pipeline` does and commits the
    /// transaction in the same round trip. `withTransaction` then has nothing left to send.
    public func pipelineAndCommit(_ queries: [PostgresQuery]) async throws -> [PostgresRows] {
        let rows = try await pipeline(queries + ["COMMIT"])
        lock.withLock { committedInPipeline = true }
        return Array(rows.dropLast())
    }

    /// Whether `pipelineAndCommit` ended the transaction (and forgets it).
    func takeCommittedInPipeline() -> Bool {
        lock.withLock {
            defer { committedInPipeline = false }
            return committedInPipeline
        }
    }

    /// Runs one or more statements without parameters (the simple query protocol), as
    /// `psql -f` would: for migrations and session settings. Never pass user input.
    public func execute(unsafeSQL sql: String) async throws {
        try await threadPool.runIfActive {
            try self.withHandle { handle in
                // The deferred statements go first, on their own: an error's position in
                // `sql` stays its own.
                try self.sendDeferredAlone(handle)
                let result = PQexec(handle, sql)
                defer { PQclear(result) }
                try Self.check(result, handle)
            }
        }
    }

    /// Sends `statements` (without parameters) ahead of the next command, in its round trip.
    func deferUntilNextCommand(_ statements: [String]) {
        lock.withLock { deferred += statements }
    }

    /// Forgets the statements deferred and not sent yet; true if there were any.
    func discardDeferred() -> Bool {
        lock.withLock {
            defer { deferred = [] }
            return !deferred.isEmpty
        }
    }

    /// Under `lock`: the statements to send ahead of this command, now sent.
    func takeDeferred() -> [String] {
        defer { deferred = [] }
        return deferred
    }

    /// Under `lock`: sends the deferred statements, if any, in a round trip of their own,
    /// for a command that cannot join a pipeline (a simple query, a COPY).
    func sendDeferredAlone(_ handle: OpaquePointer) throws {
        let ahead = takeDeferred()
        guard !ahead.isEmpty else { return }
        let result = PQexec(handle, ahead.joined(separator: "; "))
        defer { PQclear(result) }
        try Self.check(result, handle)
    }

    /// Quotes an identifier with `PQescapeIdentifier`.
    public func quoteIdentifier(_ identifier: String) throws -> String {
        try withHandle { try Self.quoteIdentifier(identifier, $0) }
    }

    /// False once libpq has seen the connection break, or after ``close()``.
    public var isUsable: Bool {
        lock.withLock {
            guard let handle else { return false }
            return PQstatus(handle) == CONNECTION_OK
        }
    }

    /// Whether the connection is idle outside any transaction (safe to hand to the next borrower).
    var isIdle: Bool {
        lock.withLock {
            guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
            return PQtransactionStatus(handle) == PQTRANS_IDLE
        }
    }

    /// Checks an idle connection without a round trip: when the server closed it (a
    /// restart, `pg_terminate_backend`), the socket is readable and libpq marks it bad.
    func checkIdleHealth() -> Bool {
        lock.withLock {
            guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
            let socket = PQsocket(handle)
            guard socket >= 0 else { return false }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            // Anything unsolicited on an idle connection is a notice, a notification or a
            // goodbye (an error message, then end of file); consuming it until the socket is
            // quiet lets libpq see a closed socket.
            var reads = 0
            while reads < 8, poll(&descriptor, 1, 0) > 0 {
                if PQconsumeInput(handle) == 0 { return false }
                while let notify = PQnotifies(handle) { PQfreemem(notify) }
                reads += 1
            }
            return PQstatus(handle) == CONNECTION_OK
        }
    }

    /// Closes the connection. Safe to call more than once, from any thread.
    public func close() {
        let handle = lock.withLock { () -> OpaquePointer? in
            defer { self.handle = nil }
            return self.handle
        }
        if let handle { PQfinish(handle) }
    }

    /// libpq prints server notices (and errors that arrive while idle) on stderr by default;
    /// send them to the logger instead. The callback runs inside libpq calls, which happen
    /// while this connection is alive and its lock held.
    private func routeNoticesToLogger() {
        lock.withLock {
            guard let handle else { return }
            let context = Unmanaged.passUnretained(self).toOpaque()
            PQsetNoticeProcessor(handle, { context, message in
                guard let context, let message else { return }
                let connection = Unmanaged<PostgresConnection>.fromOpaque(context).takeUnretainedValue()
                connection.logger.debug("postgres notice", metadata: ["notice": "\(String(cString: message).trimmingTrailingNewlines)"])
            }, context)
        }
    }

    // MARK: - libpq, under the lock

    func withHandle<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        try lock.withLock {
            guard let handle else {
                throw PostgresError(code: .connectionClosed, message: "the connection is closed")
            }
            return try body(handle)
        }
    }

    private static func openConnection(_ configuration: PostgresConfiguration) throws -> OpaquePointer {
        // Order matters: with expand_dbname, a later keyword overrides an earlier one. The
        // connect timeout is a default the connection string may override; the client
        // encoding is not negotiable because rows are decoded as UTF-8.
        var pairs: [(String, String)] = [
            ("connect_timeout", String(configuration.connectTimeoutSeconds)),
            ("fallback_application_name", configuration.applicationName),
            ("dbname", configuration.connectionString),
            ("client_encoding", "UTF8"),
        ]
        // Only the first dbname is expanded as a connection string; a later one is a plain name.
        if let database = configuration.database { pairs.append(("dbname", database)) }
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keywords.forEach { free($0) }
            values.forEach { free($0) }
        }
        let handle = withCStringArray(keywords) { keywordArray in
            withCStringArray(values) { valueArray in
                PQconnectdbParams(keywordArray, valueArray, 1)
            }
        }
        guard let handle else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines
            PQfinish(handle)
            throw PostgresError(code: .connectionFailed, message: message)
        }
        return handle
    }

    private static func withCStringArray<T>(
        _ strings: [UnsafeMutablePointer<CChar>?],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> T
    ) -> T {
        let pointers = strings.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    static func quoteIdentifier(_ identifier: String, _ handle: OpaquePointer) throws -> String {
        let utf8 = Array(identifier.utf8)
        let quoted = utf8.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    PQescapeIdentifier(handle, $0, utf8.count)
                }
            }
        }
        guard let quoted, !utf8.isEmpty else {
            throw PostgresError(code: .server, message: "cannot quote an empty or invalid identifier")
        }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }

    static func execute(_ query: RenderedQuery, on handle: OpaquePointer) throws -> PostgresRows {
        try checkParameters(query)
        let result = withParameters(of: query) { count, types, values in
            PQexecParams(handle, query.sql, count, types, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, handle)
        return rows(of: result)
    }

    /// Sends `queries` in pipeline mode with one sync point, then reads every result up to
    /// it: a query's results end with a null result, and those after a failure come back
    /// as `PGRES_PIPELINE_ABORTED`. In blocking mode libpq reads what the server sends
    /// while it waits to write, so a long pipeline cannot deadlock.
    static func pipeline(_ queries: [RenderedQuery], on handle: OpaquePointer) throws -> [PostgresRows] {
        // Refused values first: once in pipeline mode, a query half sent would leave it there.
        try queries.forEach(checkParameters)
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError(handle) }
        for query in queries {
            let sent = withParameters(of: query) { count, types, values in
                PQsendQueryParams(handle, query.sql, count, types, values, nil, nil, 0)
            }
            guard sent == 1 else { throw connectionError(handle) }
        }
        guard PQpipelineSync(handle) == 1 else { throw connectionError(handle) }
        var results: [PostgresRows?] = Array(repeating: nil, count: queries.count)
        var failure: (any Error)?
        var index = 0
        var nullsInARow = 0
        while true {
            guard let result = PQgetResult(handle) else {
                // The end of one query's results; two in a row only when the connection broke.
                nullsInARow += 1
                guard nullsInARow == 1, index < queries.count else { throw failure ?? connectionError(handle) }
                index += 1
                continue
            }
            nullsInARow = 0
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC { break }
            if status == PGRES_PIPELINE_ABORTED || index >= queries.count { continue }
            do {
                try check(result, handle)
                results[index] = rows(of: result)
            } catch {
                failure = failure ?? error
            }
        }
        guard PQexitPipelineMode(handle) == 1 else { throw failure ?? connectionError(handle) }
        if let failure { throw failure }
        return try results.map { rows in
            guard let rows else { throw PostgresError(code: .server, message: "a pipelined statement returned no result") }
            return rows
        }
    }

    /// Parameters travel as C strings: a NUL would silently cut the value short.
    private static func checkParameters(_ query: RenderedQuery) throws {
        if query.values.contains(where: { $0?.utf8.contains(0) == true }) {
            throw PostgresError(
                code: .invalidParameter, message: "a bound value contains a NUL character, which PostgreSQL text cannot hold")
        }
    }

    /// Calls `body` with the query's parameter count, types and values as C strings (checked
    /// first with `checkParameters`).
    private static func withParameters<T>(
        of query: RenderedQuery,
        _ body: (Int32, UnsafePointer<UInt32>?, UnsafePointer<UnsafePointer<CChar>?>?) -> T
    ) -> T {
        let values = query.values.map { $0.map { strdup($0) } ?? nil }
        defer { values.forEach { free($0) } }
        return query.types.withUnsafeBufferPointer { types in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointers in
                body(Int32(query.values.count), types.baseAddress, valuePointers.baseAddress)
            }
        }
    }

    static func check(_ result: OpaquePointer?, _ handle: OpaquePointer) throws {
        guard let result else {
            throw connectionError(handle)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            func field(_ code: UInt8) -> String? {
                PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
            }
            let sqlState = field(UInt8(ascii: "C"))
            guard let sqlState else { throw connectionError(handle) }
            throw PostgresError(
                code: .server,
                message: field(UInt8(ascii: "M")) ?? "the server reported an error",
                sqlState: sqlState,
                serverDetail: field(UInt8(ascii: "D")),
                constraint: field(UInt8(ascii: "n")),
                position: field(UInt8(ascii: "P")).flatMap { Int($0) })
        }
    }

    static func connectionError(_ handle: OpaquePointer) -> PostgresError {
        let message = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines
        return PostgresError(
            code: .connectionClosed, message: message.isEmpty ? "the connection to the server was lost" : message)
    }

    private static func rows(of result: OpaquePointer?) -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        let types = (0..<columnCount).map { PostgresDataType(oid: PQftype(result, Int32($0))) }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            values.append(
                (0..<Int32(columnCount)).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                })
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(columns: columns, columnTypes: types, values: values, affectedRows: affected)
    }
}

