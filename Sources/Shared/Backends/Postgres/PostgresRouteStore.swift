import GatewayCore
import GatewaySchema
import PostgresNIO

/// Live routes in PostgreSQL (table `routes`): each definition kept as the JSON text it was put as, validated by
/// whoever loads it.
public struct PostgresRouteStore: RouteStore {
    let store: PostgresStore

    public init(store: PostgresStore) {
        self.store = store
    }

    public func loadAll() async throws -> [StoredRoute] {
        var routes: [StoredRoute] = []
        let rows = try await store.client.query(
            #"SELECT alias, definition FROM routes ORDER BY alias COLLATE "C""#, logger: store.logger)
        for try await (alias, text) in rows.decode((String, String).self) {
            routes.append(StoredRoute(alias: alias, definition: (try? JSONParser.parse(text)) ?? .string(text)))
        }
        return routes
    }

    public func put(_ route: StoredRoute) async throws {
        try await store.execute(
            """
            INSERT INTO routes (alias, definition) VALUES (\(route.alias), \(route.definition.jsonString))
            ON CONFLICT (alias) DO UPDATE SET definition = excluded.definition, updated_at = now()
            """)
    }

    public func delete(alias: String) async throws -> Bool {
        let rows = try await store.client.query(
            "DELETE FROM routes WHERE alias = \(alias) RETURNING 1", logger: store.logger
        ).collect()
        return !rows.isEmpty
    }
}
