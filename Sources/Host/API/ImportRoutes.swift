import Core
import Foundation
import HostHTTP

extension App {
    /// The most an upload's rejected rows file holds: twice the largest upload, room for
    /// every row of a real file plus its row, line and reason. Past it rows are counted
    /// and the file's last line says how many were left out.
    static let rejectedRowsLimit = 2 * uploadFileLimit

    /// `GET /api/imports/{batchId}`: the kept import reply, with `rejectedRowsUrl` as it
    /// is now (null once the inbox retention removed the file).
    func getImport(_ request: RouteRequest) async throws -> HTTPResponse {
        let user = try await user(request)
        guard let id = request.params["batchId"],
            let reply = try await store.importReply(id: id, tenantId: user.tenantId)
        else { throw APIError.notFound }
        let kept = FileManager.default.fileExists(atPath: rejectedRowsPath(batchId: id))
        let url = kept ? rejectedRowsURL(batchId: id) : nil
        return .json(200, Self.adding([Self.rejectedRowsMember(url)], to: reply))
    }

    /// `GET /api/imports/{batchId}/rejected.csv`: every rejected row of one of this
    /// tenant's uploads, streamed from the inbox. Another tenant's batch answers exactly
    /// like one that does not exist; a batch of this tenant without rejected rows is 404 too.
    func rejectedRows(_ request: RouteRequest) async throws -> HTTPResponse {
        let user = try await user(request)
        guard let id = request.params["batchId"], InboxFile.isBatchId(id),
            try await store.importReply(id: id, tenantId: user.tenantId) != nil
        else { throw APIError.notFound }
        guard let file = HTTPFileBody(path: rejectedRowsPath(batchId: id)) else {
            throw APIError(
                status: 404, code: "not_found",
                message: "This import has no rejected rows, or they were removed with the uploaded file.")
        }
        return .file(
            200, file, contentType: "text/csv; charset=utf-8",
            headers: [
                ("Content-Disposition", "attachment; filename=\"\(id)-rejected.csv\""),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ])
    }

    /// Where an upload's rejected rows are kept (see `InboxFile.rejectedRowsName`).
    func rejectedRowsPath(batchId: String) -> String {
        inboxDirectory + "/" + InboxFile.rejectedRowsName(batchId: batchId)
    }

    /// The relative URL of a batch's rejected rows, as replies give it.
    func rejectedRowsURL(batchId: String) -> String { "/api/imports/\(batchId)/rejected.csv" }

    /// An import reply's `rejectedRowsUrl`: the URL, or null when there is no file.
    static func rejectedRowsMember(_ url: String?) -> (String, JSONValue) {
        ("rejectedRowsUrl", url.map { .string($0) } ?? .null)
    }

    /// `object`, the text of a JSON object, with `members` added at its end: how replies
    /// grow members the stored import reply does not have.
    static func adding(_ members: [(String, JSONValue)], to object: String) -> String {
        guard !members.isEmpty, object.hasSuffix("}") else { return object }
        var w = JSONWriter()
        w.beginObject()
        for (k, v) in members {
            w.key(k)
            w.value(v)
        }
        w.endObject()
        let empty = object.dropLast().trimmingCharacters(in: .whitespaces).hasSuffix("{")
        return object.dropLast() + (empty ? "" : ",") + w.string.dropFirst()
    }
}
