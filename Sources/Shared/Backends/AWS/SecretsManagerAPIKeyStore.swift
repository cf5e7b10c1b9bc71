import GatewayAWS
import GatewayCore
import GatewaySchema
import Logging
import Synchronization

/// Gateway keys in one Secrets Manager secret holding an `APIKeyMap` (hashed, or the original gateway's
/// plaintext-keyed map, or a mix).
///
/// Lookups read a parsed copy of the map cached for `cacheTTL`; an unknown key makes the store read the secret
/// again, at most every 250 ms (so a new key works at once, and guessing keys costs at most four reads a second).
/// `create` and `setStatus` read the secret, change the map and write a new version with `PutSecretValue`:
/// Secrets Manager has no conditional write, so two administrators changing keys at the same instant race and
/// the last writer wins (the other's change is lost; run key administration from one place). Keys and the
/// secret's content never reach logs or errors.
public final class SecretsManagerAPIKeyStore: APIKeyStore {
    public let client: SecretsManagerClient
    public let secretID: String
    let cacheTTL: Duration
    /// How often an unknown key may make the store read the secret again.
    let missRefresh: Duration = .milliseconds(250)
    let cache: Mutex<(loaded: ContinuousClock.Instant, records: [String: APIKeyRecord])?> = Mutex(nil)

    public init(client: SecretsManagerClient, secretID: String, cacheTTL: Duration = .seconds(30)) {
        self.client = client
        self.secretID = secretID
        self.cacheTTL = cacheTTL
    }

    public func lookup(hash: String) async throws -> APIKeyRecord? {
        if let record = try await records()[hash] { return record }
        // A key created a moment ago must work at once (API Gateway would cache a Deny for minutes): an unknown key
        // reads the secret again, but at most once per `missRefresh`, so guessing keys costs little.
        let now = ContinuousClock.now
        guard let loaded = cache.withLock({ $0?.loaded }), now - loaded >= missRefresh else { return nil }
        return remember(try await readMap(), at: now)[hash]
    }

    public func create(_ record: APIKeyRecord) async throws {
        var map = try await readMap()
        map[record.hash] = APIKeyMap.entry(record)
        try await write(map)
    }

    public func list(tenant: String?) async throws -> [APIKeyRecord] {
        try await records().values.filter { tenant == nil || $0.tenant == tenant }.sorted {
            $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.hash < $1.hash
        }
    }

    public func setStatus(keyID: String, status: APIKeyRecord.Status) async throws -> Bool {
        var map = try await readMap()
        let matching = map.keys.filter { key in
            let hash = APIKeyMap.hash(ofMapKey: key)
            return hash == keyID || APIKey.keyID(forHash: hash) == keyID
        }
        guard !matching.isEmpty else { return false }
        for key in matching {
            guard case .object(var entry)? = map[key] else { continue }
            entry["status"] = .string(status.rawValue)
            map[key] = .object(entry)
        }
        try await write(map)
        return true
    }

    /// Rewrites a plaintext-keyed map (the original gateway's) in the hashed form; writes only when something
    /// changed. Returns how many entries were migrated and how many were kept as they were.
    public func migratePlaintextKeys() async throws -> (migrated: Int, kept: Int) {
        let migration = APIKeyMapMigration(try await readMap())
        if migration.migrated > 0 { try await write(migration.map) }
        return (migration.migrated, migration.kept)
    }

    /// Imports the keys of another secret (the original gateway's `/llm-gateway/api-keys`, plaintext-keyed or not)
    /// into this one, hashed; the other secret is left as it is. A key already here keeps its entry. Returns how
    /// many keys were added and how many were already present (entries without a tenant are skipped, as unusable).
    public func importKeys(fromSecret source: String) async throws -> (imported: Int, present: Int) {
        let incoming = APIKeyMapMigration(
            try await SecretsManagerAPIKeyStore(client: client, secretID: source).readMap()
        ).map.filter { APIKeyMap.isHash($0.key) }
        var map = try await readMap()
        let present = Set(map.keys.map(APIKeyMap.hash(ofMapKey:)))
        var imported = 0
        for (hash, entry) in incoming where !present.contains(hash) {
            map[hash] = entry
            imported += 1
        }
        if imported > 0 { try await write(map) }
        return (imported, incoming.count - imported)
    }

    /// Forgets the cached map (the next lookup reads the secret).
    public func invalidate() {
        cache.withLock { $0 = nil }
    }

    // MARK: Reading and writing the secret

    func records() async throws -> [String: APIKeyRecord] {
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0 }), now - cached.loaded < cacheTTL { return cached.records }
        return remember(try await readMap(), at: now)
    }

    @discardableResult
    func remember(_ map: JSONObject, at instant: ContinuousClock.Instant = .now) -> [String: APIKeyRecord] {
        let records = APIKeyMap.records(map)
        cache.withLock { $0 = (instant, records) }
        return records
    }

    /// The current map (empty when the secret does not exist yet).
    func readMap() async throws -> JSONObject {
        guard let text = try await client.getSecretString(id: secretID) else { return JSONObject() }
        guard case .object(let map)? = try? JSONParser.parse(text) else { throw APIKeyMapUnreadable() }
        return map
    }

    func write(_ map: JSONObject) async throws {
        try await client.upsertSecretString(id: secretID, JSONValue.object(map).jsonString)
        remember(map)
    }
}

/// The key secret is not a JSON object (its content is not repeated here).
public struct APIKeyMapUnreadable: Error, Sendable, CustomStringConvertible {
    public var description: String { "the API key secret is not a JSON object of keys" }
}
