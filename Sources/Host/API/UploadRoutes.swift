import Core
import Foundation
import HostHTTP

extension App {
    /// Largest CSV file part an upload may carry.
    static let uploadFileLimit = 50 << 20
    /// Room for the multipart framing and the small fields around the file.
    static let uploadOverhead = 64 << 10
    static let lateVendorWarning = "The vendor field came after the file and was not used; send it first."

    /// `POST /api/csv-upload` (and the deprecated `POST /api/leads/import-csv`, admins
    /// only): multipart `file`, optional `vendor` and `clientRef`, streamed from the
    /// socket through the CSV parser into the store in batches.
    ///
    /// Send `vendor` and `clientRef` before `file` (browsers send fields in form order).
    func csvUpload(_ request: RouteRequest, deprecated: Bool) async throws -> HTTPResponse {
        let user = try await user(request)
        if deprecated && user.role != .admin {
            throw APIError(
                status: 410, code: "gone", message: "This endpoint is deprecated; use /api/csv-upload.",
                extra: [("use", .string("/api/csv-upload"))])
        }
        guard let type = request.head.headers["content-type"], type.lowercased().hasPrefix("multipart/form-data")
        else { throw APIError.unsupportedMediaType("multipart/form-data with a 'file' field") }
        if let length = request.head.contentLength, length > App.uploadFileLimit + App.uploadOverhead {
            throw APIError.tooLarge("50 MiB for the file")
        }
        var parser: MultipartParser
        do {
            parser = try MultipartParser(boundary: try MultipartParser.boundary(fromContentType: type))
        } catch {
            throw APIError.invalid("The multipart body has no usable boundary: \(error.message)")
        }

        var upload = Upload(user: user)
        upload.totalBytes = request.head.contentLength
        // Rejected rows are kept only for an import that is answered and in the inbox
        // (whose purge removes them); any failure before that removes them here.
        var keepRejectedRows = false
        defer { if !keepRejectedRows { upload.discardRejectedRows() } }
        do {
            try await stream(request, &parser, &upload)
        } catch {
            // Report exactly what was stored before the failure.
            if let importer = upload.importer { await importer.settle() }
            // What arrived of the file stays in the inbox as a failed upload, so the
            // retention purge removes it like any other (it was once left behind).
            if let kept = upload.kept {
                kept.finish()
                _ = try? await store.addToInbox(
                    InboxEntry(
                        tenantId: user.tenantId, vendor: upload.vendor, channel: .upload, receivedAt: Date(),
                        headers: request.head.headers.all, path: kept.path, outcome: "failed",
                        detail: (error as? APIError)?.message ?? "the upload stopped (\(Swift.type(of: error)))"))
            }
            if let e = error as? APIError, upload.importer != nil { throw upload.withStoredRows(e) }
            throw error
        }
        guard let importer = upload.importer, upload.fileDone else {
            throw APIError.invalid("The upload has no 'file' part.")
        }
        upload.kept?.finish()
        var inbox = InboxEntry(
            tenantId: user.tenantId, vendor: upload.vendor, channel: .upload, receivedAt: Date(),
            headers: request.head.headers.all, path: upload.kept?.path, outcome: "imported")
        let reply: ImportReply
        do {
            reply = try await importer.finish()
        } catch let e as ImportError {
            inbox.outcome = "failed"
            inbox.detail = e.message
            _ = try? await store.addToInbox(inbox)
            throw App.importError(e)
        }
        let rejectedRowsUrl = upload.closeRejectedRows() ? rejectedRowsURL(batchId: reply.batchId) : nil
        inbox.vendor = reply.vendor == "mixed" ? upload.vendor : reply.vendor
        inbox.detail = reply.batchId
        try await store.addToInbox(inbox)
        keepRejectedRows = true
        metrics.imported(reply)
        _ = try? await store.appendEvent(
            tenantId: user.tenantId, type: "import_progress",
            payload: reply.progressJSON(
                clientRef: upload.clientRef, bytes: upload.fileBytes, totalBytes: upload.totalBytes,
                rowsRead: importer.rowsRead, done: true))
        _ = try? await store.appendEvent(
            tenantId: user.tenantId, type: "import_completed",
            payload: App.completedJSON(reply, clientRef: upload.clientRef, rejectedRowsUrl: rejectedRowsUrl))
        try await store.saveImport(
            id: reply.batchId, tenantId: user.tenantId, vendor: reply.vendor, reply: reply.json())
        var members = [App.rejectedRowsMember(rejectedRowsUrl)]
        if upload.lateVendor {
            members.append(("warnings", .array([.string(App.lateVendorWarning)])))
        }
        return .json(200, App.adding(members, to: reply.json()))
    }

    /// Feeds the request body through the multipart parser into the upload.
    private func stream(_ request: RouteRequest, _ parser: inout MultipartParser, _ upload: inout Upload) async throws {
        do {
            while let chunk = try await request.body.next() {
                let events: [MultipartEvent]
                do {
                    events = try parser.feed(chunk)
                } catch {
                    throw upload.failure(400, "invalid_payload", "The multipart body is malformed: \(error.message)")
                }
                for event in events { try await take(event, &upload) }
            }
            do {
                try parser.finish()
            } catch {
                throw upload.failure(400, "invalid_payload", "The multipart body is malformed: \(error.message)")
            }
        } catch let e as HTTPBodyError where e.code == .disconnected {
            throw upload.failure(400, "invalid_payload", "The upload was cut off before its end.")
        }
    }

