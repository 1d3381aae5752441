import Core

/// The 42 columns of NextGen's purchases export, in export order. Their names are the
/// canonical spelling for both channels; webhook bodies may use the older aliases.
enum NextGenColumn: String, CaseIterable, Sendable {
    case createdAt = "created_at"
    case purchaseId = "purchase_id"
    case product
    case leadId = "lead_id"
    case vendorId = "vendor_id"
    case vendorName = "vendor_name"
    case verticalId = "vertical_id"
    case accountId = "account_id"
    case accountName = "account_name"
    case campaignId = "campaign_id"
    case campaignName = "campaign_name"
    case bidType = "bid_type"
    case firstName = "first_name"
    case lastName = "last_name"
    case phone
    case street1 = "street_1"
    case street2 = "street_2"
    case email
    case city
    case state
    case zipcode
    case dob
    case gender
    case height
    case householdSize = "household_size"
    case householdIncome = "household_income"
    case weight
    case military
    case pregnant
    case tobaccoUser = "tobacco_user"
    case hasPrescription = "has_prescription"
    case hasMedicarePartsAB = "has_medicare_parts_a_b"
    case hasMedicalCondition = "has_medical_condition"
    case medicalConditions = "medical_conditions"
    case insuranceTimeframe = "insurance_timeframe"
    case price
    case status
    case disposition
    case callLogId = "call_log_id"
    case callDuration = "call_duration"
    case sourceHash = "source_hash"
    case subIdHash = "sub_id_hash"

    /// Other names NextGen's webhook documentation and older payloads use. Read only when
    /// the export name is absent or blank.
    var aliases: [String] {
        switch self {
        case .createdAt: return ["created", "order_time"]
        case .leadId: return ["nextgen_id"]
        case .phone: return ["phone_number"]
        case .zipcode: return ["zip_code", "zip"]
        case .street1: return ["street_address"]
        case .dob: return ["date_of_birth"]
        case .hasMedicarePartsAB: return ["has_medicare_parts_ab"]
        default: return []
        }
    }

    /// The six yes/no columns, kept in `fields` as JSON booleans.
    var isBoolean: Bool {
        switch self {
        case .military, .pregnant, .tobaccoUser, .hasPrescription, .hasMedicarePartsAB, .hasMedicalCondition:
            return true
        default: return false
        }
    }

    /// ``allCases`` computed once (the synthesised property builds a new array per call).
    static let ordered = allCases

    /// Every export name and alias → its column's position in ``allCases``, and whether
    /// the name is an alias.
    static let byName: [String: (position: Int, isAlias: Bool)] = {
        var map: [String: (Int, Bool)] = [:]
        for (i, c) in allCases.enumerated() {
            map[c.rawValue] = (i, false)
            for a in c.aliases { map[a] = (i, true) }
        }
        return map
    }()
}

/// Which NextGen column each field of one file's header is, resolved once per file.
struct NextGenLayout: Sendable {
    /// Per record position: the column's position in ``NextGenColumn/ordered`` and
    /// whether the header is an alias; nil for other names (kept as they are).
    let slots: [(position: Int, isAlias: Bool)?]

    init(_ names: FieldNames) {
        slots = names.names.map { NextGenColumn.byName[$0] }
    }
}
