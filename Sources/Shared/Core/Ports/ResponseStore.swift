#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A stored `/v1/responses` answer: the `response` object the client got, and the conversation that led to it
/// (chat messages, the answer included, instructions excluded) so `previous_response_id` can continue it.
/// Both are JSON text; the store does not interpret them.
public struct StoredResponse: Sendable, Equatable {
    public var id: String
    public var tenant: String
    public var createdAt: Date
    public var response: String
    public var conversation: String

    public init(id: String, tenant: String, createdAt: Date, response: String, conversation: String) {
        self.id = id
        self.tenant = tenant
        self.createdAt = createdAt
        self.response = response
        self.conversation = conversation
    }
}

/// Stored responses, always scoped to a tenant: a response of another tenant does not exist for the caller.
public protocol ResponseStore: Sendable {
    /// Saves (or replaces) a response.
    func save(_ response: StoredResponse) async throws
    func find(id: String, tenant: String) async throws -> StoredResponse?
    /// Returns whether the response existed (for this tenant).
    @discardableResult
    func delete(id: String, tenant: String) async throws -> Bool
}
