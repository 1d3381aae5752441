import Core
import Foundation
import HostHTTP

extension App {
    /// The app may load scripts, styles, sounds and data only from this host and open
    /// only this host's event stream; no inline script or style, no framing.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// `GET /`: the web app's page.
    func webIndex(_ request: RouteRequest) -> HTTPResponse {
        guard let page = WebAssets.shared.index else { return Self.webAppMissing }
        return Self.serve(page, request)
    }

    /// `GET /app/{file}` and `GET /app/js/{file}`: the app's static files, from the
    /// fixed table read at first use (an unknown name is 404, never a file-system path).
    func webAsset(_ request: RouteRequest) throws -> HTTPResponse {
        let assets = WebAssets.shared
        guard assets.root != nil else { return Self.webAppMissing }
        guard let asset = assets.files[request.head.path] else { throw APIError.notFound }
        return Self.serve(asset, request)
    }

    /// The asset, or 304 when the client's copy is current. `no-cache` makes browsers
    /// revalidate every time, so a new release never mixes with stale modules; the
    /// ETag keeps that revalidation to a few bytes.
    private static func serve(_ asset: WebAssets.Asset, _ request: RouteRequest) -> HTTPResponse {
        var headers: [(String, String)] = [
            ("Cache-Control", "no-cache"),
            ("ETag", asset.etag),
            ("Content-Security-Policy", contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
        ]
        if let tags = request.head.headers["if-none-match"],
            tags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag })
        {
            return HTTPResponse(status: 304, headers: headers)
        }
        headers.insert(("Content-Type", asset.contentType), at: 0)
        return HTTPResponse(status: 200, headers: headers, body: asset.body)
    }

    /// 503 when the app's files were not installed: the API itself keeps working.
    private static var webAppMissing: HTTPResponse {
        APIError(
            status: 503, code: "web_app_unavailable",
            message:
                "The web app's files were not found next to the sluice binary; install them or set SLUICE_WEB_ROOT.",
            headers: [("Cache-Control", "no-store")]
        ).response
    }
}
