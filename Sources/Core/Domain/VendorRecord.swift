import Synchronization

/// One vendor record, a CSV row addressed by header name or the members of a JSON object.
///
/// Both channels share one shape so an adapter reads `record["phone"]` the same way
/// whatever way the purchase arrived. Lookups are case-sensitive and exact: a header
/// is the vendor's own spelling.
///
/// ```swift
/// let phone = record.string("phone")   // trimmed, nil when absent, null or blank
/// ```
public struct VendorRecord: Sendable, Hashable {
    /// Column or member names, shared between all rows of one file.
    public let names: FieldNames
    /// One value per name, in the same order. CSV cells are `.string` (maybe empty).
    public let values: [JSONValue]

    public init(names: FieldNames, values: [JSONValue]) {
        precondition(names.count == values.count, "one value per name")
        self.names = names
        self.values = values
    }

    /// A record from a decoded JSON object; member order is sorted for stable storage.
    /// Objects with the same members (a vendor's webhooks) share one ``FieldNames``.
    public init(object: [String: JSONValue]) {
        let keys = object.keys.sorted()
        self.names = FieldNames.shared(keys)
        self.values = keys.map { object[$0]! }
    }

    /// The raw value under `name`, or `nil` when the record has no such member.
    public subscript(name: String) -> JSONValue? {
        guard let i = names.index(of: name) else { return nil }
        return values[i]
    }

    /// The value as trimmed text; `nil` when absent, `null`, blank, an array or an object.
    public func string(_ name: String) -> String? {
        guard let text = self[name]?.text else { return nil }
        let trimmed = text.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The first of `names` that has a usable value (see ``string(_:)``).
    public func string(anyOf names: [String]) -> String? {
        for name in names { if let v = string(name) { return v } }
        return nil
    }

    /// Name/value pairs in record order.
    public var pairs: Zip2Sequence<[String], [JSONValue]> { zip(names.names, values) }

    /// The record as a JSON object.
    public var object: [String: JSONValue] {
        var o: [String: JSONValue] = [:]
        o.reserveCapacity(values.count)
        for (k, v) in pairs { o[k] = v }
        return o
    }
}

/// An ordered list of field names with a name → position index, built once per file.
///
/// Reference type so the millions of rows of one file share one copy.
/// Immutable after `init`, hence `Sendable`.
public final class FieldNames: Sendable, Hashable {
    public let names: [String]
    private let positions: [String: Int]
    /// The names as a JSON array, computed once: how the store keeps a record's names.
    package let json: String

    public init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (i, n) in names.enumerated() where positions[n] == nil { positions[n] = i }
        self.positions = positions
        var w = JSONWriter(capacity: 16 * names.count)
        w.beginArray()
        for n in names { w.value(n) }
        w.endArray()
        self.json = w.string
    }

    public var count: Int { names.count }

    /// The one instance kept for `names` in this process (see ``FieldNamesTable``):
    /// records that share it skip building the index and the JSON, and the store, which
    /// keeps one stored name list per instance it last saw, skips looking it up.
    package static func shared(_ names: [String]) -> FieldNames {
        FieldNamesTable.process.names(names)
    }

    /// Position of the first column called `name`.
    public func index(of name: String) -> Int? { positions[name] }

    public func contains(_ name: String) -> Bool { positions[name] != nil }

    public static func == (a: FieldNames, b: FieldNames) -> Bool { a === b || a.names == b.names }
    public func hash(into h: inout Hasher) { h.combine(names) }
}

extension VendorRecord {
    /// The record's values as a JSON array in record order (names are in ``FieldNames/json``).
    package var valuesJSON: String {
        var w = JSONWriter(capacity: 24 * values.count)
        w.beginArray()
        for v in values { w.value(v) }
        w.endArray()
        return w.string
    }

    /// The record as compact JSON text, members in record order (stable for equal records).
    package var jsonText: String {
        var w = JSONWriter(capacity: 64 * values.count)
        w.beginObject()
        for (k, v) in pairs {
            w.key(k)
            w.value(v)
        }
        w.endObject()
        return w.string
    }
}

/// Shared ``FieldNames`` by name list: the same list gives the same instance, made on
/// first use. Holds up to `limit` lists; past that it starts over, so odd payloads
/// cannot grow it. Thread-safe.
///
/// ```swift
/// let table = FieldNamesTable(limit: 64)
/// table.names(["email", "phone"]) === table.names(["email", "phone"])   // true
/// ```
package final class FieldNamesTable: Sendable {
    /// The table `FieldNames.shared` uses.
    package static let process = FieldNamesTable(limit: 64)

    private let limit: Int
    private let table = Mutex<[[String]: FieldNames]>([:])

    package init(limit: Int) {
        self.limit = limit
    }

    package func names(_ names: [String]) -> FieldNames {
        if let known = table.withLock({ $0[names] }) { return known }
        let made = FieldNames(names)
        return table.withLock { table in
            // Another thread may have made it meanwhile: keep the first.
            if let known = table[names] { return known }
            if table.count >= limit { table.removeAll() }
            table[names] = made
            return made
        }
    }
}
