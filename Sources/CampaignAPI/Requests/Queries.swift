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
