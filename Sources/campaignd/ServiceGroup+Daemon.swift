import ArgumentParser
import Logging
import ServiceLifecycle

/// The shutdown settings shared by `serve` and `worker`.
struct ShutdownOptions: ParsableArguments {
    @Option(name: .customLong("shutdown-grace"), help: "Seconds SIGTERM/SIGINT waits for in-flight requests and jobs before cancelling them (env CAMPAIGND_SHUTDOWN_GRACE; default 30)")
    var grace: Double?

    func makeGroup(_ services: [any Service], global: GlobalOptions, logger: Logger) throws -> ServiceGroup {
        let seconds = try global.positiveNumber(grace, "CAMPAIGND_SHUTDOWN_GRACE", 30)
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Services stop in reverse order; past the grace they are cancelled (a job in
        // hand then rolls back and its lease lets another worker run it).
        configuration.maximumGracefulShutdownDuration = GlobalOptions.duration(seconds)
        return ServiceGroup(configuration: configuration)
    }
}
