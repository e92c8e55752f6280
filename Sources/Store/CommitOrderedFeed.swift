import Domain
import Postgres

/// A row of a commit-ordered feed: a cursor, and the key of the feed it belongs to.
public protocol FeedRow: Sendable {
    var cursor: Int { get }
    /// Whose feed the row is in: the entity for notifications, 0 for the central events.
    var feedKey: Int { get }
    /// The row as the API, the pages and webhooks show it.
    var json: JSONValue { get }
}

/// One read of a feed: the rows of feed `key` after a cursor, at most `limit` of them.
public struct FeedPoll: Sendable, Equatable {
    /// The entity for notifications; 0 for the central events (one feed for every operator).
    public var key: Int
    public var after: Int
    public var limit: Int

    public init(key: Int, after: Int, limit: Int) {
        self.key = key
        self.after = after
        self.limit = limit
    }
}

/// A feed whose cursors follow commit order: the notifications of each local entity
/// (``NotificationFeed``) and the central entity's events (``EventFeed``).
///
/// A writer takes the feed's transaction-level advisory lock right before it inserts, as
/// the last step of its transaction, and `NOTIFY`s `wakeChannel`; so a reader that resumes
/// "after cursor N" never skips a row that commits late, and nothing reads a row twice.
/// The coalesced reads (``CoalescedFeedReader``) and the long-poll hub (`FeedHub`) are
/// written once against this protocol and serve both feeds.
public protocol CommitOrderedFeed: Sendable {
    associatedtype Row: FeedRow

    /// The `NOTIFY` channel a commit of new rows wakes.
    static var wakeChannel: String { get }
    /// The feed's name in metrics and logs.
    static var name: String { get }

    init(connection: PostgresConnection)

    /// The rows of several polls in one statement: for each poll, its feed's rows after
    /// its cursor, in cursor order, at most its limit.
    func rows(of polls: [FeedPoll]) async throws -> [[Row]]

    /// Every row committed after `cursor` in the given feeds, in cursor order, and the
    /// highest cursor committed (whatever the feed): how the hub wakes long polls.
    func rowsSince(_ cursor: Int, keys: [Int]) async throws -> (rows: [Row], highest: Int)

    /// The highest cursor committed so far.
    func highestCursor() async throws -> Int
}

extension CommitOrderedFeed {
    /// Sorts the rows of a multi-poll statement (`request` is the poll's 1-based position)
    /// into one answer per poll.
    static func answers(
        _ rows: PostgresRows, polls: Int, decode: (PostgresRow) throws -> Row
    ) throws -> [[Row]] {
        var answers = Array(repeating: [Row](), count: polls)
        for row in rows {
            let request = try row.decode(Int.self, "request")
            guard answers.indices.contains(request - 1) else {
                throw PostgresError(code: .server, message: "the \(name) feed answered for poll \(request) of \(polls)")
            }
            answers[request - 1].append(try decode(row))
        }
        return answers
    }
}
