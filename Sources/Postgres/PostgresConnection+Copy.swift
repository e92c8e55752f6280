import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

extension PostgresConnection {
    /// Runs `COPY (query) TO STDOUT` with `options` (for instance `FORMAT csv, HEADER`)
    /// and hands its output to `consume` in chunks of about `chunkSize` bytes, one chunk
    /// in memory at a time: the next is read only once `consume` returned, so a slow
    /// reader slows the server instead of filling memory. Each row's line ends with
    /// CRLF, as RFC 4180 asks. Returns the number of lines (a header included).
    ///
    /// COPY takes no bound parameters, so the query's values are inlined as quoted
    /// literals (`PQescapeLiteral`), never as raw text. Should `consume` throw, the COPY
    /// is abandoned with the connection, which is closed: a pool then opens a fresh one.
    @discardableResult
    public func copyOut(
        _ query: PostgresQuery, options: String, chunkSize: Int = 64 * 1024, _ consume: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        try await threadPool.runIfActive {
            try self.withHandle { handle in
                let inner = try query.renderInline(
                    quoteIdentifier: { try Self.quoteIdentifier($0, handle) },
                    quoteLiteral: { try Self.quoteLiteral($0, handle) })
                try self.sendDeferredAlone(handle)
                guard PQsendQuery(handle, "COPY (\(inner)) TO STDOUT WITH (\(options))") == 1 else {
                    throw Self.connectionError(handle)
                }
                let result = PQgetResult(handle)
                defer { PQclear(result) }
                if PQresultStatus(result) != PGRES_COPY_OUT {
                    let failure = Result { try Self.check(result, handle) }
                    while let more = PQgetResult(handle) { PQclear(more) }
                    try failure.get()
                    throw PostgresError(code: .server, message: "COPY did not start")
                }
            }
        }
        var rows = 0
        while true {
            let (chunk, count, finished) = try await threadPool.runIfActive {
                try self.withHandle { handle in try Self.readCopyChunk(handle, size: chunkSize) }
            }
            rows += count
            if !chunk.isEmpty {
                do {
                    try await consume(chunk)
                } catch {
                    close()
                    throw error
                }
            }
            if finished { return rows }
        }
    }

    /// Reads COPY rows until about `size` bytes are in hand or the COPY ends.
    private static func readCopyChunk(_ handle: OpaquePointer, size: Int) throws -> ([UInt8], Int, Bool) {
        var chunk: [UInt8] = []
        chunk.reserveCapacity(size + 1024)
        var rows = 0
        while chunk.count < size {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(handle, &buffer, 0)
            if length > 0, let buffer {
                defer { PQfreemem(buffer) }
                let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(length))
                if bytes.last == UInt8(ascii: "\n") {
                    chunk.append(contentsOf: bytes.dropLast())
                    chunk.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
                } else {
                    chunk.append(contentsOf: bytes)
                }
                rows += 1
            } else if length == -1 {
                // The end: the COPY's own result says whether it succeeded.
                let result = PQgetResult(handle)
                defer { PQclear(result) }
                let outcome = Result { try check(result, handle) }
                while let more = PQgetResult(handle) { PQclear(more) }
                try outcome.get()
                return (chunk, rows, true)
            } else {
                throw connectionError(handle)
            }
        }
        return (chunk, rows, false)
    }

    /// Quotes a value with `PQescapeLiteral`.
    static func quoteLiteral(_ value: String, _ handle: OpaquePointer) throws -> String {
        guard !value.utf8.contains(0) else {
            throw PostgresError(
                code: .invalidParameter, message: "a value contains a NUL character, which PostgreSQL text cannot hold")
        }
        let quoted = value.withCString { PQescapeLiteral(handle, $0, strlen($0)) }
        guard let quoted else { throw PostgresError(code: .invalidParameter, message: "cannot quote a value") }
        defer { PQfreemem(quoted) }
        return String(cString: quoted)
    }
}

extension PostgresQuery {
    /// The statement with its values inlined as typed literals (`CAST('…' AS int8)`), for
    /// the statements that take no parameters (COPY).
    func renderInline(
        quoteIdentifier: (String) throws -> String, quoteLiteral: (String) throws -> String
    ) throws -> String {
        var sql = ""
        for fragment in fragments {
            switch fragment {
            case .sql(let text):
                sql += text
            case .bind(let type, let value):
                let literal = try value.map(quoteLiteral) ?? "NULL"
                sql += type == .unspecified ? literal : "CAST(\(literal) AS \(type))"
            case .identifier(let name):
                sql += try quoteIdentifier(name)
            }
        }
        return sql
    }
}
