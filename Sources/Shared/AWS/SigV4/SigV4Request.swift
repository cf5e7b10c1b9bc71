/// The parts of an HTTP request SigV4 signs.
///
/// - `path` is the path **as it goes on the wire** (already percent-encoded; build it with `AWSPath`), without
///   the query. Raw bytes outside the unreserved set (a space, UTF-8) are tolerated and escaped in the canonical
///   form, as the AWS test suite expects.
/// - `query` holds **raw (decoded)** names and values; the signer encodes them. Send the query string produced by
///   `SigV4Request.encodedQuery` so the wire and the signature agree.
/// - `headers` are the headers that will be sent, at least `host`. Repeated names are allowed (their values are
///   joined with `,` in order). Any `authorization`, `x-amz-date` or `x-amz-security-token` given here is ignored
///   and replaced by the signer's.
public struct SigV4Request: Sendable {
    public var method: String
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    public var payload: SigV4Payload

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)], payload: SigV4Payload
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payload = payload
    }

    /// The query string for the wire (`a=1&b=x%2Fy`), in the given order, encoded exactly as it is signed.
    public var encodedQuery: String {
        query.map { AWSURIEncoding.encode($0.name) + "=" + AWSURIEncoding.encode($0.value) }.joined(separator: "&")
    }
}

/// What SigV4 hashes for the request body.
public enum SigV4Payload: Sendable, Equatable {
    /// The whole body; the signer hashes it.
    case bytes([UInt8])
    /// The body's SHA-256 as lowercase hex, computed by the caller.
    case sha256Hex(String)
    /// `UNSIGNED-PAYLOAD` (S3 over TLS, presigned URLs).
    case unsigned

    /// The empty body.
    public static let empty = SigV4Payload.bytes([])
}
