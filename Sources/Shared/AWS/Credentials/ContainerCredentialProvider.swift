import AsyncHTTPClient
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Credentials from the ECS / EKS Pod Identity container endpoint.
///
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is resolved against `http://169.254.170.2`; otherwise
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` is used when it is `https`, or `http` to a loopback address or one of the
/// container endpoints (169.254.170.2, 169.254.170.23, fd00:ec2::23). The `Authorization` header comes from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every fetch) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
/// The answer is JSON with `AccessKeyId`, `SecretAccessKey`, `Token` and `Expiration` (ISO 8601).
public struct ContainerCredentialProvider: AWSCredentialProvider {
    static let source = "container"
    public static let relativeBase = "http://169.254.170.2"
    static let allowedHTTPHosts: Set<String> = [
        "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "localhost", "[::1]",
    ]

    let environment: [String: String]
    let httpClient: HTTPClient
    let timeout: TimeAmount
    let readFile: @Sendable (String) -> String?

    public init(
        environment: [String: String], httpClient: HTTPClient, timeout: TimeAmount = .seconds(5),
        readFile: @escaping @Sendable (String) -> String? = SharedFilesCredentialProvider.readTextFile
    ) {
        self.environment = environment
        self.httpClient = httpClient
        self.timeout = timeout
        self.readFile = readFile
    }

    /// The endpoint in use; throws `.notConfigured` when neither variable is set and `.unsupported` for a full
    /// URI that is neither `https` nor a permitted `http` host.
    public func endpoint() throws(AWSCredentialError) -> String {
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            return Self.relativeBase + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
        guard let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
            throw AWSCredentialError(
                .notConfigured, source: Self.source,
                message: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")
        }
        let lowered = full.lowercased()
        if lowered.hasPrefix("https://") { return full }
        guard lowered.hasPrefix("http://"), let host = Self.host(ofHTTPURL: lowered),
            Self.allowedHTTPHosts.contains(host) || Self.isLoopbackIPv4(host)
        else {
            throw AWSCredentialError(
                .unsupported, source: Self.source,
                message: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or http to a loopback or container host")
        }
        return full
    }

    public func credentials() async throws -> AWSCredentials {
        let url = try endpoint()
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "accept", value: "application/json")
        if let token = try authorizationToken() { request.headers.add(name: "authorization", value: token) }
        let status: Int
        let body: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw AWSCredentialError(
                .unavailable, source: Self.source, message: "could not fetch \(url): \(type(of: error)) \(error)")
        }
        guard status == 200 else {
            throw AWSCredentialError(.unavailable, source: Self.source, message: "\(url) answered HTTP \(status)")
        }
        return try Self.parse(Array(body.readableBytesView))
    }

    /// Decodes the endpoint's JSON answer.
    public static func parse(_ body: [UInt8]) throws(AWSCredentialError) -> AWSCredentials {
        try parse(body, source: source)
    }

    /// Decodes the JSON the container endpoint and the instance metadata service answer with; a `Code` other
    /// than `Success` (instance metadata) is an error.
    static func parse(_ body: [UInt8], source: String) throws(AWSCredentialError) -> AWSCredentials {
        struct Answer: Decodable {
            var Code: String?
            var AccessKeyId: String?
            var SecretAccessKey: String?
            var Token: String?
            var Expiration: String?
        }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: Data(body))
        } catch {
            throw AWSCredentialError(.invalidResponse, source: source, message: "the answer is not the expected JSON")
        }
        if let code = answer.Code, code != "Success" {
            throw AWSCredentialError(
                .unavailable, source: source, message: "the answer's Code is \(code.prefix(64)), not Success")
        }
        return try AWSCredentials.fromDocument(
            accessKeyID: answer.AccessKeyId, secretAccessKey: answer.SecretAccessKey, sessionToken: answer.Token,
            expiration: answer.Expiration, source: source, what: "the answer")
    }

    func authorizationToken() throws(AWSCredentialError) -> String? {
        var token: String?
        if let path = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            guard let text = readFile(path) else {
                throw AWSCredentialError(
                    .incomplete, source: Self.source,
                    message: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (\(path)) cannot be read")
            }
            token = text.trimmingSpaces
        } else {
            token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN")
        }
        guard let token, !token.isEmpty else { return nil }
        guard !token.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            throw AWSCredentialError(
                .invalidResponse, source: Self.source, message: "the authorization token contains a line break")
        }
        return token
    }

    /// `host` (IPv6 with brackets) of a lowercased `http://` URL.
    static func host(ofHTTPURL url: String) -> String? {
        var rest = url.dropFirst("http://".count)
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            return String(rest[...close])
        }
        if let colon = rest.firstIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : String(rest)
    }

    /// `127.a.b.c` with numeric parts.
    static func isLoopbackIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { part in !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) }
    }

    private func value(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }
}
