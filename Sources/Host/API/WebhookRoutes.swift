import Core
import Foundation
import HostHTTP

extension App {
    /// `POST /api/webhooks/nextgen`: one purchased lead as JSON, authenticated by the
    /// tenant's `sid` + `apikey` credential. 201 new / 200 existing once durable.
    func nextGenWebhook(_ request: RouteRequest) async throws -> HTTPResponse {
        guard let sid = request.head.headers["sid"], let apikey = request.head.headers["apikey"],
            !sid.isEmpty, !apikey.isEmpty, sid.count < 128, apikey.count < 256
        else {
            throw APIError(
                status: 401, code: "unauthorized", message: "Send the sid and apikey headers of your credential.")
        }
        guard let found = try await store.credential(sid: sid), found.credential.vendor == "nextgen",
            SecretToken.matches(apikey, hash: found.secretHash)
        else {
            throw APIError(
                status: 401, code: "unauthorized", message: "The sid and apikey do not match an active credential.")
        }
        guard let vendor = catalog["nextgen"], vendor.config.channels.contains(.webhook) else {
            throw APIError(status: 404, code: "vendor_unknown", message: "The vendor 'nextgen' is not configured.")
        }
        let object = try await jsonObject(request, limit: App.webhookBodyLimit)
        return try await deliver(object, vendor: vendor, tenantId: found.credential.tenantId, request: request)
    }

    /// The shared webhook path: minimal transform → durable upsert + job → reply.
    func deliver(
        _ object: [String: JSONValue], vendor: Vendor, tenantId: String, request: RouteRequest
    )
        async throws -> HTTPResponse
    {
        let receivedAt = Date()
        let result: IngestResult
        do {
            result = try await ingestor.ingestDelivery(
                vendor: vendor, record: VendorRecord(object: object), tenantId: tenantId, receivedAt: receivedAt)
        } catch let e as AdapterError {
            throw APIError.invalid(
                "No lead can be formed from this payload: \(e.message).",
                extra: [
                    (
                        "errors",
                        .array(
                            e.fields.map { .object(["field": .string($0), "message": .string("missing or unusable")]) })
                    )
                ])
        }
        worker.wake()
        let elapsed = ContinuousClock.now - request.receivedAt
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        metrics.ingested(vendor: vendor.key, outcome: result.outcome, committedAfter: elapsed)
        let processMs = (ms * 100).rounded() / 100
        var w = JSONWriter()
        w.beginObject()
        w.key("success")
        w.value(true)
        w.member("leadId", result.lead.id)
        w.key("isNew")
        w.value(result.outcome == .created)
        w.key("processMs")
        w.value(JSONValue.number(processMs))
        w.endObject()
        return .json(
            result.outcome == .created ? 201 : 200, w.string,
            headers: [("X-Process-Time", JSONValue.format(processMs))])
    }
}
