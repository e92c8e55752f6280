import Foundation
import NIOPosix

/// A response as the tests see it.
public struct HTTPTestResponse: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data
    /// Every `Set-Cookie` line, by cookie name (the header dictionary keeps only the last).
    public var setCookies: [String: String] = [:]

    /// The value a `Set-Cookie` line gives cookie `name`.
    public func cookie(_ name: String) -> String? {
        guard let line = setCookies[name], let pair = line.split(separator: ";").first else { return nil }
        return pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? ""
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object.
    public func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw HTTPTestClient.Failure(description: "the body is not a JSON object: \(text)")
        }
        return object
    }
}

/// A small HTTP/1.1 client over a plain socket (one request per connection), so the
/// tests speak to a real daemon without pulling in a full HTTP client stack.
public struct HTTPTestClient: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public let port: Int
    public var token: String?

    public init(port: Int, token: String? = nil) {
        self.port = port
        self.token = token
    }

    public func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPTestResponse {
        try await send("GET", path, body: nil, headers: headers)
    }

    public func send(
        _ method: String, _ path: String, body: Data?, headers: [String: String] = [:]
    ) async throws -> HTTPTestResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        var allHeaders = headers
        if let token, allHeaders["Authorization"] == nil { allHeaders["Authorization"] = "Bearer \(token)" }
        if let body {
            allHeaders["Content-Length"] = String(body.count)
            if allHeaders["Content-Type"] == nil { allHeaders["Content-Type"] = "application/json" }
        }
        for (name, value) in allHeaders.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        var request = Data((head + "\r\n").utf8)
        if let body { request += body }
        let port = port
        let bytes = request
        let raw = try await TestThreads.pool.runIfActive { try Self.exchange(bytes, port: port) }
        return try Self.parse(raw)
    }

    /// A request sent on a connection whose answer is never read: the test hangs up (a
    /// client that leaves in the middle of a long poll).
    public final class OpenRequest: Sendable {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        public func hangUp() { close(fd) }
    }

    /// Sends `GET path` and returns without waiting for the answer.
    public func start(_ path: String) async throws -> OpenRequest {
        var head = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        let request = Data((head + "\r\n").utf8)
        let port = port
        return try await TestThreads.pool.runIfActive {
            let fd = try Self.connectSocket(port: port)
            do {
                try Self.writeAll(request, to: fd)
            } catch {
                close(fd)
                throw error
            }
            return OpenRequest(fd: fd)
        }
    }

    private static func exchange(_ request: Data, port: Int) throws -> Data {
        let fd = try connectSocket(port: port)
        defer { close(fd) }
        try writeAll(request, to: fd)
        var response = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 { throw Failure(description: "read failed or timed out") }
            if n == 0 { break }
            response.append(contentsOf: chunk[0..<n])
        }
        return response
    }

    private static func connectSocket(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        var timeout = timeval(tv_sec: 90, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "cannot connect to 127.0.0.1:\(port)")
        }
        return fd
    }

    private static func writeAll(_ request: Data, to fd: Int32) throws {
        try request.withUnsafeBytes { buffer in
            var sent = 0
            while sent < buffer.count {
                let n = write(fd, buffer.baseAddress?.advanced(by: sent), buffer.count - sent)
                guard n > 0 else { throw Failure(description: "write failed") }
                sent += n
            }
        }
    }

    static func parse(_ raw: Data) throws -> HTTPTestResponse {
        guard let split = raw.range(of: Data("\r\n\r\n".utf8)) else {
            throw Failure(description: "incomplete HTTP response")
        }
        let head = String(decoding: raw[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "")
        else { throw Failure(description: "bad status line") }
        var headers: [String: String] = [:]
        var cookies: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = value
            if name == "set-cookie", let pair = value.split(separator: ";").first {
                let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                cookies[String(halves[0])] = value
            }
        }
        var body = Data(raw[split.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body) }
        var response = HTTPTestResponse(status: status, headers: headers, body: body)
        response.setCookies = cookies
        return response
    }

    private static func dechunk(_ data: Data) throws -> Data {
        var result = Data()
        var rest = data[...]
        while let lineEnd = rest.range(of: Data("\r\n".utf8)) {
            let sizeText = String(decoding: rest[..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                throw Failure(description: "bad chunk size")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size + 2 else {
                throw Failure(description: "truncated chunk")
            }
            let end = rest.index(start, offsetBy: size)
            result.append(rest[start..<end])
            rest = rest[rest.index(end, offsetBy: 2)...]
        }
        return result
    }
}

extension HTTPTestClient {
    /// A POST with a JSON body written as text (`#"{"code": "A"}"#`).
    public func post(_ path: String, _ json: String = "", headers: [String: String] = [:]) async throws
        -> HTTPTestResponse
    {
        try await send("POST", path, body: Data(json.utf8), headers: headers)
    }

    public func patch(_ path: String, _ json: String, headers: [String: String] = [:]) async throws -> HTTPTestResponse {
        try await send("PATCH", path, body: Data(json.utf8), headers: headers)
    }

    public func put(_ path: String, _ json: String, headers: [String: String] = [:]) async throws -> HTTPTestResponse {
        try await send("PUT", path, body: Data(json.utf8), headers: headers)
    }

    public func delete(_ path: String, headers: [String: String] = [:]) async throws -> HTTPTestResponse {
        try await send("DELETE", path, body: nil, headers: headers)
    }
}

extension HTTPTestResponse {
    /// A string member of the JSON body (`"id"`), or a nested one (`"job.id"`).
    public func string(_ path: String) throws -> String? {
        var value: Any? = try json()
        for key in path.split(separator: ".") { value = (value as? [String: Any])?[String(key)] }
        return value as? String
    }

    /// The `items` of a list answer.
    public func items() throws -> [[String: Any]] {
        (try json()["items"] as? [[String: Any]]) ?? []
    }
}
