internal import Synchronization

/// The request body, streamed. Chunks arrive as libmicrohttpd reads them; the connection
/// is suspended while the consumer is behind (backpressure: at most ~1 MiB buffered per request).
///
/// Read it from one task at a time. `next()` throws `HTTPBodyError.disconnected` when the
/// client goes away mid-body, so a handler stops instead of waiting forever.
///
/// ```swift
/// let bytes = try await body.collect(limit: 1 << 20)
/// ```
public final class HTTPBody: Sendable {
    private let context: RequestContext?
    private let fixed: Mutex<[UInt8]?>

    init(_ context: RequestContext) {
        self.context = context
        fixed = Mutex(nil)
    }

    /// A body that is already complete (for handler unit tests and internal replays).
    public init(bytes: [UInt8]) {
        context = nil
        fixed = Mutex(bytes.isEmpty ? nil : bytes)
    }

    /// The next chunk, in order; nil at the end of the body.
    public func next() async throws -> [UInt8]? {
        if let context { return try await context.nextChunk() }
        return fixed.withLock { rest in
            defer { rest = nil }
            return rest
        }
    }

    /// Reads the whole body; throws `HTTPBodyError.tooLarge` as soon as it passes `limit` bytes.
    public func collect(limit: Int) async throws -> [UInt8] {
        var all: [UInt8] = []
        while let chunk = try await next() {
            guard all.count + chunk.count <= limit else { throw HTTPBodyError.tooLarge }
            if all.isEmpty { all = chunk } else { all += chunk }
        }
        return all
    }
}
