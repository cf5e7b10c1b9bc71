import GatewayCore
import GatewaySchema
import Logging
import ServiceLifecycle
import Synchronization

/// The route table in use: the configuration file's routes overridden per alias by the route store's, reloaded
/// every `refreshSeconds`. A stored route that fails validation is rejected with a log line and the last good
/// version of that alias keeps serving.
public final class LiveRoutes: Service {
    let staticRoutes: [Route]
    let store: any RouteStore
    let refresh: Duration
    let logger: Logger
    let table: Mutex<RouteTable>
    let lastGood: Mutex<[String: Route]> = Mutex([:])
    let rejected: Mutex<[String: JSONValue]> = Mutex([:])
    /// When the store was last read successfully.
    let loadedAt: Mutex<ContinuousClock.Instant?> = Mutex(nil)

    public init(staticRoutes: [Route], store: any RouteStore, refreshSeconds: Double, logger: Logger) {
        self.staticRoutes = staticRoutes
        self.store = store
        self.refresh = .milliseconds(Int64(max(0.05, refreshSeconds) * 1000))
        self.logger = logger
        self.table = Mutex(RouteTable(routes: staticRoutes))
    }

    public var current: RouteTable { table.withLock { $0 } }

    /// Reads the store now if the table is older than the refresh interval. A Lambda function calls it before each
    /// invocation: its reload loop does not run while the environment is frozen between invocations, so without
    /// it the first request after a long pause would be served by routes older than the interval.
    public func refreshIfStale() async {
        let loaded = loadedAt.withLock { $0 }
        if let loaded, ContinuousClock.now - loaded < refresh { return }
        await reload()
    }

    public func run() async throws {
        await reload()
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.refresh)
                await self.reload()
            }
        }
    }

    /// Read the store and swap the table.
    public func reload() async {
        let stored: [StoredRoute]
        do {
            stored = try await store.loadAll()
        } catch {
            logger.error("route store unavailable; keeping the current routes", metadata: ["error": "\(error)"])
            return
        }
        loadedAt.withLock { $0 = ContinuousClock.now }
        var merged: [String: Route] = [:]
        for route in staticRoutes { merged[route.alias] = route }
        var good = lastGood.withLock { $0 }
        var seen: Set<String> = []
        for row in stored {
            seen.insert(row.alias)
            switch RouteParsing.parse(alias: row.alias, definition: row.definition, path: "routes.\(row.alias)") {
            case .success(let route):
                good[row.alias] = route
                merged[row.alias] = route
                rejected.withLock { _ = $0.removeValue(forKey: row.alias) }
            case .failure(let problems):
                let isNew = rejected.withLock { rejected -> Bool in
                    defer { rejected[row.alias] = row.definition }
                    return rejected[row.alias] != row.definition
                }
                if isNew {
                    logger.error(
                        "rejected invalid route; the last good version keeps serving",
                        metadata: ["alias": "\(row.alias)", "problems": "\(problems.messages.joined(separator: "; "))"])
                }
                if let previous = good[row.alias] { merged[row.alias] = previous }
            }
        }
        for alias in good.keys where !seen.contains(alias) { good[alias] = nil }
        lastGood.withLock { $0 = good }
        let newTable = RouteTable(routes: Array(merged.values))
        table.withLock { $0 = newTable }
    }
}
