/// Where an AWS client sends its requests: `scheme://authority` plus an optional path prefix, from a base URL
/// (tests, VPC endpoints, moto) or the service's regional endpoint.
public struct AWSEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `https://s3vectors.us-east-1.api.aws`: scheme and authority, no trailing slash.
    public var origin: String
    /// The `host` header SigV4 signs (`s3vectors.us-east-1.api.aws`, `127.0.0.1:4566`).
    public var authority: String
    /// Prepended to every operation path (empty, or `/prefix` without a trailing slash).
    public var pathPrefix: String

    /// Parses `http(s)://host[:port][/prefix]`; a missing scheme means https.
    public init(baseURL: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        var scheme = "https://"
        if let found = ["https://", "http://"].first(where: { base.hasPrefix($0) }) {
            scheme = found
            base.removeFirst(found.count)
        }
        let slash = base.firstIndex(of: "/") ?? base.endIndex
        authority = String(base[..<slash])
        pathPrefix = String(base[slash...])
        origin = scheme + authority
    }

    /// `https://<service>.<region>.<suffix>`, e.g. `regional(service: "s3vectors", region: r, suffix: "api.aws")`.
    public static func regional(service: String, region: AWSRegion, suffix: String = "amazonaws.com") -> AWSEndpoint {
        AWSEndpoint(baseURL: "https://\(service).\(region.name).\(suffix)")
    }

    /// The URL of an operation path (which starts with `/`).
    public func url(path: String) -> String { origin + pathPrefix + path }

    public var description: String { origin + pathPrefix }
}
