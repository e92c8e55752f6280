import Domain
import Hummingbird
import Store

/// `GET /v1/catalog`: what a local entity may order now.
struct CatalogController {
    let store: Store

    func register(on group: RouterGroup<APIContext>) {
        group.get("catalog") { request, context in
            let (_, entityID) = try context.requireLocal()
            let query = try QueryDecoding.decode(PageQuery.self, from: request)
            let limit = query.limit.orDefault
            let packages = try await store.read(reader: context.principal) {
                try await $0.packages.catalogue(entityID: entityID, before: query.cursor, limit: limit)
            }
            return JSONResponse.make(
                .ok,
                JSONResponse.page(
                    packages.map { .object(Views.packageFields($0)) },
                    nextCursor: packages.count == limit ? packages.last.map { String($0.id) } : nil))
        }
    }
}