    /// The state of one upload as its parts stream by.
    struct Upload {
        let user: User
        var vendor: String?
        var clientRef: String?
        var field: String?
        var fieldBytes: [UInt8] = []
        var importer: CSVImport?
        var kept: InboxFile?
        /// Every rejected row, beside the kept file; made at the first one.
        var rejected: RejectedRowsFile?
        var fileBytes = 0
        /// The request's Content-Length, the best known total for progress.
        var totalBytes: Int?
        var lastProgress = ContinuousClock.now
        var fileDone = false
        var lateVendor = false

        init(user: User) { self.user = user }

        /// An error answer for this upload; the route adds what was stored.
        func failure(_ status: Int, _ code: String, _ message: String) -> APIError {
            APIError(status: status, code: code, message: message)
        }

        /// Closes the rejected rows file; true when it holds every rejected row. A file
        /// that could not be written whole is removed (the reply then offers none).
        func closeRejectedRows() -> Bool {
            guard let rejected else { return false }
            do {
                try rejected.close()
            } catch {
                Log.error("rejected rows not kept", ["import.id": importer?.reply.batchId ?? "", "error": "io"])
                try? FileManager.default.removeItem(atPath: rejected.path)
                return false
            }
            return rejected.exists
        }

        /// Removes the rejected rows file of an upload that failed.
        func discardRejectedRows() {
            guard let rejected else { return }
            try? rejected.close()
            if rejected.exists { try? FileManager.default.removeItem(atPath: rejected.path) }
        }

        /// `e` plus what the import stored before it stopped, so nothing half-imported
        /// goes unreported. Call after the importer settled.
        func withStoredRows(_ e: APIError) -> APIError {
            guard let importer else { return e }
            let r = importer.reply
            let stored = r.created + r.updated + r.unchanged
            var out = e
            out.message += " Rows stored before the error: \(stored) (batch \(r.batchId))."
            out.extra += [("batchId", .string(r.batchId)), ("rowsStored", .number(Double(stored)))]
            return out
        }
    }

    private func take(_ event: MultipartEvent, _ u: inout Upload) async throws {
        switch event {
        case .partBegin(let name, let filename, _):
            if name == "file" || filename != nil {
                guard u.importer == nil else {
                    throw u.failure(400, "invalid_payload", "Send one file per upload; this one has two.")
                }
                var options = CSVImport.Options(tenantId: u.user.tenantId, assignedTo: u.user.id, vendor: u.vendor)
                options.batchSize = 2000
                u.kept = try InboxFile(directory: inboxDirectory, name: InboxFile.uploadName(batchId: options.batchId))
                let rejected = try RejectedRowsFile(
                    path: rejectedRowsPath(batchId: options.batchId), createEmpty: false, permissions: 0o600,
                    byteLimit: App.rejectedRowsLimit)
                u.rejected = rejected
                u.importer = CSVImport(catalog: catalog, store: store, options: options) {
                    rejected.write($0, names: $1, values: $2)
                }
                u.field = "file"
            } else {
                u.field = name
                u.fieldBytes = []
            }
        case .partData(let bytes):
            if u.field == "file", let importer = u.importer {
                u.fileBytes += bytes.count
                guard u.fileBytes <= App.uploadFileLimit else {
                    throw u.failure(413, "payload_too_large", "The file is larger than 50 MiB.")
                }
                try u.kept?.write(bytes)
                do {
                    try await importer.feed(bytes)
                } catch let e as ImportError {
                    throw App.importError(e)
                }
                // A few progress events a second at most, not one per row.
                if ContinuousClock.now - u.lastProgress >= .milliseconds(400) {
                    u.lastProgress = ContinuousClock.now
                    _ = try? await store.appendEvent(
                        tenantId: u.user.tenantId, type: "import_progress",
                        payload: importer.reply.progressJSON(
                            clientRef: u.clientRef, bytes: u.fileBytes, totalBytes: u.totalBytes,
                            rowsRead: importer.rowsRead, done: false))
                }
            } else {
                u.fieldBytes += bytes
                guard u.fieldBytes.count <= 1024 else {
                    throw APIError.invalid("The form field '\(u.field ?? "")' is longer than 1 KiB.")
                }
            }
        case .partEnd:
            let text = String(decoding: u.fieldBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            switch u.field {
            case "file": u.fileDone = true
            case "vendor":
                if u.importer != nil {
                    u.lateVendor = true
                } else if !text.isEmpty {
                    guard catalog[text] != nil else {
                        throw APIError(status: 400, code: "vendor_unknown", message: catalog.unknownVendorMessage(text))
                    }
                    u.vendor = text
                }
            case "clientRef": u.clientRef = String(text.prefix(128))
            default: break
            }
            u.field = nil
            u.fieldBytes = []
        }
    }

    /// `import_completed` data: the import reply with `rejectedRowsUrl`, `clientRef` and
    /// the first 500 lead ids.
    static func completedJSON(_ reply: ImportReply, clientRef: String?, rejectedRowsUrl: String?) -> String {
        adding(
            [
                rejectedRowsMember(rejectedRowsUrl),
                ("clientRef", clientRef.map { .string($0) } ?? .null),
            ], to: reply.json(includeLeadIds: true))
    }

    static func importError(_ e: ImportError) -> APIError {
        switch e.code {
        case .vendorUnknown: return APIError(status: 400, code: "vendor_unknown", message: e.message)
        case .vendorNotDetected: return APIError(status: 400, code: "vendor_not_detected", message: e.message)
        case .notCSV: return APIError(status: 400, code: "invalid_payload", message: e.message)
        default: return APIError(status: 500, code: "internal_error", message: e.message)
        }
    }
}
