/// Where the Lambda Runtime API listens: the `host:port` of `AWS_LAMBDA_RUNTIME_API`.
public struct LambdaRuntimeEndpoint: Sendable, Equatable {
    public static let environmentVariable = "AWS_LAMBDA_RUNTIME_API"

    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (`[v6]:port` for an IPv6 literal); nil for anything else.
    public init?(_ text: String) {
        let trimmed = text
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(trimmed[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil
        }
        guard !host.isEmpty, !host.contains(where: { $0 == "/" || $0 == "@" || $0 == " " }) else { return nil }
        self.init(host: host, port: port)
    }

    /// The value of a `Host` header for this endpoint.
    public var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `http://host:port`.
    public var baseURL: String { "http://" + hostHeader }
}
