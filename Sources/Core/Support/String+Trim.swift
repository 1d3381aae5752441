extension String {
    /// The string without leading and trailing whitespace (spaces, tabs, newlines, NBSP).
    ///
    /// Cheap when there is nothing to trim — the common case on the ingest path: a value
    /// that starts and ends with a visible ASCII character is returned as is without
    /// looking up Unicode properties.
    package func trimmingWhitespace() -> String {
        let bytes = utf8
        guard let first = bytes.first, let last = bytes.last else { return self }
        if first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F { return self }
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace {
            end = scalars.index(before: end)
        }
        return String(scalars[start..<end])
    }
}
