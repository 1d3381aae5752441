import Core
import HostHTTP

/// Maps method and path to a route. Patterns are literal segments and `{name}`
/// parameters; the table is fixed at start-up. An unknown path is 404, a known path
/// with another method 405 — both as the contract's JSON error.
struct Router: Sendable {
    typealias Handler = @Sendable (App, RouteRequest) async throws -> HTTPResponse

    struct Route: Sendable {
        let method: String
        let pattern: [Segment]
        /// The pattern as written (`/api/leads/{id}`): the metrics label and spec key.
        let template: String
        let handler: Handler
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private(set) var routes: [Route] = []

    mutating func add(_ method: String, _ template: String, _ handler: @escaping Handler) {
        let pattern = template.split(separator: "/").map { part -> Segment in
            part.hasPrefix("{") && part.hasSuffix("}")
                ? .parameter(String(part.dropFirst().dropLast())) : .literal(String(part))
        }
        routes.append(Route(method: method, pattern: pattern, template: template, handler: handler))
    }

    /// The route for a request, its path parameters, or the error to answer with.
    func match(method: String, path: String) -> Result<(Route, [String: String]), APIError> {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var allowed: [String] = []
        for route in routes where route.pattern.count == parts.count {
            let fits = zip(route.pattern, parts).allSatisfy { segment, part in
                if case .literal(let l) = segment { l == part } else { true }
            }
            guard fits else { continue }
            if route.method == method || (method == "HEAD" && route.method == "GET") {
                var params: [String: String] = [:]
                for case (.parameter(let name), let part) in zip(route.pattern, parts) { params[name] = part }
                return .success((route, params))
            }
            allowed.append(route.method)
        }
        return .failure(allowed.isEmpty ? .notFound : .methodNotAllowed(allowed))
    }
}

/// One request as a route sees it.
struct RouteRequest: Sendable {
    let head: HTTPRequestHead
    let body: HTTPBody
    let params: [String: String]
    let receivedAt: ContinuousClock.Instant
}
