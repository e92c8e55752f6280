import ArgumentParser
import Logging
import ServiceLifecycle

/// The shutdown settings shared by `serve` and `worker`.
struct ShutdownOptions: ParsableArguments {
    @Option(name: .customLong("shutdown-grace"), help: "Seconds SIGTERM/SIGINT waits for in-flight requests and jobs before cancelling them (env CAMPAIGND_SHUTDOWN_GRACE; default 30)")
    var grace: Double?

    func makeGroup(_ services: [any Service], global: GlobalOptions, logger: Logger) throws -> ServiceGroup {
        guard let text = global.setting(grace.map { "\($0)" }, "CAMPAIGND_SHUTDOWN_GRACE", default: "30"),
            let seconds = Double(text), seconds > 0
        else { throw ValidationError("the shutdown grace must be a positive number of seconds") }
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Services stop in reverse order; past the grace they are cancelled (a job in
        // hand then rolls back and its lease lets another worker run it).
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(seconds * 1000))
        return ServiceGroup(configuration: configuration)
    }
}
