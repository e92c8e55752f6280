import Testing

/// Polls `condition` every 50 ms until it holds; records an issue naming `what` when it
/// still does not after `timeout`.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
}
