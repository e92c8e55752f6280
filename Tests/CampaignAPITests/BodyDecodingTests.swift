import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import CampaignAPI

/// The API's own body decoder, alone: every problem at once, `null` apart from absent,
/// numbers exact.
@Suite struct BodyDecodingTests {
    func problems(_ json: String, as type: (some Decodable).Type) -> [String: String] {
        do {
            _ = try BodyDecoding.decode(type, from: Data(json.utf8))
            return [:]
        } catch let error as APIError {
            guard case .array(let items) = error.extra["problems"] else { return ["(no problems)": error.detail] }
            var found: [String: String] = [:]
            for case .object(let problem) in items {
                if case .string(let field) = problem["field"], case .string(let message) = problem["message"] {
                    found[field] = message
                }
            }
            return found
        } catch {
            return ["(error)": "\(error)"]
        }
    }

    @Test func everyWrongFieldIsReportedAtOnce() {
        let found = problems(
            #"{"label": 3, "type": "huge", "audience": ["A", 2], "visible_from": "tomorrow", "settings": [], "colour": "red"}"#,
            as: Creation<PackageBody>.self)
        #expect(found["label"] == "must be a string, not a number")
        #expect(found["type"] == "must be one of local, collaborative")
        #expect(found["audience"] == "must be a list of strings, not an array")
        #expect(found["visible_from"]?.hasPrefix("must be an RFC 3339 timestamp") == true)
        #expect(found["settings"] == "must be an object, not an array")
        #expect(found["colour"] == "unknown field")
        #expect(found["campaign_name"] == "is required")
        #expect(found["campaign_folder"] == "is required")
        #expect(found.count == 8)
    }

    /// A field that a PATCH may clear reports a wrong value as its plain kind would.
    @Test func clearableFieldsNameTheirAllowedValues() {
        let found = problems(
            #"{"approval_mode": "sometimes", "allows_several_orders": "yes", "available_at": 5}"#, as: PackageBody.self)
        #expect(found["approval_mode"] == "must be one of \(ApprovalMode.allCases.map(\.rawValue).joined(separator: ", "))")
        #expect(found["allows_several_orders"] == "must be a boolean, not a string")
        #expect(found["available_at"] == "must be an RFC 3339 timestamp string, not a number")
    }

    @Test func nullClearsAFieldAndAbsenceLeavesIt() throws {
        let body = try BodyDecoding.decode(
            PackageBody.self, from: Data(#"{"visible_from": null, "description": null, "label": null}"#.utf8))
        var draft = PackageDraft(
            label: "Kept", type: .collaborative, description: "old", campaignName: "c", campaignFolder: "/f",
            schedule: PackageSchedule(visibleFrom: Date(timeIntervalSince1970: 0), visibleUntil: Date(timeIntervalSince1970: 9)))
        try body.apply(to: &draft)
        #expect(draft.label == "Kept")
        #expect(draft.description == "")
        #expect(draft.schedule.visibleFrom == nil)
        #expect(draft.schedule.visibleUntil == Date(timeIntervalSince1970: 9))
        #expect(draft.type == .collaborative)
    }

    @Test func numbersComeThroughExactly() throws {
        let body = try BodyDecoding.decode(
            OrderBody.self, from: Data(#"{"parameters": {"n": 12345678901234567890, "x": [0.10]}}"#.utf8))
        #expect(String(decoding: JSONValue.object(body.parameters ?? [:]).serialized, as: UTF8.self) == #"{"n":12345678901234567890,"x":[0.10]}"#)
        let ack = try BodyDecoding.decode(AcknowledgementBody.self, from: Data(#"{"cursor": 9007199254740993}"#.utf8))
        #expect(ack.cursor == 9_007_199_254_740_993)
        #expect(problems(#"{"cursor": 1.5}"#, as: AcknowledgementBody.self)["cursor"] == "must be a whole number, not a number")
        #expect(problems(#"{}"#, as: AcknowledgementBody.self)["cursor"] == "is required")
    }

    @Test func whatIsNotAnObjectIsRefused() {
        #expect(problems("[1]", as: EmptyBody.self)["(body)"] == "must be a JSON object, not an array")
        #expect(problems(#"{"a": 1}"#, as: EmptyBody.self)["a"] == "unknown field")
        #expect(problems("  \n", as: EmptyBody.self).isEmpty)
        #expect(throws: APIError.self) { try BodyDecoding.decode(EmptyBody.self, from: Data("{".utf8)) }
        #expect(problems(#"{"comment": "a\u0000b"}"#, as: CommentBody.self)["(body)"] != nil)
    }
}

/// The API's query decoder, alone: every problem at once, lists two ways, empty as absent.
@Suite struct QueryDecodingTests {
    func request(_ query: String) -> Request {
        Request(head: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/v1/x?\(query)"), body: .init(buffer: ByteBuffer()))
    }

    func fields(_ query: String) -> [String] {
        do {
            _ = try QueryDecoding.decode(PackageListQuery.self, from: request(query))
            return []
        } catch let error as APIError {
            guard case .array(let items) = error.extra["problems"] else { return ["?"] }
            return items.compactMap { item in
                if case .object(let problem) = item, case .string(let field) = problem["field"] { return field }
                return nil
            }
        } catch {
            return ["\(error)"]
        }
    }

    @Test func everyWrongParameterIsReportedAtOnce() {
        #expect(Set(fields("status=lost,published&late=maybe&limit=9999&cursor=-1&type=huge")) == ["status", "late", "limit", "cursor", "type"])
        #expect(fields("unknown=1&q=") == [])
    }

    @Test func listsComeCommaSeparatedOrRepeated() throws {
        let query = try QueryDecoding.decode(
            PackageListQuery.self, from: request("status=published,approved&status=cancelled&late=TRUE&limit=20&q=spring"))
        #expect(query.status == [.published, .approved, .cancelled])
        #expect(query.late == true)
        #expect(query.limit.orDefault == 20)
        #expect(query.q == "spring")
        let feed = try QueryDecoding.decode(FeedQuery.self, from: request("after=9223372036854775807&wait=2.5&limit="))
        #expect(feed.after == Int.max)
        #expect(feed.wait?.value == 2.5)
        #expect(feed.limit.orDefault == 50)
        #expect(throws: APIError.self) { try QueryDecoding.decode(FeedQuery.self, from: request("wait=61")) }
    }
}
