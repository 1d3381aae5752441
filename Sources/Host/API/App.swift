import Core
import Foundation
import HostHTTP

/// The Sluice host's HTTP application: routes, authentication, metrics. One instance
/// serves every connection; everything it holds is thread-safe.
final class App: HTTPHandler {
    let store: SQLiteStore
    let catalog: VendorCatalog
    let ingestor: Ingestor
    let worker: EnrichmentWorker
    let metrics: Metrics
    /// Opens the sealed secrets of Standard Webhooks endpoints.
    let secrets: SecretBox
    /// Where uploaded files are kept as received (the raw inbox).
    let inboxDirectory: String
    /// Fans stored events out to sockets.
    let hub: EventHub
    /// `Origin` values allowed to open `/ws` (lower-cased).
    let allowedOrigins: Set<String>
    let logins = LoginLimiter()
    let credentials = CredentialCache()
    let router: Router

    /// Token lifetime for sign-ins.
    static let tokenLifetime: TimeInterval = 30 * 24 * 3600
    static let webhookBodyLimit = 1 << 20

    init(
        store: SQLiteStore, catalog: VendorCatalog, worker: EnrichmentWorker, metrics: Metrics, secrets: SecretBox,
        inboxDirectory: String, hub: EventHub, allowedOrigins: Set<String>
    ) {
        self.hub = hub
        self.allowedOrigins = allowedOrigins
        self.secrets = secrets
        self.inboxDirectory = inboxDirectory
        self.store = store
        self.catalog = catalog
        self.ingestor = Ingestor(store: store)
        self.worker = worker
        self.metrics = metrics
        self.router = App.routes()
    }

    func handle(_ head: HTTPRequestHead, body: HTTPBody) async -> HTTPResponse {
        let started = ContinuousClock.now
        let response: HTTPResponse
        let template: String
        switch router.match(method: head.method, path: head.path) {
        case .failure(let error):
            template = "unmatched"
            response = error.response
        case .success(let (route, params)):
            template = route.template
            do {
                response = try await route.handler(
                    self, RouteRequest(head: head, body: body, params: params, receivedAt: started))
            } catch let e as APIError {
                response = e.response
            } catch let e as HTTPBodyError where e.code == .tooLarge {
                response = APIError.tooLarge("the limit of this route").response
            } catch {
                Log.error("request failed", ["route": template, "error": "\(type(of: error))"])
                response =
                    APIError(
                        status: 500, code: "internal_error", message: "Something failed on our side; nothing was lost."
                    ).response
            }
        }
        metrics.request(route: template, method: head.method, status: response.status, since: started)
        return response
    }

    /// The signed-in user of a request (`Authorization: Bearer TOKEN`).
    func user(_ request: RouteRequest) async throws -> User {
        guard let header = request.head.headers["authorization"], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count < 256,
            let user = try await store.user(tokenHash: SecretToken.hash(token), now: Date())
        else { throw APIError.unauthorized }
        return user
    }

    private static func routes() -> Router {
        var r = Router()
        r.add("POST", "/api/auth/login") { try await $0.login($1) }
        r.add("POST", "/api/auth/logout") { try await $0.logout($1) }
        r.add("POST", "/api/webhooks/nextgen") { try await $0.nextGenWebhook($1) }
        r.add("POST", "/api/webhooks/{vendor}/{endpointId}") { try await $0.standardWebhook($1) }
        r.add("POST", "/api/csv-upload") { try await $0.csvUpload($1, deprecated: false) }
        r.add("POST", "/api/leads/import-csv") { try await $0.csvUpload($1, deprecated: true) }
        r.add("GET", "/api/leads") { try await $0.listLeads($1) }
        r.add("GET", "/api/leads/{id}") { try await $0.getLead($1) }
        r.add("PATCH", "/api/leads/{id}") { try await $0.patchLead($1) }
        r.add("GET", "/api/imports/{batchId}") { try await $0.getImport($1) }
        r.add("GET", "/api/imports/{batchId}/rejected.csv") { try await $0.rejectedRows($1) }
        r.add("GET", "/api/vendors") { try await $0.vendors($1) }
        r.add("GET", "/ws") { try await $0.socket($1) }
        r.add("GET", "/healthz") { app, _ in await app.health() }
        r.add("GET", "/metrics") { app, _ in await app.metricsPage() }
        r.add("GET", "/") { app, request in app.webIndex(request) }
        r.add("GET", "/app/{file}") { try $0.webAsset($1) }
        r.add("GET", "/app/js/{file}") { try $0.webAsset($1) }
        return r
    }
}

/// Decoding request bodies.
extension App {
    /// The body as one JSON object, within `limit` bytes.
    func jsonObject(_ request: RouteRequest, limit: Int) async throws -> [String: JSONValue] {
        try Self.object(try await jsonBody(request, limit: limit))
    }

    /// The raw bytes of a JSON body, within `limit` bytes.
    func jsonBody(_ request: RouteRequest, limit: Int) async throws -> [UInt8] {
        // Not `lowercased().contains`: with Foundation imported that is NSString's search,
        // measured at a tenth of a webhook's time before its write.
        if let type = request.head.headers["content-type"], !type.containsIgnoringASCIICase("json") {
            throw APIError.unsupportedMediaType("application/json")
        }
        if let length = request.head.contentLength, length > limit { throw APIError.tooLarge(Self.describe(limit)) }
        do {
            return try await request.body.collect(limit: limit)
        } catch let e as HTTPBodyError where e.code == .tooLarge {
            throw APIError.tooLarge(Self.describe(limit))
        }
    }

    /// Bytes decoded as one JSON object.
    static func object(_ bytes: [UInt8]) throws -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw APIError.invalid("The body is not valid JSON: \(error.message)")
        }
        guard case .object(let object) = value else { throw APIError.invalid("The body must be one JSON object.") }
        return object
    }

    static func describe(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
