import Domain
import Hummingbird

/// `/healthz` (the process answers) and `/readyz` (the database too, migrations current).
public struct HealthController: Sendable {
    let readiness: Readiness

    public init(readiness: Readiness) {
        self.readiness = readiness
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("healthz") { _, _ in
            Self.json(.ok, ["status": "ok"])
        }
        router.get("readyz") { _, _ in
            var body: [String: JSONValue]
            let status: HTTPResponse.Status
            if let problem = await readiness.problem() {
                (status, body) = (.serviceUnavailable, ["status": .string("unavailable"), "reason": .string(problem)])
            } else {
                (status, body) = (.ok, ["status": .string("ready")])
            }
            if let replicas = readiness.replicaReport { body["replicas"] = replicas }
            return JSONResponse.make(status, .object(body), headers: [.cacheControl: "no-store"])
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: [String: String]) -> Response {
        JSONResponse.make(status, .object(body.mapValues(JSONValue.string)), headers: [.cacheControl: "no-store"])
    }
}
