import Foundation
import Synchronization

/// Log lines on their way to stderr, gathered so that a busy daemon does not make one
/// `write(2)` per request (the access log). A line at `notice` or above is written at
/// once, with everything before it; others wait at most `interval` (a thread writes
/// them out), or until 64 KiB are waiting. Lines keep their order. At a normal exit
/// (`exit`, and so after SIGTERM) what waits is written; a process killed with SIGKILL
/// loses at most the last `interval` of `info` lines and below.
final class LogOutput: Sendable {
    static let standardError = LogOutput(descriptor: 2)

    let descriptor: Int32
    private let waiting = Mutex<[UInt8]>([])
    /// Held while a batch is written, so that two batches never swap places.
    private let writing = Mutex(())
    static let interval: Duration = .milliseconds(100)
    static let limit = 64 * 1024

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Starts the thread that writes waiting lines out, and the write at exit. Once.
    static let started: Void = {
        atexit { LogOutput.standardError.flush() }
        Thread.detachNewThread {
            while true {
                Thread.sleep(forTimeInterval: LogOutput.interval.seconds)
                LogOutput.standardError.flush()
            }
        }
    }()

    func append(_ line: [UInt8], urgent: Bool) {
        let full = waiting.withLock { waiting in
            waiting.append(contentsOf: line)
            return waiting.count >= Self.limit
        }
        if urgent || full { flush() }
    }

    func flush() {
        writing.withLock { _ in
            let batch = waiting.withLock { waiting -> [UInt8] in
                defer { waiting.removeAll(keepingCapacity: true) }
                return waiting
            }
            var offset = 0
            batch.withUnsafeBytes { bytes in
                guard let base = bytes.baseAddress else { return }
                while offset < bytes.count {
                    let written = write(descriptor, base + offset, bytes.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0, errno == EINTR {
                        continue
                    } else {
                        return  // stderr closed or full: the lines are dropped, the daemon goes on
                    }
                }
            }
        }
    }
}
