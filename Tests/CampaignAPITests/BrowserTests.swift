import EmbeddedPostgres
import Foundation
import TestSupport
import Testing

/// The console in a real browser: `Tests/Browser/run` drives headless Chromium with
/// Selenium against this test's daemon and checks every page with axe (see
/// Tests/Browser/console_test.py for the steps). It needs Debian's chromium and
/// chromium-driver, which `.ci/run` installs.
@Suite(.databasePerTest) struct BrowserTests {
    @Test func anOperatorWorksThroughTheConsoleInABrowser() async throws {
        let api = try await APIHarness.start(["--password-cost", "10"])
        let password = "a long enough password"
        let paris = try await api.entity("PAR-01")
        _ = try await api.operatorClient("vera", role: .viewer)
        for name in ["tester", "checker", "vera"] {
            #expect(try await api.central.put("/v1/operators/\(name)/password", #"{"password": "\#(password)"}"#).status == 204)
        }
        let output = "/tmp/cdp-browser-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var environment = DaemonProcess.environment([
            "CONSOLE_URL": "http://127.0.0.1:\(api.central.port)", "PASSWORD": password,
            "CENTRAL_TOKEN": api.central.token ?? "", "APPROVER_TOKEN": api.approver.token ?? "",
            "ENTITY_TOKEN": paris.token ?? "",
        ])
        if let screenshots = ProcessInfo.processInfo.environment["BROWSER_SCREENSHOTS"] {
            environment["BROWSER_SCREENSHOTS"] = screenshots
        }
        let script = TestCluster.repositoryRoot + "/Tests/Browser/run"
        let childEnvironment = environment
        let status = try await TestThreads.pool.runIfActive {
            try ChildProcess.wait(try ChildProcess.spawn("/bin/bash", [script], output: output, environment: childEnvironment))
        }
        let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "Tests/Browser/run failed:\n\(log)")
        #expect(log.contains("browser: done:"), "\(log)")
    }
}
