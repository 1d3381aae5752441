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
        guard let found = try await credentials.credential(sid: sid, load: store.credential(sid:)),
            found.credential.vendor == "nextgen",
            SecretToken.matches(apikey, hash: found.secretHash)
        else {
            throw APIError(
                status: 401, code: "unauthorized", message: "The sid and apikey do not match an active credential.")
        }
        guard let vendor = catalog["nextgen"], vendor.config.channels.contains(.webhook) else {
            throw APIError(status: 404, code: "vendor_unknown", message: "The vendor 'nextgen' is not configured.")
        }
        let bytes = try await jsonBody(request, limit: App.webhookBodyLimit)
        do {
            return try await deliver(
                bytes, vendor: vendor, tenantId: found.credential.tenantId, credentialId: found.credential.id,
                request: request
            ).http
        } catch let e as StoreError where e.code == .unauthorized {
            // Revoked since it was cached: the write transaction refused it.
            credentials.forget(sid: sid)
            throw APIError(
                status: 401, code: "unauthorized", message: "The sid and apikey do not match an active credential.")
        }
    }

    /// `POST /api/webhooks/{vendor}/{endpointId}`: a config-only JSON vendor, signed the
    /// Standard Webhooks way with the endpoint's secret. `webhook-id` makes re-delivery
    /// idempotent: a repeat answers 200 with the same lead.
    func standardWebhook(_ request: RouteRequest) async throws -> HTTPResponse {
        let vendorKey = request.params["vendor"] ?? ""
        guard let vendor = catalog[vendorKey], vendor.config.webhookAuth == .standardWebhooks else {
            throw APIError(
                status: 404, code: "vendor_unknown", message: "There is no Standard Webhooks vendor '\(vendorKey)'.")
        }
        let endpointId = request.params["endpointId"] ?? ""
        guard let found = try await store.endpointCredential(vendor: vendor.key, endpointId: endpointId) else {
            throw APIError(status: 404, code: "not_found", message: "There is no such webhook endpoint.")
        }
        let bytes = try await jsonBody(request, limit: App.webhookBodyLimit)
        let headers = request.head.headers
        do {
            let secret = try secrets.open(found.sealedSecret, associatedData: Array(endpointId.utf8))
            try StandardWebhooks.verify(
                id: headers["webhook-id"], timestamp: headers["webhook-timestamp"],
                signatureHeader: headers["webhook-signature"], body: bytes,
                secrets: [String(decoding: secret, as: UTF8.self)])
        } catch let e as StandardWebhooksError {
            throw APIError(
                status: 401, code: "unauthorized", message: "The webhook signature is not valid: \(e.message)")
        }
        let webhookId = headers["webhook-id"] ?? ""
        if let leadId = try await store.webhookDelivery(credentialId: found.credential.id, webhookId: webhookId) {
            return App.deliveryReply(leadId: leadId, isNew: false, since: request.receivedAt)
        }
        let response = try await deliver(bytes, vendor: vendor, tenantId: found.credential.tenantId, request: request)
        if let leadId = response.leadId {
            try await store.recordWebhookDelivery(
                credentialId: found.credential.id, webhookId: webhookId, leadId: leadId)
        }
        return response.http
    }

    /// The shared webhook path: raw body → minimal transform → durable upsert + job and
    /// raw inbox entry (one transaction) → reply.
    func deliver(
        _ bytes: [UInt8], vendor: Vendor, tenantId: String, credentialId: String? = nil, request: RouteRequest
    ) async throws -> Delivery {
        let receivedAt = Date()
        var inbox = InboxEntry(
            tenantId: tenantId, vendor: vendor.key, channel: .webhook, receivedAt: receivedAt,
            headers: request.head.headers.all, body: bytes, outcome: "pending")
        let result: IngestResult
        do {
            let object = try App.object(bytes)
            result = try await ingestor.ingestDelivery(
                vendor: vendor, record: VendorRecord(object: object), tenantId: tenantId, receivedAt: receivedAt,
                inbox: inbox, credentialId: credentialId)
        } catch let e as APIError {
            inbox.outcome = "rejected"
            inbox.detail = e.message
            _ = try? await store.addToInbox(inbox)
            throw e
        } catch let e as AdapterError {
            inbox.outcome = "rejected"
            inbox.detail = e.message
            _ = try? await store.addToInbox(inbox)
            let errors = e.fields.map {
                JSONValue.object(["field": .string($0), "message": .string("missing or unusable")])
            }
            throw APIError.invalid(
                "No lead can be formed from this payload: \(e.message.hasSuffix(".") ? String(e.message.dropLast()) : e.message).",
                extra: [("errors", .array(errors))])
        }
        worker.wake()
        metrics.ingested(
            vendor: vendor.key, outcome: result.outcome, committedAfter: ContinuousClock.now - request.receivedAt)
        return Delivery(
            leadId: result.lead.id,
            http: App.deliveryReply(
                leadId: result.lead.id, isNew: result.outcome == .created, since: request.receivedAt))
    }

    /// A stored delivery and its reply.
    struct Delivery {
        var leadId: String?
        var http: HTTPResponse
    }

    /// `{"success":true,"leadId","isNew","processMs"}` with `X-Process-Time`; 201 when new.
    static func deliveryReply(leadId: String, isNew: Bool, since start: ContinuousClock.Instant) -> HTTPResponse {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        let processMs = (ms * 100).rounded() / 100
        var w = JSONWriter()
        w.beginObject()
        w.key("success")
        w.value(true)
        w.member("leadId", leadId)
        w.key("isNew")
        w.value(isNew)
        w.key("processMs")
        w.value(JSONValue.number(processMs))
        w.endObject()
        return .json(isNew ? 201 : 200, w.string, headers: [("X-Process-Time", JSONValue.format(processMs))])
    }
}
