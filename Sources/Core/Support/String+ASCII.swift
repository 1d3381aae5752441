extension StringProtocol {
    /// Whether `needle` occurs in the string, ASCII letters compared without case (for
    /// header values such as `Content-Type`). Works on the UTF-8 bytes: no Unicode case
    /// mapping, no Foundation.
    package func containsIgnoringASCIICase(_ needle: some StringProtocol) -> Bool {
        let n = needle.utf8.map(Self.lowerASCII)
        guard !n.isEmpty else { return true }
        let h = Array(utf8)
        guard h.count >= n.count else { return false }
        for start in 0...(h.count - n.count) {
            var i = 0
            while i < n.count, Self.lowerASCII(h[start + i]) == n[i] { i += 1 }
            if i == n.count { return true }
        }
        return false
    }

    private static func lowerASCII(_ b: UInt8) -> UInt8 {
        b >= 0x41 && b <= 0x5A ? b | 0x20 : b
    }
}
