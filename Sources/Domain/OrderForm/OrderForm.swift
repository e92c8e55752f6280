import Foundation

/// A package's order form (`order_form`): the typed fields a local entity fills in when it
/// orders, defined by the head office with the package. An order's `parameters` are
/// checked against it, by the API and the portal alike (``check(_:)``), one problem per field.
public struct OrderForm: Sendable, Equatable {
    /// The most fields a form may have.
    public static let maximumFields = 50
    /// The most choices of a `choice` field.
    public static let maximumChoices = 100

    public var fields: [OrderFormField]

    public init(fields: [OrderFormField] = []) {
        self.fields = fields
    }

    public var isEmpty: Bool { fields.isEmpty }

    /// The form as the API writes it (and as `central.packages.order_form` keeps it).
    public var json: JSONValue { .array(fields.map(\.json)) }

    /// Reads a form from its JSON (a list of field objects); every problem at once, each
    /// named by its place (`order_form.1.choices`).
    public static func parse(_ value: JSONValue, field: String = "order_form") -> Result<OrderForm, ValidationFailure> {
        guard case .array(let items) = value else {
            return .failure(ValidationFailure(problems: [FieldProblem(field: field, message: "must be a list of fields")]))
        }
        var problems: [FieldProblem] = []
        if items.count > maximumFields {
            problems.append(FieldProblem(field: field, message: "must have at most \(maximumFields) fields"))
        }
        var fields: [OrderFormField] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            switch OrderFormField.parse(item, field: "\(field).\(index)") {
            case .success(let parsed):
                if !names.insert(parsed.name).inserted {
                    problems.append(FieldProblem(field: "\(field).\(index).name", message: "'\(parsed.name)' is already a field of the form"))
                }
                fields.append(parsed)
            case .failure(let failure):
                problems += failure.problems
            }
        }
        return problems.isEmpty ? .success(OrderForm(fields: fields)) : .failure(ValidationFailure(problems: problems))
    }

    /// What is wrong with an order's `parameters` for this form: a required field absent
    /// or empty, a value of the wrong type, outside its bounds or not one of its choices,
    /// a parameter the form does not have. Problems are named `parameters.<field>`. An
    /// empty form asks nothing and takes any object (packages made before order forms).
    public func check(_ parameters: [String: JSONValue]) -> [FieldProblem] {
        guard !fields.isEmpty else { return [] }
        var problems: [FieldProblem] = []
        for field in fields {
            let value = parameters[field.name] ?? .null
            if let message = field.problem(with: value) {
                problems.append(FieldProblem(field: "parameters.\(field.name)", message: message))
            }
        }
        let known = Set(fields.map(\.name))
        for name in parameters.keys.sorted() where !known.contains(name) {
            problems.append(FieldProblem(field: "parameters.\(name)", message: "is not a field of the order form"))
        }
        return problems
    }
}

