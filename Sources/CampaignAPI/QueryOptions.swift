import Domain
import Hummingbird

/// Reading query parameters, with the same problem reporting as bodies.
struct QueryOptions {
    let request: Request
    private(set) var problems: [FieldProblem] = []

    init(_ request: Request) {
        self.request = request
        // PostgreSQL text cannot hold U+0000: refuse it here rather than fail later.
        for (name, value) in request.uri.queryParameters where value.unicodeScalars.contains("\u{0}") {
            problems.append(FieldProblem(field: String(name), message: "must not contain the NUL character"))
        }
    }

    func text(_ name: String) -> String? {
        request.uri.queryParameters.get(name).map { String($0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `?limit=`: 50 by default, 1 to 500.
    mutating func limit() -> Int {
        guard let text = text("limit") else { return 50 }
        guard let value = Int(text), (1...500).contains(value) else {
            problems.append(FieldProblem(field: "limit", message: "must be a whole number from 1 to 500"))
            return 50
        }
        return value
    }

    /// An id-like integer parameter (cursors, ids).
    mutating func integer(_ name: String) -> Int? {
        guard let text = text(name) else { return nil }
        guard let value = Int(text), value >= 0 else {
            problems.append(FieldProblem(field: name, message: "must be a non-negative whole number"))
            return nil
        }
        return value
    }

    /// A number of seconds within `range` (`wait=2.5`).
    mutating func seconds(_ name: String, range: ClosedRange<Double>) -> Double? {
        guard let text = text(name) else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            problems.append(
                FieldProblem(field: name, message: "must be a number of seconds from \(Int(range.lowerBound)) to \(Int(range.upperBound))"))
            return nil
        }
        return value
    }

    mutating func bool(_ name: String) -> Bool? {
        guard let text = text(name) else { return nil }
        switch text.lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default:
            problems.append(FieldProblem(field: name, message: "must be true or false"))
            return nil
        }
    }

    /// A comma-separated list of enumeration values (`status=published,pending_approval`);
    /// the parameter may also repeat.
    mutating func list<Value: RawRepresentable & CaseIterable>(_ name: String, _ type: Value.Type) -> [Value]
    where Value.RawValue == String {
        let raw = request.uri.queryParameters.getAll(name).flatMap { $0.split(separator: ",") }
        var values: [Value] = []
        for item in raw {
            let text = item.trimmingCharacters(in: .whitespaces)
            guard let value = Value(rawValue: text) else {
                let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
                problems.append(FieldProblem(field: name, message: "\(text) is not one of \(allowed)"))
                continue
            }
            values.append(value)
        }
        return values
    }

    mutating func enumeration<Value: RawRepresentable & CaseIterable>(_ name: String, _ type: Value.Type) -> Value?
    where Value.RawValue == String {
        list(name, type).first
    }

    func finish() throws {
        guard problems.isEmpty else { throw APIError.validation(problems) }
    }
}

extension RequestContext {
    /// A numeric path parameter (`:id`); 404 when it is not a number, as for an unknown id.
    func id(_ name: String = "id", _ what: String) throws -> Int {
        guard let text = parameters.get(name), let value = Int(text), value > 0 else { throw APIError.notFound(what) }
        return value
    }
}
