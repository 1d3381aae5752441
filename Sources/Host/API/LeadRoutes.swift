import Core
import Foundation
import HostHTTP

extension App {
    /// `GET /api/leads?limit=50&cursor=&q=&source=`: this tenant's leads, newest first.
    func listLeads(_ request: RouteRequest) async throws -> HTTPResponse {
        let user = try await user(request)
        let q = request.head.query
        var query = LeadQuery(tenantId: user.tenantId)
        if let limit = q["limit"] {
            guard let n = Int(limit), (1...500).contains(n) else {
                throw APIError.invalid("limit must be a whole number from 1 to 500.")
            }
            query.limit = n
        }
        if let cursor = q["cursor"], !cursor.isEmpty {
            guard let c = LeadCursor(token: cursor) else { throw APIError.invalid("cursor is not one this API gave.") }
            query.cursor = c
        }
        if let text = q["q"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard text.count <= 200 else { throw APIError.invalid("q is longer than 200 characters.") }
            query.q = text
        }
        if let source = q["source"], !source.isEmpty { query.source = source }
        for key in q.keys where !["limit", "cursor", "q", "source"].contains(key) {
            throw APIError.invalid("Unknown query parameter '\(key)'; use limit, cursor, q or source.")
        }
        // Read before the page: a lead stored in between is then replayed from
        // `latestSeq`, never missed (the client drops a repeat by id).
        let latestSeq = try await store.latestSeq(tenantId: user.tenantId)
        let page = try await store.listLeads(query)
        var w = JSONWriter(capacity: 2048 * max(1, page.leads.count))
        w.beginObject()
        w.key("leads")
        w.beginArray()
        for lead in page.leads { lead.write(to: &w) }
        w.endArray()
        w.member("nextCursor", page.nextCursor?.token)
        w.key("latestSeq")
        w.value(latestSeq)
        w.endObject()
        return .json(200, w.string, headers: [("Cache-Control", "no-store")])
    }

    /// `GET /api/leads/{id}`: 404 for another tenant's lead, exactly as for no lead.
    func getLead(_ request: RouteRequest) async throws -> HTTPResponse {
        let user = try await user(request)
        guard let id = request.params["id"], let lead = try await store.lead(id: id, tenantId: user.tenantId) else {
            throw APIError.notFound
        }
        return .json(200, lead.json, headers: [("Cache-Control", "no-store")])
    }

    /// `PATCH /api/leads/{id} {"status"?, "disposition"?, "assignedTo"?}`: the agents'
    /// values; ingest never undoes them.
    func patchLead(_ request: RouteRequest) async throws -> HTTPResponse {
        let user = try await user(request)
        let body = try await jsonObject(request, limit: 16 * 1024)
        var changes = LeadChanges()
        for (key, value) in body {
            switch (key, value) {
            case ("status", .string(let s)) where !s.isEmpty && s.count <= 64: changes.status = s
            case ("disposition", .string(let s)) where s.count <= 128: changes.disposition = s
            case ("assignedTo", .string(let s)): changes.assignedTo = .some(s)
            case ("assignedTo", .null): changes.assignedTo = .some(nil)
            case ("status", _), ("disposition", _), ("assignedTo", _):
                throw APIError.invalid("\(key) has the wrong type or length.")
            default:
                throw APIError.invalid(
                    "Unknown member '\(key)'; a lead's status, disposition and assignedTo can change.")
            }
        }
        guard let id = request.params["id"] else { throw APIError.notFound }
        do {
            guard let lead = try await store.updateLead(id: id, tenantId: user.tenantId, changes: changes) else {
                throw APIError.notFound
            }
            return .json(200, lead.json)
        } catch let e as StoreError where e.code == .invalidInput {
            throw APIError.invalid(e.message)
        }
    }

    /// `GET /api/vendors`: the configured vendors and their webhook URLs.
    func vendors(_ request: RouteRequest) async throws -> HTTPResponse {
        _ = try await user(request)
        var w = JSONWriter()
        w.beginObject()
        w.key("vendors")
        w.beginArray()
        for v in catalog.vendors {
            w.beginObject()
            w.member("key", v.key)
            w.member("name", v.config.name)
            w.key("channels")
            w.beginArray()
            for c in v.config.channels.sorted(by: { $0 == .webhook && $1 == .csv }) { w.value(c.rawValue) }
            w.endArray()
            var url: String?
            switch v.config.webhookAuth {
            case .apiKey?: url = "/api/webhooks/\(v.key)"
            case .standardWebhooks?: url = "/api/webhooks/\(v.key)/{endpointId}"
            case nil: url = nil
            }
            w.member("webhookUrl", url)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return .json(200, w.string)
    }
}
