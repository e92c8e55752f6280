import EmbeddedPostgres
import Foundation
import TestSupport
import Testing

/// The console and the portal in a real browser: `Tests/Browser/run` drives headless
/// Chromium with Selenium against this test's daemon and checks every page with axe (see
/// Tests/Browser/console_test.py and portal_test.py for the steps). It needs Debian's
/// chromium and chromium-driver, which `.ci/run` installs.
@Suite(.databasePerTest) struct BrowserTests {
    static let password = "a long enough password"

    /// Runs `Tests/Browser/run ARGUMENTS` with `environment`; its log, once it exited 0.
    static func run(_ arguments: [String], _ environment: [String: String]) async throws {
        let output = "/tmp/cdp-browser-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var environment = DaemonProcess.environment(environment.merging(["PASSWORD": password]) { $1 })
        if let screenshots = ProcessInfo.processInfo.environment["BROWSER_SCREENSHOTS"] {
            environment["BROWSER_SCREENSHOTS"] = screenshots
        }
        let script = TestCluster.repositoryRoot + "/Tests/Browser/run"
        let childEnvironment = environment
        let status = try await TestThreads.pool.runIfActive {
            try ChildProcess.wait(try ChildProcess.spawn("/bin/bash", [script] + arguments, output: output, environment: childEnvironment))
        }
        let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(status == 0, "Tests/Browser/run \(arguments) failed:\n\(log)")
        #expect(log.contains("browser: done:"), "\(log)")
    }

    @Test func anOperatorWorksThroughTheConsoleInABrowser() async throws {
        let api = try await APIHarness.start(["--password-cost", "10"])
        let paris = try await api.entity("PAR-01")
        _ = try await api.operatorClient("vera", role: .viewer)
        for name in ["tester", "checker", "vera"] {
            #expect(try await api.central.put("/v1/operators/\(name)/password", #"{"password": "\#(Self.password)"}"#).status == 204)
        }
        try await Self.run([], [
            "CONSOLE_URL": "http://127.0.0.1:\(api.central.port)", "CENTRAL_TOKEN": api.central.token ?? "",
            "APPROVER_TOKEN": api.approver.token ?? "", "ENTITY_TOKEN": paris.token ?? "",
        ])
    }

    @Test func aLocalOperatorOrdersThroughThePortalInABrowser() async throws {
        let api = try await APIHarness.start(["--password-cost", "10"])
        _ = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        #expect(try await api.central.post("/v1/operators", #"{"name": "marie", "role": "local", "entity": "PAR-01"}"#).status == 201)
        #expect(try await api.central.put("/v1/operators/marie/password", #"{"password": "\#(Self.password)"}"#).status == 204)
        // Another entity's order, whose page marie must not see.
        let theirs = try await api.package(#"{"label": "Lyon only", "type": "local", "campaign_name": "l", "campaign_folder": "/l", "audience": ["LYO-01"]}"#)
        let other = try #require(try await lyon.post("/v1/packages/\(theirs)/orders", #"{"label": "Lyon's"}"#).string("id"))
        try await Self.run(["portal"], [
            "CONSOLE_URL": "http://127.0.0.1:\(api.central.port)", "CENTRAL_TOKEN": api.central.token ?? "",
            "APPROVER_TOKEN": api.approver.token ?? "", "OTHER_ORDER": other,
        ])
    }
}
