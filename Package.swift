// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["Host"]),
        .library(name: "Core", targets: ["Core"]),
        .library(name: "Plugins", targets: ["Plugins"]),
        .executable(name: "fuzz-csv", targets: ["FuzzCSV"]),
        .executable(name: "fuzz-vendors", targets: ["FuzzVendors"]),
    ],
    targets: [
        // One system-library target per C library; C stays inside its wrapper.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd", providers: [.apt(["libmicrohttpd-dev"])]),
        // wslay ships no pkg-config file: the modulemap links it.
        .systemLibrary(name: "CWslay", providers: [.apt(["libwslay-dev"])]),
        // What Swift cannot call directly (variadic functions, macros).
        .target(name: "CShims", dependencies: ["CSQLite", "CCrypto", "CMicroHTTPD"]),

        .target(
            name: "Core",
            dependencies: ["CSQLite", "CYAML", "CCrypto", "CShims"],
            swiftSettings: strict
        ),
        .target(name: "Plugins", dependencies: ["Core"], swiftSettings: strict),
        // The HTTP/1.1 server on libmicrohttpd; a library so HostTests can drive it.
        .target(
            name: "HostHTTP", dependencies: ["CMicroHTTPD", "CShims", "CCrypto", "CWslay"], swiftSettings: strict),
        .executableTarget(
            name: "Host",
            dependencies: ["Core", "Plugins", "HostHTTP"],
            // The web app's static files, copied as they are (no build step).
            resources: [.copy("Web")],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "FuzzCSV",
            dependencies: ["Core"],
            path: "Tests/Fuzz/FuzzCSV",
            swiftSettings: strict + [.unsafeFlags(["-parse-as-library"])]
        ),
        .executableTarget(
            name: "FuzzVendors",
            dependencies: ["Core", "Plugins"],
            path: "Tests/Fuzz/FuzzVendors",
            swiftSettings: strict + [.unsafeFlags(["-parse-as-library"])]
        ),

        .testTarget(name: "CoreTests", dependencies: ["Core", "Plugins"], swiftSettings: strict),
        .testTarget(name: "PluginsTests", dependencies: ["Core", "Plugins"], swiftSettings: strict),
        .testTarget(name: "HostTests", dependencies: ["Core", "Plugins", "HostHTTP"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
