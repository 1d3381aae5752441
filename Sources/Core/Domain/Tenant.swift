public import Foundation

/// An account (an agency). Every lead, import, credential and event belongs to one.
public struct Tenant: Sendable, Hashable {
    public var id: String
    public var name: String
    public var createdAt: Date
    public init(id: String, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// A person of a tenant who signs in.
public struct User: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, CaseIterable { case admin, agent }
    public var id: String
    public var tenantId: String
    public var email: String
    public var role: Role
    public init(id: String, tenantId: String, email: String, role: Role) {
        self.id = id
        self.tenantId = tenantId
        self.email = email
        self.role = role
    }
}

/// A vendor webhook credential of a tenant. Secrets are never kept here in clear.
public struct Credential: Sendable, Hashable {
    public var id: String
    public var tenantId: String
    public var vendor: String
    /// The public half that finds the credential (NextGen `sid`).
    public var sid: String?
    public init(id: String, tenantId: String, vendor: String, sid: String?) {
        self.id = id
        self.tenantId = tenantId
        self.vendor = vendor
        self.sid = sid
    }
}
