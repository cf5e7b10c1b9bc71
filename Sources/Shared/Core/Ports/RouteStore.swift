import GatewaySchema

/// A route as stored, not yet validated: the alias and its JSON definition.
public struct StoredRoute: Sendable, Equatable {
    public var alias: String
    public var definition: JSONValue
    public init(alias: String, definition: JSONValue) {
        self.alias = alias
        self.definition = definition
    }
}

/// Live routes that override or add to the configuration file's, changed without a restart.
public protocol RouteStore: Sendable {
    func loadAll() async throws -> [StoredRoute]
    func put(_ route: StoredRoute) async throws
    func delete(alias: String) async throws -> Bool
}
