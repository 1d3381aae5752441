internal import CYAML

/// Reads YAML text into a ``YAMLNode`` tree (stage one of two; typed models are read
/// from the tree, see ``VendorCatalog``).
///
/// Built on libyaml's event API. It accepts the plain subset configuration files need
/// and rejects, with an error that points at the place, what would make a file
/// ambiguous or dangerous to load:
/// - more than one document (`---` twice);
/// - a key written twice in one mapping (`duplicate key 'x' (first at 3:5)`);
/// - keys that are lists or mappings;
/// - anchors and aliases (no expansion, so no "billion laughs");
/// - tags (`!!str`, `!custom`);
/// - nesting deeper than ``maxDepth`` and input larger than ``maxBytes``.
///
/// An empty document (nothing but comments) is an empty mapping at 1:1. A scalar is
/// `quoted` when written in single or double quotes. Stateless and thread-safe.
///
/// ```swift
/// let tree = try YAMLParser.parse("version: 1\n", file: "vendors.yaml")
/// ```
public enum YAMLParser {
    /// Largest input accepted, in bytes (1 MiB).
    public static let maxBytes = 1 << 20
    /// Deepest nesting of lists and mappings accepted.
    public static let maxDepth = 64

    /// Parses `text`; `file` names the source in error messages.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> YAMLNode {
        try parse(Array(text.utf8), file: file)
    }

    /// Parses UTF-8 (or UTF-16 with a byte order mark) `bytes`; `file` names the source
    /// in error messages.
    public static func parse(_ bytes: [UInt8], file: String) throws(ConfigError) -> YAMLNode {
        guard bytes.count <= maxBytes else {
            throw ConfigError(file: file, mark: nil, "file is larger than 1 MiB (\(bytes.count) bytes)")
        }
        let reader = YAMLEventReader(bytes, file: file)
        var builder = YAMLTreeBuilder(file: file)
        while true {
            if let root = try builder.add(try reader.next()) { return root }
        }
    }
}

/// One libyaml event, copied out of C memory.
enum YAMLEvent: Equatable {
    case streamStart
    case streamEnd
    case documentStart(SourceMark)
    case documentEnd
    case alias(anchor: String, SourceMark)
    case scalar(String, quoted: Bool, anchor: String?, tag: String?, SourceMark)
    case sequenceStart(anchor: String?, tag: String?, SourceMark)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?, SourceMark)
    case mappingEnd
}

/// Owns one `yaml_parser_t` and the input buffer libyaml reads from (libyaml keeps a
/// pointer to it, so the buffer lives exactly as long as the parser). Single-threaded.
private final class YAMLEventReader {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let file: String

    init(_ bytes: [UInt8], file: String) {
        self.file = file
        parser = .allocate(capacity: 1)
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        // Fails only when malloc fails; there is nothing sensible to do then.
        guard yaml_parser_initialize(parser) == 1 else { fatalError("yaml_parser_initialize: out of memory") }
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    func next() throws(ConfigError) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
        defer { yaml_event_delete(&event) }
        let mark = SourceMark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return .streamStart
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart(mark)
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: Self.string(event.data.alias.anchor) ?? "", mark)
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
            let quoted = s.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || s.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
            return .scalar(value, quoted: quoted, anchor: Self.string(s.anchor), tag: Self.string(s.tag), mark)
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            return .sequenceStart(anchor: Self.string(s.anchor), tag: Self.string(s.tag), mark)
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            return .mappingStart(anchor: Self.string(m.anchor), tag: Self.string(m.tag), mark)
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        default:
            // YAML_STREAM_END_EVENT; YAML_NO_EVENT only follows the stream's end.
            return .streamEnd
        }
    }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        p.map { String(cString: $0) }
    }

    /// libyaml's problem text at its mark, with its context when it gives one.
    private func currentError() -> ConfigError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "cannot parse the file"
        switch p.error {
        case YAML_MEMORY_ERROR:
            return ConfigError(file: file, mark: nil, "out of memory while parsing")
        case YAML_READER_ERROR:
            // Reader errors carry a byte offset, not a line and column.
            var message = problem
            if p.problem_value != -1 {
                message += " (byte 0x\(String(UInt8(truncatingIfNeeded: p.problem_value), radix: 16, uppercase: true)))"
            }
            return ConfigError(file: file, mark: mark(atOffset: p.problem_offset), message)
        default:
            var message = problem
            if let context = p.context.map({ String(cString: $0) }) {
                message += " (\(context) at \(p.context_mark.line + 1):\(p.context_mark.column + 1))"
            }
            let mark = SourceMark(line: Int(p.problem_mark.line) + 1, column: Int(p.problem_mark.column) + 1)
            return ConfigError(file: file, mark: mark, message)
        }
    }

    /// Line and column (in characters) of a byte offset in the input.
    private func mark(atOffset offset: Int) -> SourceMark {
        var line = 1
        var column = 1
        for byte in input.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceMark(line: line, column: column)
    }
}

