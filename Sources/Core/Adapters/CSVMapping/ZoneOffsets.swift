package import Foundation

/// The UTC offsets of one IANA time zone, looked up without Foundation on the hot path.
///
/// Built once when a vendor's configuration is loaded: the zone's transitions between
/// 1950 and 2100 are read from `TimeZone` into a sorted table, then every lookup is a
/// binary search. Instants outside that range fall back to `TimeZone`. Immutable, so
/// `Sendable` and shared by every thread.
///
/// ```swift
/// let ny = ZoneOffsets(TimeZone(identifier: "America/New_York")!)
/// let utc = ny.utcSeconds(fromLocal: localSeconds)   // wall clock → instant
/// ```
package struct ZoneOffsets: Sendable, Hashable {
    package let zone: TimeZone
    /// UTC seconds at which `offsets[i]` starts; `offsets[0]` holds before `starts[0]`.
    private let starts: [Int64]
    private let offsets: [Int32]

    private static let tableStart: Int64 = -631_152_000  // 1950-01-01
    private static let tableEnd: Int64 = 4_102_444_800  // 2100-01-01

    package static let utc = ZoneOffsets(TimeZone(identifier: "UTC")!)

    package init(_ zone: TimeZone) {
        self.zone = zone
        var starts: [Int64] = []
        var offsets: [Int32] = [Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(Self.tableStart))))]
        var cursor = Date(timeIntervalSince1970: Double(Self.tableStart))
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor),
            next.timeIntervalSince1970 < Double(Self.tableEnd)
        {
            let offset = Int32(zone.secondsFromGMT(for: next))
            if offset != offsets.last {
                starts.append(Int64(next.timeIntervalSince1970.rounded(.down)))
                offsets.append(offset)
            }
            cursor = next
        }
        self.starts = starts
        self.offsets = offsets
    }

    /// The zone's offset from UTC, in seconds, at the instant `utc` (seconds since 1970).
    package func offset(atUTC utc: Int64) -> Int64 {
        guard utc >= Self.tableStart, utc < Self.tableEnd else {
            return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc))))
        }
        // Last start ≤ utc.
        var lo = 0
        var hi = starts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if starts[mid] <= utc { lo = mid + 1 } else { hi = mid }
        }
        return Int64(offsets[lo])
    }

    /// The instant whose wall-clock time in this zone is `local` (seconds since
    /// 1970-01-01 00:00 read as a local time). A time that occurs twice (the hour the
    /// clocks go back) takes its first, daylight, occurrence; a time that never occurs
    /// (the hour the clocks skip) is read with the offset in force before the skip, as a
    /// wall clock that was not yet changed would show it.
    package func utcSeconds(fromLocal local: Int64) -> Int64 {
        let guess = local - offset(atUTC: local)
        let o = offset(atUTC: guess)
        let utc = local - o
        if offset(atUTC: utc) == o { return utc }
        return local - offset(atUTC: utc - 86_400)
    }

    package static func == (a: ZoneOffsets, b: ZoneOffsets) -> Bool { a.zone.identifier == b.zone.identifier }
    package func hash(into h: inout Hasher) { h.combine(zone.identifier) }
}
