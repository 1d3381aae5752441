import Foundation

extension Lead {
    /// The lead as the API and events show it (`Lead` in the contract): every key
    /// present, unknown values `null`, timestamps RFC 3339 UTC.
    public var json: String {
        var w = JSONWriter(capacity: 1024)
        write(to: &w)
        return w.string
    }

    /// Writes the lead's members into an object the caller has opened, so events can
    /// add their own members (`isNew`, `processMs`) to the same object.
    package func writeMembers(to w: inout JSONWriter) {
        w.member("id", id)
        w.member("tenantId", tenantId)
        w.member("assignedTo", assignedTo)
        w.member("source", source)
        w.member("vendorLeadId", vendorLeadId)
        w.member("firstName", firstName)
        w.member("lastName", lastName)
        w.member("name", name)
        w.member("email", email)
        w.member("phone", phone)
        w.member("street1", street1)
        w.member("city", city)
        w.member("state", state)
        w.member("zipcode", zipcode)
        w.member("dob", dob)
        w.member("gender", gender)
        // The contract's price is a number: with no priced purchase the sum is 0.
        w.key("price")
        w.value(price ?? 0)
        w.key("purchases")
        w.beginArray()
        for p in purchases {
            w.beginObject()
            w.member("purchaseId", p.purchaseId)
            w.member("vendor", p.vendor)
            w.member("product", p.product)
            w.key("price")
            w.value(p.price)
            w.member("purchasedAt", p.purchasedAt.map(RFC3339.string))
            w.endObject()
        }
        w.endArray()
        w.member("createdAt", RFC3339.string(createdAt))
        w.member("receivedAt", RFC3339.string(receivedAt))
        w.member("updatedAt", RFC3339.string(updatedAt))
        w.member("enrichedAt", enrichedAt.map(RFC3339.string))
        w.key("enrichment")
        w.beginObject()
        w.member("status", enrichment.status.rawValue)
        w.key("attempts")
        w.value(enrichment.attempts)
        w.member("lastError", enrichment.lastError)
        w.endObject()
        w.member("status", status)
        w.member("disposition", disposition)
        w.key("warnings")
        w.beginArray()
        for x in warnings {
            w.beginObject()
            w.member("field", x.field)
            w.member("code", x.code.rawValue)
            w.member("message", x.message)
            w.endObject()
        }
        w.endArray()
        w.key("fields")
        w.value(JSONValue.object(fields))
    }

    package func write(to w: inout JSONWriter) {
        w.beginObject()
        writeMembers(to: &w)
        w.endObject()
    }
}
