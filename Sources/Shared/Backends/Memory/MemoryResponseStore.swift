import GatewayCore
import Synchronization

/// Stored responses in process memory (tests; embedded mode uses SQLite).
public final class MemoryResponseStore: ResponseStore {
    let responses: Mutex<[String: StoredResponse]> = Mutex([:])

    public init() {}

    public func save(_ response: StoredResponse) async throws {
        responses.withLock { $0[response.id] = response }
    }

    public func find(id: String, tenant: String) async throws -> StoredResponse? {
        responses.withLock { $0[id] }.flatMap { $0.tenant == tenant ? $0 : nil }
    }

    public func delete(id: String, tenant: String) async throws -> Bool {
        responses.withLock { responses in
            guard responses[id]?.tenant == tenant else { return false }
            responses[id] = nil
            return true
        }
    }
}
