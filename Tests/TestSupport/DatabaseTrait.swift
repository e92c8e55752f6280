import Testing

/// Gives a suite (or a test) a fresh database, copied from the migrated template:
/// `@Suite(.database) struct MyTests { ... TestDatabase.current ... }`.
public struct DatabaseTrait: SuiteTrait, TestTrait, TestScoping {
    let migrated: Bool

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let database = try await TestCluster.shared.makeDatabase(migrated: migrated)
        try await TestDatabase.$current.withValue(database) {
            try await function()
        }
    }
}

extension Trait where Self == DatabaseTrait {
    /// A fresh, migrated database for the suite.
    public static var database: Self { DatabaseTrait(migrated: true) }
    /// A fresh, empty database (no migrations applied).
    public static var emptyDatabase: Self { DatabaseTrait(migrated: false) }
}

extension TestDatabase {
    /// The database of the enclosing `.database` suite; fails the test outside one.
    public static func get(sourceLocation: SourceLocation = #_sourceLocation) throws -> TestDatabase {
        try #require(current, "this test needs a suite or test with the .database trait", sourceLocation: sourceLocation)
    }
}
