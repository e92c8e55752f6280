import AsyncHTTPClient
import Domain
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends one attempt of a webhook: a `POST` that follows no redirect, ends after
/// `timeout`, and reads at most 64 KiB of the answer.
///
/// Every attempt first resolves the host and checks each address against the policy,
/// then connects to the address checked (`dnsOverride`; TLS still verifies the name),
/// so a name that changes its answer between the check and the connection (DNS rebinding)
/// cannot lead a delivery to a private address.
public final class WebhookSender: Sendable {
    public enum Outcome: Sendable, Equatable {
        case delivered(statusCode: Int)
        case failed(statusCode: Int?, error: String)
    }

    let policy: WebhookAddressPolicy
    let timeout: Duration
    let connectionsPerHost: Int
    /// Clients by (host, address): each connects that host's name to that one address.
    private let clients = Mutex<[String: HTTPClient]>([:])
    static let answerCap = 64 * 1024
    static let cachedClients = 64

    public init(policy: WebhookAddressPolicy, timeout: Duration, connectionsPerHost: Int) {
        self.policy = policy
        self.timeout = timeout
        self.connectionsPerHost = max(1, connectionsPerHost)
    }

    public func send(url: String, eventID: String, timestamp: Int, signature: String, body: [UInt8]) async -> Outcome {
        let target: WebhookAddressPolicy.Target
        switch WebhookAddressPolicy.parse(url) {
        case .success(let parsed): target = parsed
        case .failure(let refusal): return .failed(statusCode: nil, error: "the URL \(refusal.message)")
        }
        let client: HTTPClient
        do {
            let addresses = try await policy.addresses(of: target)
            // IPv4 first: what a dual-stack receiver on this machine most often listens on.
            let address = addresses.first { $0.bytes.count == 4 } ?? addresses[0]
            client = self.client(host: target.host, address: address)
        } catch {
            return .failed(statusCode: nil, error: "\(error)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "campaignd-webhooks")
        request.headers.add(name: "webhook-id", value: eventID)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: signature)
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.seconds * 1e9)))
            var read = 0
            for try await chunk in response.body {
                read += chunk.readableBytes
                if read >= Self.answerCap { break }
            }
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return .delivered(statusCode: code) }
            return .failed(statusCode: code, error: "the receiver answered \(code)")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failed(statusCode: nil, error: "no answer within \(timeout.seconds) s")
        } catch {
            return .failed(statusCode: nil, error: "\(error)")
        }
    }

    private func client(host: String, address: NetworkAddress) -> HTTPClient {
        let key = "\(host)|\(address)"
        let (client, evicted) = clients.withLock { clients -> (HTTPClient, HTTPClient?) in
            if let client = clients[key] { return (client, nil) }
            var evicted: HTTPClient?
            if clients.count >= Self.cachedClients, let first = clients.keys.first {
                evicted = clients.removeValue(forKey: first)
            }
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .nanoseconds(Int64(timeout.seconds * 1e9)), read: .nanoseconds(Int64(timeout.seconds * 1e9))),
                connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost))
            if WebhookAddressPolicy.literal(host) == nil {
                configuration.dnsOverride = [host: "\(address)"]
            }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return (client, evicted)
        }
        if let evicted {
            // Requests in flight on it finish first: shutdown waits for them.
            Task { try? await evicted.shutdown() }
        }
        return client
    }

    /// Closes every connection; call once, when no send is running.
    public func shutdown() async {
        let all = clients.withLock { clients in
            defer { clients = [:] }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
    }
}
