import Foundation

extension ValueTransform {
    /// What a transform list needs from its surroundings while it is compiled.
    package struct CompileContext {
        package var map: ConfigMap
        /// The vendor's zone (`timezone:`), UTC when it declares none.
        package var zone: ZoneOffsets
        /// Whether the column feeds `purchasedAt` (dates then become instants).
        package var wantsInstant: Bool
        /// For messages: "column 'created'".
        package var context: String
    }

    /// The steps of a `transform:` value: one step or a list of steps.
    package static func compileList(_ node: YAMLNode, _ c: CompileContext) throws(ConfigError) -> [ValueTransform] {
        let nodes: [YAMLNode]
        if case .sequence(let items, _) = node { nodes = items } else { nodes = [node] }
        var steps: [ValueTransform] = []
        for (i, n) in nodes.enumerated() {
            let step = try compile(n, c)
            if i < nodes.count - 1, step.output != nil {
                throw c.map.error(
                    n.mark,
                    "transform '\(step.name)' of \(c.context) gives a typed value, so it must be the last transform")
            }
            steps.append(step)
        }
        return steps
    }

    /// One step: a name (`upper`) or a one-key mapping with parameters
    /// (`{ date: "MM-DD-YYYY", zone: UTC }`, `{ map: {…}, default: X }`, `{ default: X }`).
    package static func compile(_ node: YAMLNode, _ c: CompileContext) throws(ConfigError) -> ValueTransform {
        switch node {
        case .scalar(let name, _, let mark):
            switch name {
            case "trim": return .trim
            case "upper": return .upper
            case "lower": return .lower
            case "title": return .title
            case "digits": return .digits
            case "phone": return .phone
            case "email": return .email
            case "gender": return .gender
            case "state": return .state
            case "height": return .height
            case "boolean": return .boolean
            case "decimal": return .decimal
            case "integer": return .integer
            case "duration": return .duration
            case "list": return .list
            case "date": return .date(nil, zone: c.zone, instant: c.wantsInstant)
            case "map", "default":
                throw c.map.error(mark, "transform '\(name)' of \(c.context) needs a value, e.g. { \(name): … }")
            default:
                throw c.map.error(mark, unknown(name, c))
            }
        case .sequence(_, let mark):
            throw c.map.error(mark, "a transform of \(c.context) must be a name or a mapping, found a list")
        case .mapping(let members, let mark):
            let m = try ConfigMap(node, file: c.map.file, context: "transform of \(c.context)")
            guard let head = members.first(where: { ["date", "map"].contains($0.key) }) ?? members.first else {
                throw c.map.error(mark, "empty transform in \(c.context)")
            }
            switch head.key {
            case "date":
                try m.rejectUnknown(allowed: ["date", "zone"])
                return try compileDate(m, head, c)
            case "map":
                try m.rejectUnknown(allowed: ["map", "default"])
                return try compileMap(m, head)
            case "default":
                try m.rejectUnknown(allowed: ["default"])
                return .defaultValue(try m.string("default"))
            default:
                throw c.map.error(head.keyMark, unknown(head.key, c))
            }
        }
    }

    private static func unknown(_ name: String, _ c: CompileContext) -> String {
        var message = "unknown transform '\(name)' in \(c.context)"
        if let near = Suggest.nearest(to: name, in: names) { message += " (did you mean '\(near)'?)" }
        return message
    }

    private static func compileDate(
        _ m: ConfigMap, _ head: YAMLMember, _ c: CompileContext
    ) throws(ConfigError)
        -> ValueTransform
    {
        let format = try m.string("date")
        let pattern: DatePattern
        do { pattern = try DatePattern(format) } catch { throw m.error(head.value.mark, error.message) }
        var zone = c.zone
        if let name = try m.optionalString("zone") {
            zone = try zoneOffsets(named: name, mark: m.node("zone")?.mark, in: m)
        }
        return .date(pattern, zone: zone, instant: c.wantsInstant)
    }

    private static func compileMap(_ m: ConfigMap, _ head: YAMLMember) throws(ConfigError) -> ValueTransform {
        let values = try ConfigMap(head.value, file: m.file, context: "'map'")
        var table: [String: String] = [:]
        for member in values.members {
            guard table[member.key] == nil else {
                throw m.error(member.keyMark, "value '\(member.key)' appears twice in 'map'")
            }
            table[member.key] = try values.scalar(member.value, member.key)
        }
        return .map(table, fallback: try m.optionalString("default"))
    }

    /// The offsets of the IANA zone `name`, or an error suggesting a known zone.
    package static func zoneOffsets(
        named name: String, mark: SourceMark?, in m: ConfigMap
    ) throws(ConfigError)
        -> ZoneOffsets
    {
        guard let zone = TimeZone(identifier: name) else {
            var message = "unknown time zone '\(name)'"
            if let near = Suggest.nearest(to: name, in: TimeZone.knownTimeZoneIdentifiers) {
                message += " (did you mean '\(near)'?)"
            }
            throw m.error(mark, message)
        }
        return ZoneOffsets(zone)
    }
}
