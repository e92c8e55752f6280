import Domain
import Foundation
import Testing

/// The order form's two rules: what a form may be, and what an order's parameters must be.
@Suite struct OrderFormTests {
    static func parse(_ json: String) -> Result<OrderForm, ValidationFailure> {
        // Text that is not JSON reads as null, which is no form: the tests would say so.
        OrderForm.parse((try? JSONValue(parsing: Array(json.utf8))) ?? .null)
    }

    static let form: OrderForm = {
        guard case .success(let form) = parse(
            #"""
            [{"name": "copies", "label": "Copies", "type": "number", "required": true, "min": 1, "max": 5000},
             {"name": "title", "label": "Title", "type": "text", "max_length": 10},
             {"name": "start", "label": "Start", "type": "date", "min": "2027-01-01", "max": "2027-12-31"},
             {"name": "format", "label": "Format", "type": "choice", "choices": ["A4", "A5"], "required": true},
             {"name": "terms", "label": "I accept the terms", "type": "boolean", "required": true}]
            """#)
        else { return OrderForm() }
        return form
    }()

    @Test func aWellFormedFormIsReadAndWrittenBack() throws {
        #expect(Self.form.fields.map(\.name) == ["copies", "title", "start", "format", "terms"])
        #expect(Self.form.fields[3].choices == ["A4", "A5"])
        #expect(Self.form.fields[1].maxLength == 10)
        let again = OrderForm.parse(Self.form.json)
        #expect(try again.get() == Self.form)
    }

    @Test func aMalformedFormGetsOneProblemPerFault() {
        let refused = Self.parse(
            #"""
            [{"name": "Copies", "label": "", "type": "integer"},
             {"name": "pick", "label": "Pick", "type": "choice"},
             {"name": "pick", "label": "Again", "type": "text", "choices": ["x"], "min": 1},
             {"name": "n", "label": "N", "type": "number", "min": 5, "max": 1, "colour": "red"},
             {"name": "d", "label": "D", "type": "date", "min": "2027-02-30"}]
            """#)
        guard case .failure(let failure) = refused else {
            Issue.record("a malformed form was accepted")
            return
        }
        #expect(
            Set(failure.problems.map(\.field)) == [
                "order_form.0.name", "order_form.0.label", "order_form.0.type", "order_form.1.choices",
                "order_form.2.choices", "order_form.2.min", "order_form.3.max", "order_form.3.colour", "order_form.4.min",
            ])
        #expect(failure.problems.contains { $0.field == "order_form.1.choices" && $0.message == "is required for a choice field" })
        let duplicate = Self.parse(#"[{"name": "a", "label": "A", "type": "text"}, {"name": "a", "label": "B", "type": "text"}]"#)
        #expect((try? duplicate.get()) == nil)
        #expect((try? Self.parse(#"{"name": "a"}"#).get()) == nil, "a form is a list")
    }

    @Test func parametersAreCheckedFieldByField() throws {
        let good: [String: JSONValue] = [
            "copies": .number(JSONNumber(500)), "title": .string("Spring"), "start": .string("2027-03-01"),
            "format": .string("A5"), "terms": .bool(true),
        ]
        #expect(Self.form.check(good).isEmpty)
        #expect(Self.form.check(good.filter { $0.key != "title" && $0.key != "start" }).isEmpty, "optional fields may be absent")

        let bad: [String: JSONValue] = [
            "copies": .number(JSONNumber(0)), "title": .string("far too long a title"), "start": .string("2026-12-31"),
            "format": .string("A3"), "terms": .bool(false), "colour": .string("red"),
        ]
        let problems = Dictionary(uniqueKeysWithValues: Self.form.check(bad).map { ($0.field, $0.message) })
        #expect(problems["parameters.copies"] == "must be at least 1")
        #expect(problems["parameters.title"] == "must be at most 10 characters")
        #expect(problems["parameters.start"] == "must be on or after 2027-01-01")
        #expect(problems["parameters.format"] == "must be one of A4, A5")
        #expect(problems["parameters.terms"] == "must be checked")
        #expect(problems["parameters.colour"] == "is not a field of the order form")

        let missing = Dictionary(uniqueKeysWithValues: Self.form.check([:]).map { ($0.field, $0.message) })
        #expect(missing == ["parameters.copies": "is required", "parameters.format": "is required", "parameters.terms": "is required"])
        let wrongTypes = Dictionary(uniqueKeysWithValues: Self.form.check([
            "copies": .string("many"), "start": .string("2027-02-30"), "format": .number(JSONNumber(4)), "terms": .string("yes"),
        ]).map { ($0.field, $0.message) })
        #expect(wrongTypes["parameters.copies"] == "must be a number")
        #expect(wrongTypes["parameters.start"] == "must be a date, YYYY-MM-DD")
        #expect(wrongTypes["parameters.format"] == "must be a text")
        #expect(wrongTypes["parameters.terms"] == "must be true or false")
    }

    @Test func anEmptyFormTakesAnyParameters() {
        #expect(OrderForm().check(["anything": .string("goes")]).isEmpty)
    }

    @Test func calendarDatesAreReal() {
        #expect(CalendarDate("2028-02-29") != nil)
        #expect(CalendarDate("2027-02-29") == nil)
        #expect(CalendarDate("2027-13-01") == nil)
        #expect(CalendarDate("27-01-01") == nil)
    }
}
