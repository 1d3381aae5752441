/// How the inbox folder names an upload's files; the purge removes them together.
extension InboxFile {
    /// `<batchId>.csv`: the uploaded file as received.
    static func uploadName(batchId: String) -> String { batchId + ".csv" }

    /// `<batchId>.rejected.csv`: the upload's rejected rows, made only when it had some.
    static func rejectedRowsName(batchId: String) -> String { batchId + ".rejected.csv" }

    /// The files kept beside the inbox file at `path` (an upload's rejected rows), which
    /// go when it goes. They may not exist.
    static func companions(of path: String) -> [String] {
        guard path.hasSuffix(".csv"), !path.hasSuffix(".rejected.csv") else { return [] }
        return [String(path.dropLast(4)) + ".rejected.csv"]
    }

    /// Whether `id` can be a batch id (`im_` and base32): only such ids make file names.
    static func isBatchId(_ id: String) -> Bool {
        id.utf8.count > 3 && id.utf8.count <= 64 && id.hasPrefix("im_")
            && id.utf8.dropFirst(3).allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }
    }
}
