/// A command that was given well-formed arguments but cannot do what they ask (no such
/// entity, a database not migrated): one line on stderr and a non-zero exit, without the
/// usage text that ArgumentParser prints for a `ValidationError`, which is kept for
/// mistakes in the arguments themselves.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
