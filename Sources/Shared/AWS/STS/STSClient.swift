import AsyncHTTPClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// AWS STS (query protocol, version 2011-06-15): the calls credential providers make. `AssumeRoleWithWebIdentity`
/// goes unsigned (the token is the proof); `AssumeRole` and `GetCallerIdentity` are signed with the caller's
/// credentials. Failures are `AWSServiceError` (`AccessDenied`, `InvalidIdentityToken`, `ExpiredTokenException`, …)
/// or `AWSClientError`.
public struct STSClient: Sendable {
    public static let version = "2011-06-15"
    public let query: AWSQueryClient

    public init(query: AWSQueryClient) {
        self.query = query
    }

    /// A client in `region` at `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else `https://sts.<region>.amazonaws.com`
    /// (`AWSServiceEndpoint.sts`, the convention of every AWS client here).
    public init(
        region: AWSRegion, environment: [String: String], httpClient: HTTPClient, timeoutSeconds: Double = 10
    ) {
        self.init(
            query: AWSQueryClient(
                service: "sts", version: Self.version, region: region,
                endpoint: AWSServiceEndpoint.sts.resolve(region: region, environment: environment),
                httpClient: httpClient, timeoutSeconds: timeoutSeconds))
    }

    /// Temporary credentials of `roleARN` for the holder of an OIDC token (EKS service accounts, GitHub Actions).
    public func assumeRoleWithWebIdentity(
        roleARN: String, sessionName: String, webIdentityToken: String, durationSeconds: Int? = nil
    ) async throws -> AWSCredentials {
        var parameters = [
            (name: "RoleArn", value: roleARN), ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken),
        ]
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let root = try await query.call("AssumeRoleWithWebIdentity", parameters: parameters, credentials: nil)
        return try Self.credentials(in: root, result: "AssumeRoleWithWebIdentityResult")
    }

    /// Temporary credentials of `roleARN`, asked for with `credentials` (the source profile's).
    public func assumeRole(
        roleARN: String, sessionName: String, externalID: String? = nil, durationSeconds: Int? = nil,
        credentials: AWSCredentials
    ) async throws -> AWSCredentials {
        var parameters = [(name: "RoleArn", value: roleARN), ("RoleSessionName", sessionName)]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        let root = try await query.call("AssumeRole", parameters: parameters, credentials: credentials)
        return try Self.credentials(in: root, result: "AssumeRoleResult")
    }

    /// The ARN `credentials` belong to (`arn:aws:sts::123456789012:assumed-role/name/session`).
    public func callerIdentity(credentials: AWSCredentials) async throws -> String {
        let root = try await query.call("GetCallerIdentity", parameters: [], credentials: credentials)
        guard let arn = root.descendant(["GetCallerIdentityResult", "Arn"])?.text, !arn.isEmpty else {
            throw AWSClientError(.invalidResponse, message: "the GetCallerIdentity answer has no Arn")
        }
        return arn
    }

    /// The `<Credentials>` of a successful answer (`<XResponse><XResult><Credentials>`): `AccessKeyId`,
    /// `SecretAccessKey`, `SessionToken` and `Expiration` (ISO 8601), all required.
    public static func credentials(in root: AWSXMLElement, result: String) throws(AWSClientError) -> AWSCredentials {
        guard let credentials = root.descendant([result, "Credentials"]) else {
            throw AWSClientError(.invalidResponse, message: "the answer has no \(result)/Credentials")
        }
        var missing: [String] = []
        func field(_ name: String) -> String {
            let value = credentials.child(name)?.text ?? ""
            if value.isEmpty { missing.append(name) }
            return value
        }
        let keyID = field("AccessKeyId")
        let secret = field("SecretAccessKey")
        let token = field("SessionToken")
        let expirationText = field("Expiration")
        guard missing.isEmpty else {
            throw AWSClientError(
                .invalidResponse, message: "the answer's Credentials lack \(missing.joined(separator: ", "))")
        }
        guard let expiration = AWSTimestamp.parseISO8601(expirationText) else {
            throw AWSClientError(.invalidResponse, message: "the answer's Expiration is not ISO 8601")
        }
        return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    /// A role session name for a provider that was given none: `switchboard-<unix milliseconds>` (as the SDKs
    /// generate `botocore-session-…`).
    public static func defaultSessionName(at date: Date = Date()) -> String {
        "switchboard-\(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))"
    }
}
