import Foundation

/// Runs helper programs (`initdb`, `pg_ctl`) without leaking our file descriptors.
///
/// `Foundation.Process` is not used on purpose: a PostgreSQL started through it inherits
/// the descriptors Foundation watches for the child's exit, and `waitUntilExit()` then
/// never returns. Here the child gets /dev/null as stdin, a log file as stdout and
/// stderr, and nothing else: every other descriptor is closed at spawn.
public enum ChildProcess {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `executable` and waits for it; returns its exit status. Blocks the calling thread.
    /// - Parameters:
    ///   - user: run as this system user (through `runuser`; we must be root).
    ///   - output: file that receives stdout and stderr (appended), or /dev/null.
    ///   - detached: start it in a new session and do not wait (returns 0).
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], asUser user: String? = nil,
        output: String = "/dev/null", detached: Bool = false
    ) throws -> Int32 {
        let pid = try spawn(executable, arguments, asUser: user, output: output, detached: detached)
        return detached ? 0 : try wait(pid)
    }

    /// Starts `executable` without waiting; see ``run(_:_:asUser:output:detached:)``.
    /// - Parameter environment: the child's environment; ours when `nil`.
    public static func spawn(
        _ executable: String, _ arguments: [String], asUser user: String? = nil,
        output: String = "/dev/null", detached: Bool = false, environment: [String: String]? = nil
    ) throws -> pid_t {
        var argv = [executable] + arguments
        if let user {
            argv = [runuserPath, "-u", user, "--"] + argv
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let closedFromThree = addCloseFrom(&actions, 3)
        if !closedFromThree { markDescriptorsCloseOnExec() }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if detached {
            // POSIX_SPAWN_SETSID (glibc): the child outlives our process group.
            posix_spawnattr_setflags(&attributes, Int16(0x80))
        }

        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        let cEnvironment = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { cEnvironment?.forEach { free($0) } }
        var pid: pid_t = 0
        let spawnError =
            if var list = cEnvironment {
                posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, &list)
            } else {
                posix_spawn(&pid, argv[0], &actions, &attributes, cArguments, environ)
            }
        guard spawnError == 0 else {
            throw Failure(description: "cannot start \(argv[0]): \(String(cString: strerror(spawnError)))")
        }
        return pid
    }

    /// Waits for a child started by ``spawn(_:_:asUser:output:detached:)``; returns its exit
    /// status, or 128 + the signal that killed it. Blocks the calling thread.
    public static func wait(_ pid: pid_t) throws -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw Failure(description: "waiting for process \(pid) failed: \(String(cString: strerror(errno)))")
            }
        }
        // WIFEXITED / WEXITSTATUS are macros Swift does not import.
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    static var runuserPath: String {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") ? "/usr/sbin/runuser" : "/sbin/runuser"
    }

    /// glibc ≥ 2.34 has `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc
    /// module does not expose (it sits behind `_GNU_SOURCE`): look it up at run time.
    private static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) -> Bool {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { return false }
        let function = unsafeBitCast(symbol, to: AddCloseFrom.self)
        return function(&actions, lowest) == 0
    }

    /// Fallback for an older glibc: no descriptor of ours above stderr survives an exec.
    private static func markDescriptorsCloseOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            if let fd = Int32(entry), fd > 2 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
    }
}
