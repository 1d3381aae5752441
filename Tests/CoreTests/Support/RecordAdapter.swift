import Core
import Foundation

/// A real, tiny adapter for store tests: reads `id`, `purchase`, `product`, `price`,
/// `phone`, `email`, `city`, `at` (RFC 3339) and copies every other member to `fields` —
/// including, on purpose, members an adapter may not set (`tenantId`), which the core
/// must overrule.
struct RecordAdapter: VendorAdapter {
    func minimal(_ r: VendorRecord) throws(AdapterError) -> LeadDraft {
        LeadDraft(
            vendorLeadId: r.string("id"), purchaseId: r.string("purchase"), product: r.string("product"),
            price: r.string("price").flatMap { Decimal(string: $0) },
            purchasedAt: r.string("at").flatMap(RFC3339.parse),
            email: r.string("email"), phone: r.string("phone"))
    }

    func enrich(_ r: VendorRecord) throws(AdapterError) -> LeadDraft {
        var d = try minimal(r)
        d.city = r.string("city")
        let known: Set = ["id", "purchase", "product", "price", "at", "email", "phone", "city"]
        for (k, v) in r.pairs where !known.contains(k) { d.fields[k] = v }
        return d
    }

    static func vendor(_ key: String = "acme") -> Vendor {
        Vendor(
            config: VendorConfig(
                key: key, name: key, adapter: "record", channels: [.csv, .webhook], detectHeaders: ["id"]),
            adapter: RecordAdapter())
    }
}

extension VendorRecord {
    static func of(_ members: [String: String]) -> VendorRecord {
        VendorRecord(object: members.mapValues { .string($0) })
    }
}
