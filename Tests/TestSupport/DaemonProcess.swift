import EmbeddedPostgres
import Foundation
import NIOPosix
import Synchronization

/// The `campaignd` binary run as a child process, its log in a file.
public final class DaemonProcess: Sendable {
    public let pid: pid_t
    public let logPath: String
    private let reaped = Mutex(false)

    /// Daemons running at once across the test process: more would only fight over two
    /// cores and the server's connections.
    static let slots = TestSemaphore(8)

    /// The built `campaignd` beside the test binary.
    public static var executable: String {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("campaignd").path
    }

    /// Our environment without anything that would point the child at a database, plus `extra`.
    public static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("PG") && !key.hasPrefix("CAMPAIGND_")
        }
        environment.merge(extra) { $1 }
        return environment
    }

    private init(pid: pid_t, logPath: String) {
        self.pid = pid
        self.logPath = logPath
    }

    /// Runs `campaignd arguments…` to completion, `input` on its stdin; returns exit
    /// status, stdout and stderr.
    public static func run(
        _ arguments: [String], input: String = "", environment: [String: String] = environment()
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        let base = "/tmp/cdp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer {
            for suffix in [".out", ".err", ".in"] { try? FileManager.default.removeItem(atPath: base + suffix) }
        }
        try input.write(toFile: base + ".in", atomically: true, encoding: .utf8)
        // stdout and stderr are kept apart with a shell redirection of stderr.
        let script = "exec \"$0\" \"$@\" 2>\(base).err <\(base).in"
        let status = try await TestThreads.pool.runIfActive {
            try ChildProcess.wait(
                try ChildProcess.spawn(
                    "/bin/sh", ["-c", script, executable] + arguments, output: base + ".out", environment: environment))
        }
        let stdout = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return (status, stdout, stderr)
    }

    /// Starts `campaignd arguments…` in the background, once one of the daemon slots is free.
    public static func start(_ arguments: [String], environment: [String: String] = environment()) async throws
        -> DaemonProcess
    {
        await slots.acquire()
        let logPath = "/tmp/cdp-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        do {
            let pid = try ChildProcess.spawn(executable, arguments, output: logPath, environment: environment)
            // Should this test process die first, a watchdog kills the daemon.
            try ChildProcess.run(
                "/bin/sh",
                ["-c", "while kill -0 \(getpid()) 2>/dev/null && kill -0 \(pid) 2>/dev/null; do sleep 0.5; done; kill -9 \(pid) 2>/dev/null"],
                detached: true)
            return DaemonProcess(pid: pid, logPath: logPath)
        } catch {
            slots.release()
            throw error
        }
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits for the "listening" log line and returns the port it names.
    public func waitForPort(timeout: Duration = .seconds(60)) async throws -> Int {
        try await waitForLog("start listening", timeout: timeout) { log in
            // "listening … 127.0.0.1:PORT", in the text or the JSON log format.
            log.split(separator: "\n").lazy.filter { $0.contains("listening") }.compactMap { line in
                line.firstMatch(of: /\d+\.\d+\.\d+\.\d+:(\d+)/).flatMap { Int($0.1) }
            }.first
        }
    }

    /// Waits for a log line containing `text`: for `worker`, "job workers started" says its
    /// signal handlers are in place (a SIGTERM before them ends it with status 143).
    public func waitForLine(_ text: String, timeout: Duration = .seconds(60)) async throws {
        try await waitForLog("log \"\(text)\"", timeout: timeout) { $0.contains(text) ? () : nil }
    }

    /// Reads the log every 50 ms until `found` finds what it looks for, the daemon exits,
    /// or `timeout` passes.
    private func waitForLog<T>(_ what: String, timeout: Duration, _ found: (String) -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = found(log) { return value }
            if kill(pid, 0) != 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HTTPTestClient.Failure(description: "campaignd did not \(what); its log:\n\(log)")
    }

    /// Sends `signal` and waits for the exit status.
    public func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(pid, signal)
        let pid = pid
        let status = try await TestThreads.pool.runIfActive { try ChildProcess.wait(pid) }
        let first = reaped.withLock { reaped in
            defer { reaped = true }
            return !reaped
        }
        if first { Self.slots.release() }
        return status
    }

    /// A daemon the test did not stop is killed, so none outlives its test.
    deinit {
        if !reaped.withLock({ $0 }) {
            kill(pid, SIGKILL)
            _ = try? ChildProcess.wait(pid)
            Self.slots.release()
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
