import Synchronization

/// The last per-header layout an adapter worked out, shared by the threads importing
/// one file.
///
/// CSV rows of one file share one ``FieldNames``, so an adapter resolves where its
/// columns sit once per file instead of hashing every name of every row. A lock rather
/// than per-thread copies: the check is a pointer comparison and nothing else is done
/// under the lock. JSON records each bring their own names and simply rebuild.
///
/// ```swift
/// let layout = cache.layout(for: record.names) { names in MyLayout(names) }
/// ```
package final class LayoutCache<Layout: Sendable>: Sendable {
    private let last = Mutex<(names: FieldNames, layout: Layout)?>(nil)

    package init() {}

    package func layout(for names: FieldNames, build: (FieldNames) -> Layout) -> Layout {
        if let cached = last.withLock({ $0 }), cached.names === names { return cached.layout }
        let fresh = build(names)
        last.withLock { $0 = (names, fresh) }
        return fresh
    }
}
