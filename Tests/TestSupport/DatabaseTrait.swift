import Testing

/// Gives a suite or a test a fresh database, copied from the migrated template: the one
/// way tests get a database.
///
/// - `@Suite(.database)`: one database for the suite, shared by its tests (which create
///   their own rows, with names of their own).
/// - `@Suite(.databasePerTest)` or `@Test(.database)`: each test (each case of a
///   parameterized test) gets a database of its own, for tests that count rows or start a
///   daemon on it (``APIHarness``).
///
/// Inside, ``TestDatabase/get(sourceLocation:)`` is that database.
public struct DatabaseTrait: SuiteTrait, TestTrait, TestScoping {
    let migrated: Bool
    public let isRecursive: Bool

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> DatabaseTrait? {
        // Recursive: every test case, not the suite. Otherwise: the suite once, or the test.
        if isRecursive { return testCase == nil ? nil : self }
        return test.isSuite || testCase != nil ? self : nil
    }

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
    /// A fresh, migrated database for the suite (or, on a test, for the test).
    public static var database: Self { DatabaseTrait(migrated: true, isRecursive: false) }
    /// A fresh, migrated database for each test of the suite.
    public static var databasePerTest: Self { DatabaseTrait(migrated: true, isRecursive: true) }
    /// A fresh, empty database (no migrations applied).
    public static var emptyDatabase: Self { DatabaseTrait(migrated: false, isRecursive: false) }
}

extension TestDatabase {
    /// The database of the enclosing `.database` suite or test; fails the test outside one.
    public static func get(sourceLocation: SourceLocation = #_sourceLocation) throws -> TestDatabase {
        try #require(current, "this test needs a suite or test with the .database trait", sourceLocation: sourceLocation)
    }
}
