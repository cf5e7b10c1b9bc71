/// The seams between gateway logic and infrastructure, chosen once at start-up by the backend selection.
public struct GatewayPorts: Sendable {
    public var keys: any APIKeyStore
    public var quotas: any QuotaStore
    public var routes: any RouteStore
    public var queue: any MessageQueue
    public var requestLog: any RequestLog
    public var responses: any ResponseStore
    /// RAG: chunk vectors by tenant and index, and asynchronous ingestion jobs.
    public var vectors: any VectorStore
    public var ragJobs: any RAGJobStore

    public init(
        keys: any APIKeyStore, quotas: any QuotaStore, routes: any RouteStore, queue: any MessageQueue,
        requestLog: any RequestLog, responses: any ResponseStore, vectors: any VectorStore, ragJobs: any RAGJobStore
    ) {
        self.keys = keys
        self.quotas = quotas
        self.routes = routes
        self.queue = queue
        self.requestLog = requestLog
        self.responses = responses
        self.vectors = vectors
        self.ragJobs = ragJobs
    }
}
