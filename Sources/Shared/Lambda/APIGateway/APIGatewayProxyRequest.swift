import GatewayAWS
import GatewaySchema
import NIOHTTP1

/// An API Gateway REST API proxy event (payload format 1.0), with the parts the gateway needs already merged:
/// headers and query parameters from both their single- and multi-value forms, the body decoded.
public struct APIGatewayProxyRequest: Sendable, Equatable {
    public var httpMethod: String
    /// `path` as sent: excludes the stage, but includes a custom domain's base path.
    public var path: String
    /// The matched resource template, e.g. `/{proxy+}` or `/v1/{proxy+}`.
    public var resource: String?
    public var pathParameters: [String: String]
    /// Every header, case-insensitive, repeated values kept (`multiValueHeaders` first, then any name only in
    /// `headers`).
    public var headers: HTTPHeaders
    /// Every query parameter (decoded), repeated names kept, in document order.
    public var queryParameters: [QueryParameter]
    public var body: [UInt8]
    public var requestContext: APIGatewayRequestContext

    public init(
        httpMethod: String, path: String, resource: String? = nil, pathParameters: [String: String] = [:],
        headers: HTTPHeaders = HTTPHeaders(), queryParameters: [QueryParameter] = [], body: [UInt8] = [],
        requestContext: APIGatewayRequestContext
    ) {
        self.httpMethod = httpMethod
        self.path = path
        self.resource = resource
        self.pathParameters = pathParameters
        self.headers = headers
        self.queryParameters = queryParameters
        self.body = body
        self.requestContext = requestContext
    }

    public init(bytes: [UInt8]) throws(LambdaEventError) {
        try self.init(json: JSONReading.parse(bytes))
    }

    public init(json: JSONValue) throws(LambdaEventError) {
        var headers = HTTPHeaders()
        for (name, values) in JSONReading.stringListPairs(json["multiValueHeaders"]) {
            for value in values { headers.add(name: name, value: value) }
        }
        for (name, value) in JSONReading.stringPairs(json["headers"]) where !headers.contains(name: name) {
            headers.add(name: name, value: value)
        }
        var query: [QueryParameter] = []
        for (name, values) in JSONReading.stringListPairs(json["multiValueQueryStringParameters"]) {
            query += values.map { QueryParameter(name: name, value: $0) }
        }
        for (name, value) in JSONReading.stringPairs(json["queryStringParameters"])
        where !query.contains(where: { $0.name == name }) {
            query.append(QueryParameter(name: name, value: value))
        }
        var body: [UInt8] = []
        if let text = json["body"]?.stringValue {
            if json["isBase64Encoded"]?.boolValue == true {
                guard let decoded = Base64.decode(text) else { throw .invalidBase64Body }
                body = decoded
            } else {
                body = Array(text.utf8)
            }
        }
        self.init(
            httpMethod: try JSONReading.string(json, "httpMethod"), path: try JSONReading.string(json, "path"),
            resource: json["resource"]?.stringValue,
            pathParameters: Dictionary(
                JSONReading.stringPairs(json["pathParameters"]), uniquingKeysWith: { first, _ in first }),
            headers: headers, queryParameters: query, body: body,
            requestContext: try APIGatewayRequestContext(json: json["requestContext"] ?? .null))
    }

    /// The query string to hand to a router: `name=value` pairs, percent-encoded, joined with `&` (empty when none).
    public var queryString: String {
        queryParameters.map { AWSURIEncoding.encode($0.name) + "=" + AWSURIEncoding.encode($0.value) }
            .joined(separator: "&")
    }

    /// `routePath`, with `?queryString` when there are query parameters: the URI to hand to a router.
    public var routeURI: String {
        let query = queryString
        return query.isEmpty ? routePath : routePath + "?" + query
    }

    /// The path the gateway routes on, e.g. `/v1/chat/completions`, whatever the stage or custom domain base path:
    /// the resource template filled with the path parameters (so a base path mapping such as `v1` cannot double the
    /// prefix into `/v1/v1/…`), else `path` without a leading `/<stage>`.
    public var routePath: String {
        if let resource, let filled = Self.fill(resource, with: pathParameters) { return filled }
        let stagePrefix = "/" + requestContext.stage
        if !requestContext.stage.isEmpty, path == stagePrefix || path.hasPrefix(stagePrefix + "/") {
            let rest = String(path.dropFirst(stagePrefix.count))
            return rest.isEmpty ? "/" : rest
        }
        return path.isEmpty ? "/" : path
    }

    /// `/{proxy+}` with `proxy = "a/b"` → `/a/b`; nil when a parameter is missing. API Gateway hands over path
    /// parameters decoded, so each is percent-encoded again (a greedy `{name+}` keeps its `/` separators): a key
    /// such as `report?v2` or `a/b` in `/v1/rag/documents/{key}` stays one path segment.
    static func fill(_ template: String, with parameters: [String: String]) -> String? {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { return nil }
            out += rest[..<open]
            var name = rest[rest.index(after: open)..<close]
            let greedy = name.hasSuffix("+")
            if greedy { name = name.dropLast() }
            guard let value = parameters[String(name)] else { return nil }
            out += AWSURIEncoding.encode(value, keepSlash: greedy)
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out.hasPrefix("/") ? out : "/" + out
    }
}

/// One query parameter, decoded.
public struct QueryParameter: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
