import EmbeddedPostgres
import Foundation

/// Runs `body` with a PostgreSQL cluster of its own (for tests that stop or restart the
/// server, so that the other suites' server is never interrupted), then stops it and
/// deletes its folder, whether `body` succeeds or throws.
public func withPrivateCluster<T>(
    _ body: (EmbeddedCluster) async throws -> T
) async throws -> T {
    let directory = "/tmp/cdp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let cluster = try EmbeddedCluster(directory: directory, durable: false)
    try await cluster.start(logger: TestCluster.logger)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let value: T
    do {
        value = try await body(cluster)
    } catch {
        try? await cluster.stop(immediate: true)
        throw error
    }
    try await cluster.stop(immediate: true)
    return value
}
