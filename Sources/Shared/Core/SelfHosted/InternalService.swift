/// The services behind the edge in self-hosted mode, and which one answers a path.
public enum InternalService: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Chat, completions, responses, embeddings, models.
    case router
    /// Images and audio.
    case media
    /// RAG ingestion and queries.
    case rag
    /// The billing report and the dashboard (and, off the request path, the audit consumer).
    case audit

    public var description: String { rawValue }

    /// The service that answers `path`, or nil for a path no service serves (the edge answers it, usually 404).
    public static func forPath(_ path: String) -> InternalService? {
        if path == "/dashboard" || path.hasPrefix("/dashboard/") { return .audit }
        guard path.hasPrefix("/v1/") else { return nil }
        let rest = path.dropFirst(4)
        let first = rest.prefix(while: { $0 != "/" })
        let isLeaf = first.count == rest.count
        switch first {
        case "chat": return rest == "chat/completions" ? .router : nil
        case "completions", "embeddings": return isLeaf ? .router : nil
        case "responses", "models": return .router
        case "images", "audio": return isLeaf ? nil : .media
        case "rag": return isLeaf ? nil : .rag
        case "billing": return isLeaf ? nil : .audit
        default: return nil
        }
    }

    /// The port each service listens on by default.
    public var defaultPort: Int {
        switch self {
        case .router: 8081
        case .media: 8082
        case .rag: 8083
        case .audit: 8084
        }
    }
}
