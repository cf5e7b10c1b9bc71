/// Requests `S3VectorsStore` refuses before calling the service.
public enum S3VectorsStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// User metadata keys must not start with `_` (reserved for the store's own keys).
    case reservedMetadataKey(String)
    /// A document's chunks must be numbered 0, 1, …, n−1, each once, and share one dimension.
    case invalidChunks(String)

    public var description: String {
        switch self {
        case .reservedMetadataKey(let key): "metadata key \"\(key)\" is reserved (keys must not start with _)"
        case .invalidChunks(let reason): "invalid chunks: \(reason)"
        }
    }
}
