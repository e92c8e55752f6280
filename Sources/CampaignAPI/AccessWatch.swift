import Logging
import Postgres
import ServiceLifecycle
import Store

/// Keeps this daemon's view of access in step with the database:
/// - it listens for ``AccessChanges`` (a revoked token, a disabled operator or entity, a
///   new role) and forgets every remembered token when one arrives, or when its listening
///   connection comes back (announcements sent while it was down are lost), and so
///   every remembered page session;
/// - it writes the tokens' `last_used_at` every few seconds, beside the requests.
public struct AccessWatch: Service {
    let tokens: TokenStore
    let sessions: SessionStore?
    let configuration: PostgresConfiguration
    let flushInterval: Duration
    let logger: Logger

    public init(
        tokens: TokenStore, sessions: SessionStore? = nil, configuration: PostgresConfiguration,
        flushInterval: Duration = .seconds(5), logger: Logger
    ) {
        self.tokens = tokens
        self.sessions = sessions
        self.configuration = configuration
        self.flushInterval = flushInterval
        self.logger = logger
    }

    public func run() async throws {
        let listener = PostgresListener(configuration: configuration, channels: [AccessChanges.channel], logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in listener {
                    tokens.forgetAll()
                    sessions?.forgetAll()
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: flushInterval)
                    do {
                        try await tokens.flushUsage()
                    } catch {
                        logger.warning("could not record token use", metadata: ["error": "\(error)"])
                    }
                }
            }
            try? await gracefulShutdown()
            try? await tokens.flushUsage()
            group.cancelAll()
        }
    }
}
