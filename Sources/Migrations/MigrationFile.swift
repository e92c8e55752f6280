import Crypto
import Foundation
import Postgres

/// One numbered SQL file of `migrations/`, e.g. `0003_packages.sql`.
public struct MigrationFile: Sendable, Equatable {
    public let name: String
    public let sql: String
    /// Lowercase hex SHA-256 of the file's bytes.
    public let checksum: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).hexEncoded
    }

    /// The numbered `.sql` files of `directory`, in order. Other files are ignored; two
    /// files with the same number are refused.
    public static func load(from directory: String) throws -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MigrationError("cannot read the migrations folder \(directory)")
        }
        let files = try names.filter(isMigrationName).sorted().map { name in
            let path = directory + "/" + name
            guard let sql = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw MigrationError("cannot read \(path) as UTF-8 text")
            }
            return MigrationFile(name: name, sql: sql)
        }
        var seen: [Substring: String] = [:]
        for file in files {
            let number = file.name.prefix { $0.isNumber }
            if let other = seen[number] {
                throw MigrationError("\(other) and \(file.name) have the same number \(number)")
            }
            seen[number] = file.name
        }
        return files
    }

    /// `NNNN_words.sql`.
    static func isMigrationName(_ name: String) -> Bool {
        guard name.hasSuffix(".sql") else { return false }
        let digits = name.prefix { $0.isASCII && $0.isNumber }
        return digits.count >= 4 && name.dropFirst(digits.count).first == "_"
    }

    /// Where the migration files are: `explicit` if given, else the first of
    /// `./migrations`, `<bin>/../share/campaignd/migrations`, `/usr/share/campaignd/migrations`,
    /// and a `migrations` folder above the binary (a build folder inside a checkout). The
    /// binary is found through `/proc/self/exe`, so it works when started by name from `PATH`.
    public static func locateDirectory(explicit: String?) throws -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        let fileManager = FileManager.default
        var candidates = [fileManager.currentDirectoryPath + "/migrations"]
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        candidates.append(folder.appendingPathComponent("../share/campaignd/migrations").standardizedFileURL.path)
        candidates.append("/usr/share/campaignd/migrations")
        for _ in 0..<6 {
            folder = folder.deletingLastPathComponent()
            candidates.append(folder.appendingPathComponent("migrations").path)
        }
        var isDirectory: ObjCBool = false
        for candidate in candidates where fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return candidate }
        }
        throw MigrationError(
            "cannot find the migrations folder: give --migrations-dir (or CAMPAIGND_MIGRATIONS_DIR)")
    }
}

/// A migration refused or failed, in one line.
public struct MigrationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
