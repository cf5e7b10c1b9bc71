import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The EC2 instance profile's credentials from the instance metadata service (IMDSv2).
///
/// `PUT /latest/api/token` (header `x-aws-ec2-metadata-token-ttl-seconds: 21600`) gives a session token; with it
/// (`x-aws-ec2-metadata-token`), `GET /latest/meta-data/iam/security-credentials/` names the role and
/// `GET /latest/meta-data/iam/security-credentials/<role>` answers `AccessKeyId`, `SecretAccessKey`, `Token` and
/// `Expiration`. The chain refreshes them 5 minutes before they expire.
///
/// - Endpoint: `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://[fd00:ec2::254]` when
///   `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6`, else `http://169.254.169.254`.
/// - `AWS_EC2_METADATA_DISABLED=true` turns this source off.
/// - Each request must complete within `AWS_METADATA_SERVICE_TIMEOUT` seconds (default 1), so that a machine
///   without the service (a laptop) fails fast; a service that does not answer counts as not configured.
/// - A token request answered 404 or 405 (IMDSv1 only, or a proxy) falls back to IMDSv1 calls without a token,
///   unless `AWS_EC2_METADATA_V1_DISABLED=true`.
public struct InstanceMetadataCredentialProvider: AWSCredentialProvider {
    static let source = "instance-metadata"
    public static let defaultEndpoint = "http://169.254.169.254"
    public static let defaultIPv6Endpoint = "http://[fd00:ec2::254]"
    static let tokenPath = "/latest/api/token"
    static let credentialsPath = "/latest/meta-data/iam/security-credentials/"
    static let tokenTTLSeconds = 21_600

    let environment: [String: String]
    let httpClient: HTTPClient

    public init(environment: [String: String], httpClient: HTTPClient) {
        self.environment = environment
        self.httpClient = httpClient
    }

    /// The service's base URL (no trailing slash); `.notConfigured` when `AWS_EC2_METADATA_DISABLED` is true.
    public func endpoint() throws(AWSCredentialError) -> String {
        if value("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" {
            throw AWSCredentialError(.notConfigured, source: Self.source, message: "AWS_EC2_METADATA_DISABLED is true")
        }
        var endpoint =
            value("AWS_EC2_METADATA_SERVICE_ENDPOINT")
            ?? (value("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")?.lowercased() == "ipv6"
                ? Self.defaultIPv6Endpoint : Self.defaultEndpoint)
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        return endpoint
    }

    /// Seconds each request may take: `AWS_METADATA_SERVICE_TIMEOUT`, default 1.
    public var timeoutSeconds: Double {
        value("AWS_METADATA_SERVICE_TIMEOUT").flatMap(Double.init).flatMap { $0 > 0 ? $0 : nil } ?? 1
    }

    public func credentials() async throws -> AWSCredentials {
        let base = try endpoint()
        let token = try await sessionToken(base)
        let roles = try await get(base + Self.credentialsPath, token: token, what: "the role list")
        guard roles.status != 404 else {
            throw AWSCredentialError(
                .notConfigured, source: Self.source,
                message: "\(base) has no IAM role for this instance (no instance profile attached)")
        }
        guard roles.status == 200 else { throw failure(base, "the role list", status: roles.status) }
        let text = String(decoding: roles.body, as: UTF8.self)
        let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { String($0).trimmingSpaces }
        guard let role = lines.first(where: { !$0.isEmpty })
        else {
            throw AWSCredentialError(
                .notConfigured, source: Self.source, message: "\(base) lists no IAM role for this instance")
        }
        let answer = try await get(
            base + Self.credentialsPath + AWSURIEncoding.encode(role), token: token, what: "the role's credentials")
        guard answer.status == 200 else {
            throw failure(base, "the credentials of role \(role)", status: answer.status)
        }
        return try ContainerCredentialProvider.parse(answer.body, source: Self.source)
    }

    /// An IMDSv2 session token; nil for IMDSv1 (a 404 or 405 answer, when v1 is allowed).
    func sessionToken(_ base: String) async throws -> String? {
        var request = HTTPClientRequest(url: base + Self.tokenPath)
        request.method = .PUT
        request.headers.add(name: "x-aws-ec2-metadata-token-ttl-seconds", value: String(Self.tokenTTLSeconds))
        let answer: (status: Int, body: [UInt8])
        do {
            answer = try await execute(request)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw AWSCredentialError(
                .notConfigured, source: Self.source,
                message: "no instance metadata service answered at \(base) within \(timeoutSeconds) s")
        }
        switch answer.status {
        case 200:
            let token = String(decoding: answer.body, as: UTF8.self).trimmingSpaces
            guard !token.isEmpty, !token.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
                throw AWSCredentialError(
                    .invalidResponse, source: Self.source, message: "\(base) answered an unusable session token")
            }
            return token
        case 404, 405:
            guard value("AWS_EC2_METADATA_V1_DISABLED")?.lowercased() == "true" else { return nil }
            throw failure(base, "the session token request", status: answer.status)
        default:
            throw failure(base, "the session token request", status: answer.status)
        }
    }

    func get(_ url: String, token: String?, what: String) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        if let token { request.headers.add(name: "x-aws-ec2-metadata-token", value: token) }
        do {
            return try await execute(request)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw AWSCredentialError(
                .unavailable, source: Self.source, message: "\(what) could not be fetched: \(type(of: error))")
        }
    }

    func execute(_ request: HTTPClientRequest) async throws -> (status: Int, body: [UInt8]) {
        let response = try await httpClient.execute(
            request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
        let body = try await response.body.collect(upTo: 64 * 1024)
        return (Int(response.status.code), Array(body.readableBytesView))
    }

    func failure(_ base: String, _ what: String, status: Int) -> AWSCredentialError {
        let hint =
            switch status {
            case 401: " (the session token was refused)"
            case 403: " (the instance metadata service is disabled or forbids this request)"
            default: ""
            }
        return AWSCredentialError(
            .unavailable, source: Self.source, message: "\(base) answered HTTP \(status) to \(what)\(hint)")
    }

    private func value(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }
}
