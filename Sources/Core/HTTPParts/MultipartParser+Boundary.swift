extension MultipartParser {
    /// The boundary of a `multipart/…` Content-Type header value, quoted or not:
    /// `multipart/form-data; boundary="----x"` → `----x`.
    ///
    /// Throws ``MultipartError/Code/notMultipart`` for another media type,
    /// ``MultipartError/Code/noBoundary`` when the boundary is missing, and
    /// ``MultipartError/Code/invalidBoundary`` when it cannot be one (RFC 2046: 1 to 70
    /// characters).
    public static func boundary(fromContentType value: String) throws(MultipartError) -> String {
        guard let header = HeaderValue(Substring(value)) else {
            throw MultipartError(.noBoundary, "The Content-Type header cannot be read.")
        }
        guard header.type.hasPrefix("multipart/") else {
            throw MultipartError(.notMultipart, "The body is not multipart/form-data.")
        }
        guard let boundary = header["boundary"], !boundary.isEmpty else {
            throw MultipartError(.noBoundary, "The multipart Content-Type names no boundary.")
        }
        try validate(boundary: boundary)
        return boundary
    }

    static func validate(boundary: String) throws(MultipartError) {
        let bytes = boundary.utf8
        guard !bytes.isEmpty, bytes.count <= 70, !bytes.contains(13), !bytes.contains(10) else {
            throw MultipartError(.invalidBoundary, "The multipart boundary must be 1 to 70 characters on one line.")
        }
    }
}
