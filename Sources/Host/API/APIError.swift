import Core
import HostHTTP

/// An error answer of the API: `{"error": "sentence", "code": "snake_case", …}`.
///
/// Messages never carry another tenant's data or a lead's personal values.
struct APIError: Error {
    var status: Int
    var code: String
    var message: String
    /// Extra members (`errors` for webhook payloads, `use` for a gone route).
    var extra: [(String, JSONValue)] = []
    var headers: [(String, String)] = []

    var response: HTTPResponse {
        var w = JSONWriter(capacity: 128)
        w.beginObject()
        w.member("error", message)
        w.member("code", code)
        for (k, v) in extra {
            w.key(k)
            w.value(v)
        }
        w.endObject()
        return .json(status, w.string, headers: headers)
    }

    static let unauthorized = APIError(
        status: 401, code: "unauthorized", message: "Sign in first: send a valid bearer token.")
    static let forbidden = APIError(status: 403, code: "forbidden", message: "Your role may not do this.")
    static let notFound = APIError(status: 404, code: "not_found", message: "There is nothing here.")

    static func invalid(_ message: String, extra: [(String, JSONValue)] = []) -> APIError {
        APIError(status: 400, code: "invalid_payload", message: message, extra: extra)
    }

    static func tooLarge(_ limit: String) -> APIError {
        APIError(status: 413, code: "payload_too_large", message: "The body is larger than \(limit).")
    }

    static func unsupportedMediaType(_ expected: String) -> APIError {
        APIError(status: 415, code: "unsupported_media_type", message: "Send the body as \(expected).")
    }

    static func methodNotAllowed(_ allowed: [String]) -> APIError {
        APIError(
            status: 405, code: "method_not_allowed", message: "Use \(allowed.joined(separator: " or ")) here.",
            headers: [("Allow", allowed.joined(separator: ", "))])
    }
}
