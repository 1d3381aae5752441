import Foundation

/// The web app's static files, read once into memory and served by exact path.
///
/// The set of files is fixed when the folder is first read: a request names a key of
/// that table or gets 404, so no request path ever reaches the file system (no path
/// traversal, no symlink games, no disk read per request). Immutable after loading,
/// so it is safe to share between threads.
///
/// ```swift
/// if let asset = WebAssets.shared.files["/app/app.css"] { … }
/// ```
struct WebAssets: Sendable {
    /// One file as served.
    struct Asset: Sendable {
        let contentType: String
        let body: [UInt8]
        /// A strong validator for `If-None-Match`, derived from the bytes.
        let etag: String
    }

    /// Where the files were found; nil when no folder was found.
    let root: String?
    /// Served path (`/app/js/main.js`) → file. `index.html` is under `/app/index.html`.
    let files: [String: Asset]

    /// The prefix static files are served under.
    static let prefix = "/app/"

    /// Extensions served, with their media types; any other file in the folder is left out.
    static let types: [String: String] = [
        "html": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "wav": "audio/wav",
        "svg": "image/svg+xml",
        "png": "image/png",
        "ico": "image/x-icon",
    ]

    /// Files larger than this are not served (the app's files are a few KiB each).
    static let maxFileSize = 4 << 20

    /// Loaded on first use, then shared; a missing folder gives an empty table.
    static let shared = WebAssets(root: locate())

    /// The app's entry page, if installed.
    var index: Asset? { files[Self.prefix + "index.html"] }

    /// Reads every servable file under `root` (two levels: `Web/` and `Web/js/`).
    init(root: String?) {
        self.root = root
        var files: [String: Asset] = [:]
        if let root {
            for relative in Self.listing(root) {
                guard let type = Self.types[(relative as NSString).pathExtension.lowercased()],
                    let data = FileManager.default.contents(atPath: root + "/" + relative),
                    data.count <= Self.maxFileSize
                else { continue }
                let bytes = [UInt8](data)
                files[Self.prefix + relative] = Asset(contentType: type, body: bytes, etag: Self.etag(bytes))
            }
        }
        self.files = files
    }

    /// Relative paths of regular files in `root` and its `js/` folder.
    private static func listing(_ root: String) -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        for folder in ["", "js/"] {
            guard let names = try? fm.contentsOfDirectory(atPath: root + "/" + folder) else { continue }
            for name in names where !name.hasPrefix(".") {
                let path = root + "/" + folder + name
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    out.append(folder + name)
                }
            }
        }
        return out
    }

    /// The folder holding `index.html`: `SLUICE_WEB_ROOT` when set, else the SwiftPM
    /// resource bundle next to the executable (`Sluice_Host.resources/Web`), else a
    /// `Web` folder next to it. `Bundle.module` is not used: it traps when the bundle
    /// was not installed, and a missing web app must not take the API down with it.
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let override = environment["SLUICE_WEB_ROOT"], !override.isEmpty {
            return hasIndex(override) ? override : nil
        }
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return nil }
        let dir = executable.deletingLastPathComponent().path
        let candidates = [
            dir + "/Sluice_Host.resources/Web",
            dir + "/Sluice_Host.bundle/Contents/Resources/Web",
            dir + "/Sluice_Host.bundle/Web",
            dir + "/Web",
        ]
        return candidates.first(where: hasIndex)
    }

    private static func hasIndex(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/index.html")
    }

    /// FNV-1a 64 over the bytes: cheap, stable, and enough to tell versions apart.
    private static func etag(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            hash ^= UInt64(b)
            hash = hash &* 0x0100_0000_01b3
        }
        return "\"" + String(hash, radix: 16) + "-" + String(bytes.count, radix: 16) + "\""
    }
}