/// One field of an order form.
public struct OrderFormField: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case text, number, date, choice, boolean
    }

    /// The parameter's key: lowercase letters, digits and `_`, starting with a letter.
    public var name: String
    /// What the portal shows next to it.
    public var label: String
    public var type: Kind
    public var required: Bool
    /// The values of a `choice` field.
    public var choices: [String]
    /// The longest a `text` value may be (Unicode code points); `nil`: 10,000.
    public var maxLength: Int?
    /// Bounds of a `number` (numbers) or a `date` (`YYYY-MM-DD` texts), inclusive.
    public var min: JSONValue?
    public var max: JSONValue?

    public init(
        name: String, label: String, type: Kind, required: Bool = false, choices: [String] = [], maxLength: Int? = nil,
        min: JSONValue? = nil, max: JSONValue? = nil
    ) {
        self.name = name
        self.label = label
        self.type = type
        self.required = required
        self.choices = choices
        self.maxLength = maxLength
        self.min = min
        self.max = max
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "label": .string(label), "type": .string(type.rawValue), "required": .bool(required),
        ]
        if type == .choice { members["choices"] = .array(choices.map(JSONValue.string)) }
        if let maxLength { members["max_length"] = .number(JSONNumber(maxLength)) }
        if let min { members["min"] = min }
        if let max { members["max"] = max }
        return .object(members)
    }

    static let keys: Set<String> = ["name", "label", "type", "required", "choices", "max_length", "min", "max"]

    static func parse(_ value: JSONValue, field: String) -> Result<OrderFormField, ValidationFailure> {
        guard case .object(let members) = value else {
            return .failure(ValidationFailure(problems: [FieldProblem(field: field, message: "must be an object")]))
        }
        var problems: [FieldProblem] = []
        func problem(_ key: String, _ message: String) { problems.append(FieldProblem(field: "\(field).\(key)", message: message)) }
        for key in members.keys.sorted() where !keys.contains(key) { problem(key, "is not a member of an order form field") }

        var name = ""
        if case .string(let text)? = members["name"], text.wholeMatch(of: /[a-z][a-z0-9_]{0,39}/) != nil {
            name = text
        } else {
            problem("name", "must be 1 to 40 lowercase letters, digits or '_', starting with a letter")
        }
        var label = ""
        if case .string(let text)? = members["label"] {
            label = text
            problems += PackageRules.checkLabel(text, field: "\(field).label")
        } else {
            problem("label", "is required: a text")
        }
        var kind = Kind.text
        if case .string(let text)? = members["type"], let parsed = Kind(rawValue: text) {
            kind = parsed
        } else {
            problem("type", "must be one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var required = false
        switch members["required"] {
        case nil, .null?: break
        case .bool(let flag)?: required = flag
        default: problem("required", "must be true or false")
        }

        var choices: [String] = []
        switch (members["choices"], kind) {
        case (nil, .choice), (.null?, .choice):
            problem("choices", "is required for a choice field")
        case (.array(let items)?, .choice):
            for item in items {
                guard case .string(let text) = item, PackageRules.checkLabel(text, field: "").isEmpty else {
                    problem("choices", "must be non-blank texts of at most 200 characters")
                    break
                }
                choices.append(text)
            }
            if choices.isEmpty { problem("choices", "must offer at least one choice") }
            if choices.count > OrderForm.maximumChoices { problem("choices", "must offer at most \(OrderForm.maximumChoices) choices") }
            if Set(choices).count != choices.count { problem("choices", "must not repeat a choice") }
        case (nil, _), (.null?, _):
            break
        case (_, .choice):
            problem("choices", "must be a list of texts")
        default:
            problem("choices", "is only for a choice field")
        }

        var maxLength: Int?
        switch (members["max_length"], kind) {
        case (nil, _), (.null?, _): break
        case (.number(let number)?, .text):
            if let value = number.int, (1...CommentRules.maximumLength).contains(value) {
                maxLength = value
            } else {
                problem("max_length", "must be a whole number from 1 to \(CommentRules.maximumLength)")
            }
        default:
            problem("max_length", kind == .text ? "must be a whole number" : "is only for a text field")
        }

        var bounds: [String: JSONValue] = [:]
        for key in ["min", "max"] {
            switch (members[key], kind) {
            case (nil, _), (.null?, _): break
            case (.number(let number)?, .number) where number.double.isFinite: bounds[key] = .number(number)
            case (.string(let text)?, .date) where CalendarDate(text) != nil: bounds[key] = .string(text)
            case (_, .number): problem(key, "must be a number")
            case (_, .date): problem(key, "must be a date, YYYY-MM-DD")
            default: problem(key, "is only for a number or a date field")
            }
        }
        if let low = bounds["min"], let high = bounds["max"], Self.compare(low, high) == .some(false) {
            problem("max", "must not be below min")
        }
        guard problems.isEmpty else { return .failure(ValidationFailure(problems: problems)) }
        return .success(
            OrderFormField(
                name: name, label: label, type: kind, required: required, choices: choices, maxLength: maxLength,
                min: bounds["min"], max: bounds["max"]))
    }

    /// Whether `low ≤ high` for two bounds of the same kind; `nil` when they cannot be compared.
    static func compare(_ low: JSONValue, _ high: JSONValue) -> Bool? {
        switch (low, high) {
        case (.number(let a), .number(let b)): a.double <= b.double
        case (.string(let a), .string(let b)): a <= b
        default: nil
        }
    }

    /// What is wrong with `value` for this field, in words; `nil` when it is fine. Absent,
    /// `null` and (for text) blank are "empty": refused only when the field is required.
    public func problem(with value: JSONValue) -> String? {
        if value == .null || value == .string("") && type != .boolean {
            return required ? "is required" : nil
        }
        switch (type, value) {
        case (.text, .string(let text)):
            if required, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "is required" }
            let limit = maxLength ?? CommentRules.maximumLength
            return text.unicodeScalars.count > limit ? "must be at most \(limit) characters" : nil
        case (.number, .number):
            if let min, Self.compare(min, value) == false { return "must be at least \(min.plainText)" }
            if let max, Self.compare(value, max) == false { return "must be at most \(max.plainText)" }
            return nil
        case (.date, .string(let text)):
            guard CalendarDate(text) != nil else { return "must be a date, YYYY-MM-DD" }
            if let min, Self.compare(min, value) == false { return "must be on or after \(min.plainText)" }
            if let max, Self.compare(value, max) == false { return "must be on or before \(max.plainText)" }
            return nil
        case (.choice, .string(let text)):
            return choices.contains(text) ? nil : "must be one of \(choices.joined(separator: ", "))"
        case (.boolean, .bool(let flag)):
            return required && !flag ? "must be checked" : nil
        case (.text, _), (.choice, _): return "must be a text"
        case (.number, _): return "must be a number"
        case (.date, _): return "must be a date, YYYY-MM-DD"
        case (.boolean, _): return "must be true or false"
        }
    }
}

/// A calendar date `YYYY-MM-DD` (years 1 to 9999), as order form dates are written.
public struct CalendarDate: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int

    public init?(_ text: String) {
        guard let match = text.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})/),
            let year = Int(match.1), let month = Int(match.2), let day = Int(match.3),
            year >= 1, (1...12).contains(month)
        else { return nil }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }
}

extension JSONValue {
    /// A bound as a problem writes it: `10`, `2027-01-31`.
    public var plainText: String {
        switch self {
        case .number(let number): number.text
        case .string(let text): text
        default: "\(self)"
        }
    }
}
