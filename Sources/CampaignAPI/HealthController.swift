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
            if let problem = await readiness.problem() {
                return Self.json(.serviceUnavailable, ["status": "unavailable", "reason": problem])
            }
            return Self.json(.ok, ["status": "ready"])
        }
    }

    static func json(_ status: HTTPResponse.Status, _ body: [String: String]) -> Response {
        JSONResponse.make(status, .object(body.mapValues(JSONValue.string)), headers: [.cacheControl: "no-store"])
    }
}
