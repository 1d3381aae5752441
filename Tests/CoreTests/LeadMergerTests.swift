import Foundation
import Testing

@testable import Core

@Suite struct LeadMergerTests {
    let t0 = Date(timeIntervalSince1970: 1_746_000_000)

    func purchase(_ key: String, product: String?, price: Decimal?, at offset: TimeInterval?) -> Lead.Purchase {
        Lead.Purchase(
            key: key, purchaseId: key, vendor: "nextgen", product: product, price: price,
            purchasedAt: offset.map { t0.addingTimeInterval($0) }, receivedAt: t0.addingTimeInterval(1000))
    }

    func newLead() -> Lead {
        Lead(id: "ld_1", tenantId: "tn_a", source: "nextgen", receivedAt: t0.addingTimeInterval(1000))
    }

    @Test func laterPurchaseWinsAndEmptyNeverOverwrites() {
        var lead = newLead()
        LeadMerger.merge(
            NormalizedDraft(
                LeadDraft(phone: "5552013344", city: "Austin", state: "TX", fields: ["campaign": .string("A")])),
            purchase: purchase("p1", product: "data", price: 10, at: 0), into: &lead)
        LeadMerger.merge(
            NormalizedDraft(
                LeadDraft(phone: "5552013344", city: "Dallas", state: "", fields: ["campaign": .string("")])),
            purchase: purchase("p2", product: "ad", price: 5, at: 60), into: &lead)
        #expect(lead.city == "Dallas")
        #expect(lead.state == "TX")
        #expect(lead.fields["campaign"] == .string("A"))
        #expect(lead.price == 15)
        #expect(lead.createdAt == t0)
        #expect(lead.purchases.count == 2)
    }

    @Test func mergeOrderDoesNotMatter() {
        let drafts: [(LeadDraft, Lead.Purchase)] = [
            (
                LeadDraft(phone: "5552013344", city: "Austin", fields: ["x": .string("1")]),
                purchase("p1", product: "data", price: 20, at: 0)
            ),
            (
                LeadDraft(phone: "5552013344", city: "Dallas", fields: ["x": .string("2")]),
                purchase("p2", product: "ad", price: 5, at: 30)
            ),
            (
                LeadDraft(phone: "5552013344", city: "", zipcode: "02134"),
                purchase("p3", product: "data", price: 1, at: 90)
            ),
        ]
        var results: [Lead] = []
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0], [0, 2, 1]] {
            var lead = newLead()
            for i in order { LeadMerger.merge(NormalizedDraft(drafts[i].0), purchase: drafts[i].1, into: &lead) }
            lead.purchases.sort { $0.key < $1.key }
            lead.provenance = [:]
            results.append(lead)
        }
        for r in results.dropFirst() {
            #expect(r.city == "Dallas")
            #expect(r.zipcode == "02134")
            #expect(r.fields == results[0].fields)
            #expect(r.price == 26)
        }
    }

    @Test func reapplyingAPurchaseChangesNothing() {
        var lead = newLead()
        let d = NormalizedDraft(LeadDraft(email: "a@b.co", phone: "5552013344", city: "Austin"))
        let p = purchase("p1", product: "data", price: 10, at: 0)
        LeadMerger.merge(d, purchase: p, into: &lead)
        let once = lead
        LeadMerger.merge(d, purchase: p, into: &lead)
        #expect(lead == once)
    }

    @Test func identityIsStickyAndOthersGoToFields() {
        var lead = newLead()
        LeadMerger.merge(
            NormalizedDraft(LeadDraft(email: "a@b.co", phone: "5552013344")),
            purchase: purchase("p1", product: nil, price: nil, at: 0),
            into: &lead)
        LeadMerger.merge(
            NormalizedDraft(LeadDraft(email: "other@b.co", phone: "5552019999")),
            purchase: purchase("p2", product: nil, price: nil, at: 10),
            into: &lead)
        #expect(lead.phone == "+15552013344")
        #expect(lead.email == "a@b.co")
        #expect(lead.fields["otherPhones"] == .array([.string("+15552019999")]))
        #expect(lead.fields["otherEmails"] == .array([.string("other@b.co")]))
        #expect(lead.warnings.map(\.code) == [.otherContact, .otherContact])
    }

    @Test func agentStatusIsNeverTouched() {
        var lead = newLead()
        lead.status = "Contacted"
        lead.disposition = "Callback"
        LeadMerger.merge(
            NormalizedDraft(
                LeadDraft(phone: "5552013344", fields: ["status": .string("complete"), "disposition": .string("Sold")])),
            purchase: purchase("p1", product: "data", price: 1, at: 0), into: &lead)
        #expect(lead.status == "Contacted")
        #expect(lead.disposition == "Callback")
        #expect(lead.fields["disposition"] == .string("Sold"))
    }
}
