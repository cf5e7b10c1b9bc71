import GatewayCore

/// Where the Lambda Runtime API listens: the `host:port` of `AWS_LAMBDA_RUNTIME_API`.
public struct LambdaRuntimeEndpoint: Sendable, Equatable {
    public static let environmentVariable = "AWS_LAMBDA_RUNTIME_API"

    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (`[v6]:port` for an IPv6 literal) as a listen address is parsed, but a host and a port
    /// are required; nil for anything else.
    public init?(_ text: String) {
        guard let address = GatewayConfig.Listen(text), address.port > 0, !text.hasPrefix(":"),
            !address.host.contains(":") || text.hasPrefix("["),
            !address.host.contains(where: { $0 == "/" || $0 == "@" || $0 == " " })
        else { return nil }
        self.init(host: address.host, port: address.port)
    }

    /// The value of a `Host` header for this endpoint.
    public var hostHeader: String { GatewayConfig.Listen(host: host, port: port).description }

    /// `http://host:port`.
    public var baseURL: String { "http://" + hostHeader }
}
