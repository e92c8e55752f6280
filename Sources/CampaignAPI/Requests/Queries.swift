import Domain
import Store

/// `GET /v1/packages?status=&type=&late=&unavailable=&q=&limit=&cursor=`.
struct PackageListQuery: Decodable, Sendable {
    var status: [PackageStatus]?
    var type: PackageType?
    var late: Bool?
    var unavailable: Bool?
    var q: String?
    var limit: PageSize?
    var cursor: Int?

    var filter: PackageFilter {
        PackageFilter(statuses: status ?? [], type: type, late: late, unavailable: unavailable, text: q)
    }
}

/// `GET /v1/orders?package=&entity=&status=&limit=&cursor=`.
struct OrderListQuery: Decodable, Sendable {
    var package: Int?
    var entity: String?
    var status: [OrderStatus]?
    var limit: PageSize?
    var cursor: Int?
}

/// `GET /v1/packages/{id}/participation?status=&limit=&cursor=` (the cursor is `CODE:ORDER`).
struct ParticipationQuery: Decodable, Sendable {
    var status: ParticipationStatuses?
    var limit: PageSize?
    var cursor: String?
}

/// `?status=` of the participation: `no_response` or order statuses, comma-separated.
struct ParticipationStatuses: QueryValue, Decodable, Sendable {
    let values: [String]

    static func parse(_ texts: [String]) -> Result<ParticipationStatuses, QueryProblem> {
        let values = texts.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        let unknown = values.filter { !Participation.statuses.contains($0) }
        guard unknown.isEmpty else {
            return .failure(
                QueryProblem(messages: unknown.map { "\($0) is not one of \(Participation.statuses.joined(separator: ", "))" }))
        }
        return .success(ParticipationStatuses(values: values))
    }

    init(values: [String]) { self.values = values }
    init(from decoder: any Decoder) throws {
        throw DecodingError.typeMismatch([String].self, .init(codingPath: [], debugDescription: "read as text"))
    }
}

/// `GET /v1/jobs?status=&limit=&cursor=`.
struct JobListQuery: Decodable, Sendable {
    var status: [JobStatus]?
    var limit: PageSize?
    var cursor: Int?
}

/// `GET /v1/entities?limit=&cursor=` (the cursor is an entity code).
struct EntityListQuery: Decodable, Sendable {
    var limit: PageSize?
    var cursor: String?
}

/// `GET /v1/operators?limit=&cursor=` (the cursor is an operator name).
typealias OperatorListQuery = EntityListQuery

/// `GET /v1/tokens?owner_kind=&owner=&revoked=&limit=&cursor=`.
struct TokenListQuery: Decodable, Sendable {
    var ownerKind: TokenRecord.OwnerKind?
    var owner: String?
    var revoked: Bool?
    var limit: PageSize?
    var cursor: Int?

    enum CodingKeys: String, CodingKey {
        case owner, revoked, limit, cursor
        case ownerKind = "owner_kind"
    }
}

/// A page of a list whose cursor is an id (`/v1/catalog`, a package's journal).
struct PageQuery: Decodable, Sendable {
    var limit: PageSize?
    var cursor: Int?
}

/// `GET /v1/notifications?after=&limit=&wait=`.
struct FeedQuery: Decodable, Sendable {
    var after: Int?
    var limit: PageSize?
    var wait: WaitSeconds?
}

extension Optional where Wrapped == PageSize {
    /// The page size asked, 50 by default.
    var orDefault: Int { self?.value ?? 50 }
}

/// `GET /v1/webhooks/{id}/deliveries`: newest first, ids below `cursor`.
/// `/console/events?kind=&before=&limit=` (newest first; `before` is a cursor).
struct EventListQuery: Decodable, Sendable {
    var kind: [EventKind]?
    var limit: PageSize?
    var before: Int?
}

struct DeliveryListQuery: Decodable, Sendable {
    var limit: PageSize?
    var cursor: Int?
}
