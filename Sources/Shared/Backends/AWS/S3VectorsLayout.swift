import Crypto
import GatewayAWS
import GatewayCore
import GatewaySchema

/// How `S3VectorsStore` lays namespaces, documents and chunks out in one vector bucket.
///
/// - One index per namespace, named `sb-` + the first 32 hex digits of SHA-256(`<tenant length>:<tenant><index>`):
///   a valid S3 Vectors index name (3–63 lowercase letters, digits, `-`, `.`) whatever the tenant id contains,
///   and distinct for every (tenant, index) pair (mapping characters instead could make two names collide; the
///   length prefix keeps any tenant id, even one containing a separator, from shifting bytes into the index).
/// - One vector per chunk, keyed `<documentKey>#<chunkIndex>`.
/// - Chunk metadata: the document's metadata plus the reserved keys `_doc` (document key), `_chunk` (chunk
///   index), `_text` (chunk text, non-filterable) and, on chunk 0, `_count` (the document's chunk count, so
///   a re-ingest or delete knows which keys to remove without listing the index).
enum S3VectorsLayout {
    static let documentKey = "_doc"
    static let chunkKey = "_chunk"
    static let textKey = "_text"
    static let countKey = "_count"
    /// Keys S3 Vectors must not index for filtering (the text is large and never filtered on).
    static let nonFilterableKeys = [textKey]

    static func indexName(_ namespace: VectorNamespace) -> String {
        let tenant = Array(namespace.tenant.utf8)
        let digest = SHA256.hash(data: Array("\(tenant.count):".utf8) + tenant + Array(namespace.index.utf8))
        return "sb-"
            + digest.prefix(16).map { byte in
                let hex = String(byte, radix: 16)
                return hex.count == 1 ? "0" + hex : hex
            }.joined()
    }

    static func vectorKey(_ document: String, _ chunk: Int) -> String { "\(document)#\(chunk)" }

    /// A user metadata key that would clash with the reserved ones.
    static func isReserved(_ key: String) -> Bool { key.hasPrefix("_") }

    static func metadata(of chunk: VectorChunk, document: String, count: Int?) -> JSONObject {
        var metadata = chunk.metadata
        metadata[documentKey] = .string(document)
        metadata[chunkKey] = .number(JSONNumber(chunk.chunkIndex))
        metadata[textKey] = .string(chunk.text)
        if let count { metadata[countKey] = .number(JSONNumber(count)) }
        return metadata
    }

    /// The chunk count recorded on a document's chunk 0 (1 when a foreign writer left none).
    static func count(in metadata: JSONObject?) -> Int {
        metadata?[countKey]?.doubleValue.map { Int($0) } ?? 1
    }

    /// A query result as a match: the reserved keys read and removed from the metadata.
    static func match(_ result: S3VectorMatch) -> VectorMatch? {
        var metadata = result.metadata ?? [:]
        guard let document = metadata[documentKey]?.stringValue,
            let chunk = metadata[chunkKey]?.doubleValue.map({ Int($0) })
        else { return nil }
        let text = metadata[textKey]?.stringValue ?? ""
        for key in metadata.keys where isReserved(key) { metadata[key] = nil }
        return VectorMatch(
            documentKey: document, chunkIndex: chunk, text: text, metadata: metadata, distance: result.distance ?? 0)
    }
}
