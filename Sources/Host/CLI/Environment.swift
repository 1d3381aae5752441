import Core
import Foundation
import Plugins

/// Where a command finds its database and vendors file: flag, else environment, else
/// the default next to the working directory.
struct Environment {
    static let defaultDB = "./data/sluice.db"
    static let defaultVendors = "./vendors.yaml"

    var dbLocation: String
    var vendorsPath: String

    init(_ args: Arguments) {
        let env = ProcessInfo.processInfo.environment
        dbLocation = args.value("db") ?? env["SLUICE_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? Environment.defaultDB
        vendorsPath =
            args.value("vendors") ?? env["SLUICE_VENDORS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Environment.defaultVendors
    }

    /// Every adapter this build knows: the generic ones in Core and the Swift plugins.
    static var registry: AdapterRegistry { standardAdapters() }

    func openStore() throws -> any LeadStore {
        do {
            return try StoreLocation.open(dbLocation)
        } catch let e as StoreError where e.code == .unsupported {
            throw CommandFailure(e.message, status: 2)
        } catch {
            throw CommandFailure("cannot open the database at \(dbLocation): \(error)")
        }
    }

    /// The folder next to the database: server key, kept uploads.
    var dataDirectory: String {
        let dir = (dbLocation as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }

    /// The box that seals HMAC vendor secrets, keyed by `server.key` next to the
    /// database (created with mode 0600 on first use).
    func secretBox() throws -> SecretBox {
        do {
            try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
            return try SecretBox(key: ServerKey.loadOrCreate(path: dataDirectory + "/server.key"))
        } catch {
            throw CommandFailure("cannot use the server key in \(dataDirectory): \(error)")
        }
    }

    func loadVendors() throws -> VendorCatalog {
        do {
            return try VendorCatalog.load(path: vendorsPath, registry: Environment.registry)
        } catch {
            throw CommandFailure(error.description)
        }
    }
}
