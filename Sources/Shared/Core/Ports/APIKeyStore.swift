/// Gateway keys, looked up by SHA-256 hash; keys are never stored in clear.
public protocol APIKeyStore: Sendable {
    func lookup(hash: String) async throws -> APIKeyRecord?
    func create(_ record: APIKeyRecord) async throws
    /// Every key, optionally of one tenant, newest first.
    func list(tenant: String?) async throws -> [APIKeyRecord]
    /// Disable the key whose key id (`key_` + hash prefix) or full hash is given. Returns whether one was found.
    func setStatus(keyID: String, status: APIKeyRecord.Status) async throws -> Bool
}
