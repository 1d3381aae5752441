import Foundation

/// Reading and writing `leads` rows. Column order is shared by the SELECT list and
/// ``LeadRows/read(_:)``.
enum LeadRows {
    static let columns = """
        id, tenant_id, source, vendor_lead_id, first_name, last_name, name, email, phone, street1, city, \
        state, zipcode, dob, gender, price, created_at, received_at, updated_at, enriched_at, \
        enrichment_status, enrichment_attempts, enrichment_error, status, disposition, assigned_to, doc
        """

    static let insertSQL =
        "INSERT OR FAIL INTO leads (\(columns)) VALUES (\(Array(repeating: "?", count: 27).joined(separator: ", ")))"

    static let updateSQL = """
        UPDATE OR FAIL leads SET source = ?3, vendor_lead_id = ?4, first_name = ?5, last_name = ?6, name = ?7, \
        email = ?8, phone = ?9, street1 = ?10, city = ?11, state = ?12, zipcode = ?13, dob = ?14, \
        gender = ?15, price = ?16, created_at = ?17, received_at = ?18, updated_at = ?19, enriched_at = ?20, \
        enrichment_status = ?21, enrichment_attempts = ?22, enrichment_error = ?23, status = ?24, \
        disposition = ?25, assigned_to = ?26, doc = ?27 WHERE id = ?1 AND tenant_id = ?2
        """

    /// ``updateSQL`` without the indexed columns (`email`, `phone`, `created_at`): SQLite
    /// rewrites an index entry whenever the UPDATE names one of its columns, even with
    /// the same value, and identity is sticky, so most merges change none of them. Same
    /// parameter numbers, so ``bind(_:doc:to:)`` serves both.
    static let updateKeepingKeysSQL = """
        UPDATE OR FAIL leads SET source = ?3, vendor_lead_id = ?4, first_name = ?5, last_name = ?6, name = ?7, \
        street1 = ?10, city = ?11, state = ?12, zipcode = ?13, dob = ?14, \
        gender = ?15, price = ?16, received_at = ?18, updated_at = ?19, enriched_at = ?20, \
        enrichment_status = ?21, enrichment_attempts = ?22, enrichment_error = ?23, status = ?24, \
        disposition = ?25, assigned_to = ?26, doc = ?27 WHERE id = ?1 AND tenant_id = ?2
        """

    /// Binds all 27 values of `lead` in column order; `doc` when already encoded.
    static func bind(_ lead: Lead, doc: String? = nil, to s: SQLiteStatement) {
        s.bind(1, lead.id).bind(2, lead.tenantId).bind(3, lead.source).bind(4, lead.vendorLeadId)
        s.bind(5, lead.firstName).bind(6, lead.lastName).bind(7, lead.name).bind(8, lead.email)
        s.bind(9, lead.phone).bind(10, lead.street1).bind(11, lead.city).bind(12, lead.state)
        s.bind(13, lead.zipcode).bind(14, lead.dob).bind(15, lead.gender)
        s.bind(16, lead.price?.plainText)
        s.bind(17, RFC3339.millis(lead.createdAt)).bind(18, RFC3339.millis(lead.receivedAt))
        s.bind(19, RFC3339.millis(lead.updatedAt)).bind(20, lead.enrichedAt.map(RFC3339.millis))
        s.bind(21, lead.enrichment.status.rawValue).bind(22, lead.enrichment.attempts)
        s.bind(23, lead.enrichment.lastError).bind(24, lead.status).bind(25, lead.disposition)
        s.bind(26, lead.assignedTo).bind(27, doc ?? LeadDocument.encode(lead))
    }

    /// The lead in the current row of a statement that selected ``columns``.
    static func read(_ s: SQLiteStatement) throws -> Lead {
        var lead = Lead(
            id: s.text(0) ?? "", tenantId: s.text(1) ?? "", source: s.text(2) ?? "",
            receivedAt: RFC3339.date(millis: s.int(17)))
        lead.vendorLeadId = s.text(3)
        lead.firstName = s.text(4)
        lead.lastName = s.text(5)
        lead.name = s.text(6)
        lead.email = s.text(7)
        lead.phone = s.text(8)
        lead.street1 = s.text(9)
        lead.city = s.text(10)
        lead.state = s.text(11)
        lead.zipcode = s.text(12)
        lead.dob = s.text(13)
        lead.gender = s.text(14)
        lead.price = s.text(15).flatMap(ValueParsing.decimal)
        lead.createdAt = RFC3339.date(millis: s.int(16))
        lead.updatedAt = RFC3339.date(millis: s.int(18))
        lead.enrichedAt = s.optionalInt(19).map(RFC3339.date(millis:))
        lead.enrichment = Lead.Enrichment(
            status: Lead.Enrichment.Status(rawValue: s.text(20) ?? "") ?? .pending,
            attempts: Int(s.int(21)), lastError: s.text(22))
        lead.status = s.text(23) ?? Lead.initialStatus
        lead.disposition = s.text(24) ?? Lead.initialDisposition
        lead.assignedTo = s.text(25)
        try LeadDocument.decode(s.text(26) ?? "{}", into: &lead)
        return lead
    }
}
