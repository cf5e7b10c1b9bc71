import GatewayCore

extension PostgresStore {
    /// Every port of self-hosted mode over this database: keys, routes, quotas, the request log, stored responses,
    /// RAG jobs and, unless `vectors` names another store, pgvector. The queue is not PostgreSQL's to provide
    /// (Kafka in self-hosted mode), so it is passed in.
    public func ports(queue: any MessageQueue, vectors: (any VectorStore)? = nil) -> GatewayPorts {
        GatewayPorts(
            keys: PostgresAPIKeyStore(store: self), quotas: PostgresQuotaStore(store: self),
            routes: PostgresRouteStore(store: self), queue: queue, requestLog: PostgresRequestLog(store: self),
            responses: PostgresResponseStore(store: self), vectors: vectors ?? PostgresVectorStore(store: self),
            ragJobs: PostgresRAGJobStore(store: self))
    }
}
