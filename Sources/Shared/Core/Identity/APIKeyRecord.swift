#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A stored gateway key (by hash) and what it may do.
public struct APIKeyRecord: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, Equatable {
        case active
        case disabled
    }

    /// SHA-256 hex of the key.
    public var hash: String
    public var tenant: String
    public var label: String
    public var status: Status
    public var createdAt: Date
    public var expiresAt: Date?
    /// Model aliases this key may use; `nil` means all.
    public var models: [String]?
    /// Per-key requests per minute / per day; `nil` means no per-key limit.
    public var rpm: Int?
    public var rpd: Int?
    /// An operator's key: it may read other tenants' usage reports.
    public var admin: Bool

    public init(
        hash: String, tenant: String, label: String, status: Status = .active, createdAt: Date,
        expiresAt: Date? = nil, models: [String]? = nil, rpm: Int? = nil, rpd: Int? = nil, admin: Bool = false
    ) {
        self.hash = hash
        self.tenant = tenant
        self.label = label
        self.status = status
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.models = models
        self.rpm = rpm
        self.rpd = rpd
        self.admin = admin
    }

    public var keyID: String { APIKey.keyID(forHash: hash) }

    /// Why this key cannot be used now, or nil when it can.
    public func rejection(at now: Date) -> String? {
        if status != .active { return "This API key has been disabled." }
        if let expiresAt, expiresAt <= now { return "This API key has expired." }
        return nil
    }

    public func allows(model: String) -> Bool {
        guard let models else { return true }
        return models.contains(model)
    }
}

/// Who is calling: established by the edge from the key, carried to every service.
public struct Identity: Sendable, Equatable {
    public var tenant: String
    public var keyID: String
    public var keyLabel: String
    public var models: [String]?
    public var admin: Bool

    public init(tenant: String, keyID: String, keyLabel: String, models: [String]?, admin: Bool = false) {
        self.tenant = tenant
        self.keyID = keyID
        self.keyLabel = keyLabel
        self.models = models
        self.admin = admin
    }

    public init(_ record: APIKeyRecord) {
        self.init(
            tenant: record.tenant, keyID: record.keyID, keyLabel: record.label, models: record.models,
            admin: record.admin)
    }

    public func allows(model: String) -> Bool {
        guard let models else { return true }
        return models.contains(model)
    }
}