/// Folds events into a ``YAMLNode`` with an explicit stack (no recursion, so depth is
/// bounded by ``YAMLParser/maxDepth`` alone), enforcing the subset ``YAMLParser`` accepts.
struct YAMLTreeBuilder {
    private struct Frame {
        var isMapping: Bool
        var mark: SourceMark
        var items: [YAMLNode] = []
        var members: [YAMLMember] = []
        var pendingKey: (key: String, mark: SourceMark)?
        var firstSeen: [String: SourceMark] = [:]
    }

    let file: String
    private var stack: [Frame] = []
    private var root: YAMLNode?
    private var documents = 0

    init(file: String) { self.file = file }

    /// Takes the next event; returns the tree once the stream ends.
    mutating func add(_ event: YAMLEvent) throws(ConfigError) -> YAMLNode? {
        switch event {
        case .streamStart, .documentEnd:
            return nil
        case .streamEnd:
            return root ?? .mapping([], mark: SourceMark(line: 1, column: 1))
        case .documentStart(let mark):
            documents += 1
            guard documents == 1 else {
                throw error(mark, "more than one document in the file (only one is read; remove the second '---')")
            }
            return nil
        case .alias(let anchor, let mark):
            throw error(mark, "aliases ('*\(anchor)') are not supported; write the value out")
        case .scalar(let value, let quoted, let anchor, let tag, let mark):
            try checkProperties(anchor: anchor, tag: tag, mark)
            try attach(.scalar(value, quoted: quoted, mark: mark))
        case .sequenceStart(let anchor, let tag, let mark):
            try open(isMapping: false, anchor: anchor, tag: tag, mark)
        case .mappingStart(let anchor, let tag, let mark):
            try open(isMapping: true, anchor: anchor, tag: tag, mark)
        case .sequenceEnd, .mappingEnd:
            // libyaml guarantees balanced start/end events.
            let frame = stack.removeLast()
            try attach(
                frame.isMapping ? .mapping(frame.members, mark: frame.mark) : .sequence(frame.items, mark: frame.mark))
        }
        return nil
    }

    private mutating func open(isMapping: Bool, anchor: String?, tag: String?, _ mark: SourceMark) throws(ConfigError) {
        try checkProperties(anchor: anchor, tag: tag, mark)
        if let top = stack.last, top.isMapping, top.pendingKey == nil {
            throw error(mark, "a key must be a single value, found \(isMapping ? "a mapping" : "a list")")
        }
        guard stack.count < YAMLParser.maxDepth else {
            throw error(mark, "nesting is deeper than \(YAMLParser.maxDepth) levels")
        }
        stack.append(Frame(isMapping: isMapping, mark: mark))
    }

    private mutating func attach(_ node: YAMLNode) throws(ConfigError) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        if let (key, keyMark) = stack[top].pendingKey {
            stack[top].members.append(YAMLMember(key: key, keyMark: keyMark, value: node))
            stack[top].pendingKey = nil
            return
        }
        // Only scalars get here as keys: `open` rejects lists and mappings in key position.
        guard case .scalar(let key, _, let mark) = node else { return }
        if let first = stack[top].firstSeen[key] {
            throw error(mark, "duplicate key '\(key)' (first at \(first))")
        }
        stack[top].firstSeen[key] = mark
        stack[top].pendingKey = (key, mark)
    }

    private func checkProperties(anchor: String?, tag: String?, _ mark: SourceMark) throws(ConfigError) {
        if let anchor {
            throw error(mark, "anchors ('&\(anchor)') are not supported; write the value out")
        }
        if let tag {
            throw error(mark, "tags ('\(tag)') are not supported")
        }
    }

    private func error(_ mark: SourceMark, _ message: String) -> ConfigError {
        ConfigError(file: file, mark: mark, message)
    }
}
