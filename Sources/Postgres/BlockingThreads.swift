import NIOPosix

/// Threads for blocking work outside a pool: standalone connections (migrations, the
/// command line) and helper processes. Not `NIOThreadPool.singleton`, whose one thread
/// per core a few slow waits (an advisory lock, `pg_ctl start`) would fill.
public enum BlockingThreads {
    public static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()
}
