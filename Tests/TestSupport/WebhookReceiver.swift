import EmbeddedPostgres
import Foundation

/// A real webhook receiver on 127.0.0.1 (`Tests/Webhooks/receiver.py`), which checks each
/// delivery's signature itself (in Python, not with the daemon's code) and logs it.
public final class WebhookReceiver: Sendable {
    public let pid: pid_t
    public let port: Int
    let logPath: String

    public static func start() async throws -> WebhookReceiver {
        let base = "/tmp/whr-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let script = TestCluster.repositoryRoot + "/Tests/Webhooks/receiver.py"
        let pid = try ChildProcess.spawn("/usr/bin/env", ["python3", script, base + ".port", base + ".log"], output: base + ".out")
        try ChildProcess.run(
            "/bin/sh",
            ["-c", "while kill -0 \(getpid()) 2>/dev/null && kill -0 \(pid) 2>/dev/null; do sleep 0.5; done; kill -9 \(pid) 2>/dev/null"],
            detached: true)
        for _ in 0..<100 {
            if let text = try? String(contentsOfFile: base + ".port", encoding: .utf8), let port = Int(text) {
                return WebhookReceiver(pid: pid, port: port, logPath: base + ".log")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(pid, SIGKILL)
        throw HTTPTestClient.Failure(description: "the webhook receiver did not start")
    }

    init(pid: pid_t, port: Int, logPath: String) {
        self.pid = pid
        self.port = port
        self.logPath = logPath
    }

    deinit {
        kill(pid, SIGKILL)
    }

    /// The URL of one of the receiver's behaviours (`ok`, `fail-2`, `slow-3`, `down`).
    public func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    /// Tells the receiver the secret to check the signatures of `/name` with.
    public func trust(_ name: String, secret: String) async throws {
        let answer = try await HTTPTestClient(port: port).put("/_secret/\(name)", secret)
        guard answer.status == 204 else { throw HTTPTestClient.Failure(description: "receiver: \(answer.status)") }
    }

    /// Every request received so far, oldest first.
    public func requests(_ name: String? = nil) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { name == nil || $0["path"] as? String == "/\(name!)" }
    }

    /// Waits until `condition` holds of the requests of `/name`, or of all (`nil`), for at most `timeout`.
    public func waitFor(
        _ name: String?, timeout: Duration = .seconds(30), _ condition: ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let requests = requests(name)
            if condition(requests) { return requests }
            guard ContinuousClock.now < deadline else {
                throw HTTPTestClient.Failure(description: "receiver /\(name ?? "*") got \(requests.count) requests: \(requests)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
