import GatewayBackends
import GatewayCore
import GatewayRouter
import GatewaySchema
import Logging
import Synchronization
import Testing

/// The live route table: stored routes over the file's, invalid ones refused while the last good one serves, and
/// a read before use when the table is stale (what a Lambda function does after a freeze).
@Suite struct LiveRoutesTests {
    /// A route store that counts its reads.
    final class CountingStore: RouteStore {
        let inner = MemoryRouteStore()
        let reads = Atomic<Int>(0)
        func loadAll() async throws -> [StoredRoute] {
            reads.add(1, ordering: .relaxed)
            return try await inner.loadAll()
        }
        func put(_ route: StoredRoute) async throws { try await inner.put(route) }
        func delete(alias: String) async throws -> Bool { try await inner.delete(alias: alias) }
    }

    static func route(_ model: String) throws -> JSONValue {
        try JSONParser.parse(#"{"targets":[{"provider":"mock","model":"\#(model)"}]}"#)
    }

    static func model(_ routes: LiveRoutes, _ alias: String) -> String? {
        routes.current.route(for: alias)?.targets.first?.model
    }

    @Test func storedRoutesOverrideTheFileAndAnInvalidOneKeepsTheLastGood() async throws {
        let store = CountingStore()
        let file = try #require(
            try RouteParsing.parse(alias: "fast", definition: Self.route("from-file"), path: "routes.fast").get())
        let routes = LiveRoutes(staticRoutes: [file], store: store, refreshSeconds: 60, logger: Logger(label: "test"))
        #expect(Self.model(routes, "fast") == "from-file")

        try await store.put(StoredRoute(alias: "fast", definition: Self.route("stored-1")))
        try await store.put(StoredRoute(alias: "new", definition: Self.route("n")))
        await routes.reload()
        #expect(Self.model(routes, "fast") == "stored-1")
        #expect(Self.model(routes, "new") == "n")

        try await store.put(StoredRoute(alias: "fast", definition: ["targets": []]))
        await routes.reload()
        #expect(Self.model(routes, "fast") == "stored-1")

        _ = try await store.delete(alias: "fast")
        _ = try await store.delete(alias: "new")
        await routes.reload()
        #expect(Self.model(routes, "fast") == "from-file")
        #expect(routes.current.route(for: "new") == nil)
    }

    @Test func aStaleTableIsReadBeforeUseAndAFreshOneIsNot() async throws {
        let store = CountingStore()
        let fresh = LiveRoutes(staticRoutes: [], store: store, refreshSeconds: 3600, logger: Logger(label: "test"))
        await fresh.refreshIfStale()  // never read: stale
        #expect(store.reads.load(ordering: .relaxed) == 1)
        try await store.put(StoredRoute(alias: "a", definition: Self.route("m1")))
        await fresh.refreshIfStale()  // read a moment ago: an hour's interval has not passed
        #expect(store.reads.load(ordering: .relaxed) == 1)
        #expect(fresh.current.route(for: "a") == nil)

        let short = LiveRoutes(staticRoutes: [], store: store, refreshSeconds: 0.05, logger: Logger(label: "test"))
        await short.refreshIfStale()
        #expect(Self.model(short, "a") == "m1")
        try await store.put(StoredRoute(alias: "a", definition: Self.route("m2")))
        try await Task.sleep(for: .milliseconds(60))
        await short.refreshIfStale()
        #expect(Self.model(short, "a") == "m2")
    }
}
