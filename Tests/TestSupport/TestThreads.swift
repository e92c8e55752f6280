import NIOPosix

/// Threads for the tests' blocking work (HTTP exchanges that may be long polls, waiting
/// for child processes): plenty, so that parallel tests never wait for each other here.
public enum TestThreads {
    public static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 64)
        pool.start()
        return pool
    }()
}
