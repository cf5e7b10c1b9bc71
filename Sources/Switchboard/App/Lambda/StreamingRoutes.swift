/// Which API Gateway routes are integrated with response streaming (`responseTransferMode: STREAM` in the
/// template): those answers go out as an HTTP-integration stream, every other as a buffered proxy response. The
/// template passes its list in `SWITCHBOARD_STREAMING_ROUTES` so that the two cannot drift apart.
public struct StreamingRoutes: Sendable, Equatable {
    /// `POST /v1/chat/completions`-style entries.
    public var routes: Set<String>

    public static let defaultRoutes: Set<String> = [
        "POST /v1/chat/completions", "POST /v1/completions", "POST /v1/responses", "POST /v1/rag/query",
    ]

    public init(routes: Set<String> = Self.defaultRoutes) { self.routes = routes }

    /// From `SWITCHBOARD_STREAMING_ROUTES` (comma-separated `METHOD /path`), else the default list.
    public init(environment: [String: String]) {
        guard let value = environment["SWITCHBOARD_STREAMING_ROUTES"] else {
            self.init()
            return
        }
        self.init(
            routes: Set(
                value.split(separator: ",").map { entry in
                    let parts = entry.split(separator: " ", omittingEmptySubsequences: true)
                    return parts.map { String($0) }.joined(separator: " ").uppercasedMethod
                }.filter { !$0.isEmpty }))
    }

    public func streams(method: String, path: String) -> Bool {
        routes.contains("\(method.uppercased()) \(path)")
    }
}

extension String {
    /// `post /v1/x` → `POST /v1/x`.
    fileprivate var uppercasedMethod: String {
        guard let space = firstIndex(of: " ") else { return self }
        return self[..<space].uppercased() + self[space...]
    }
}
