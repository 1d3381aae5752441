import Foundation

/// The part of a stored lead that is not a column: fields, warnings, purchases and
/// provenance, as one compact JSON text (`leads.doc`).
///
/// Short member names keep the row small; the format is private to the store and
/// versioned by migrations.
enum LeadDocument {
    static func encode(_ lead: Lead) -> String {
        var w = JSONWriter(capacity: 1024)
        w.beginObject()
        w.key("f")
        w.value(JSONValue.object(lead.fields), sorted: false)
        w.key("w")
        w.beginArray()
        for x in lead.warnings {
            w.beginArray()
            w.value(x.field)
            w.value(x.code.rawValue)
            w.value(x.message)
            w.endArray()
        }
        w.endArray()
        w.key("p")
        w.beginArray()
        for p in lead.purchases {
            w.beginArray()
            w.value(p.key)
            w.value(p.purchaseId)
            w.value(p.vendor)
            w.value(p.product)
            w.value(p.price)
            w.value(p.purchasedAt.map(RFC3339.millis))
            w.value(RFC3339.millis(p.receivedAt))
            w.endArray()
        }
        w.endArray()
        w.key("v")
        w.beginObject()
        // Index 0 is implied for every value present without an entry (see `LeadMerger`).
        for (k, v) in lead.provenance where v != 0 {
            w.key(k)
            w.value(v)
        }
        w.endObject()
        w.endObject()
        return w.string
    }

    /// Fills `lead`'s document members from stored text.
    static func decode(_ text: String, into lead: inout Lead) throws {
        let doc = try JSONValue.parse(text)
        if case .object(let f)? = doc["f"] { lead.fields = f }
        if case .array(let ws)? = doc["w"] {
            lead.warnings = ws.compactMap { item in
                guard case .array(let a) = item, a.count == 3, let f = a[0].text, let c = a[1].text,
                    let m = a[2].text
                else { return nil }
                return LeadWarning(field: f, code: .init(rawValue: c), message: m)
            }
        }
        if case .array(let ps)? = doc["p"] {
            lead.purchases = ps.compactMap { item in
                guard case .array(let a) = item, a.count == 7, let key = a[0].text, let vendor = a[2].text,
                    case .number(let r) = a[6]
                else { return nil }
                var t: Date?
                if case .number(let ms) = a[5] { t = RFC3339.date(millis: Int64(ms)) }
                return Lead.Purchase(
                    key: key, purchaseId: a[1].text, vendor: vendor, product: a[3].text,
                    price: a[4].text.flatMap(ValueParsing.decimal),
                    purchasedAt: t, receivedAt: RFC3339.date(millis: Int64(r)))
            }
        }
        if case .object(let v)? = doc["v"] {
            lead.provenance = v.compactMapValues { if case .number(let n) = $0 { return Int(n) } else { return nil } }
        }
    }
}
