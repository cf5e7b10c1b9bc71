import AsyncHTTPClient
import Foundation
import GatewayAWS

/// The SigV4-checking moto of the AWS tests (`scripts/moto start`): its URL and the IAM user's access key, from
/// `SWITCHBOARD_TEST_AWS_URL`, `…_ACCESS_KEY_ID` and `…_SECRET_ACCESS_KEY` (as `AWSTestService` of the backends'
/// tests). Suites that need it are enabled only when they are set.
enum MotoTestServer {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static var url: String? {
        environment["SWITCHBOARD_TEST_AWS_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var isConfigured: Bool { url != nil }

    static let region = AWSRegion("us-east-1")

    /// The IAM user's long-term key (allowed everything).
    static var userCredentials: AWSCredentials {
        AWSCredentials(
            accessKeyID: environment["SWITCHBOARD_TEST_AWS_ACCESS_KEY_ID"] ?? "missing",
            secretAccessKey: environment["SWITCHBOARD_TEST_AWS_SECRET_ACCESS_KEY"] ?? "missing")
    }

    /// Creates a role anyone may assume, allowed everything; returns its ARN.
    static func createRole(_ name: String, httpClient: HTTPClient) async throws -> String {
        let iam = AWSQueryClient(
            service: "iam", version: "2010-05-08", region: region, endpoint: AWSEndpoint(baseURL: url ?? ""),
            httpClient: httpClient)
        let trust = #"""
            {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},\#
            "Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}]}
            """#
        let allowAll = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        let created = try await iam.call(
            "CreateRole", parameters: [("RoleName", name), ("AssumeRolePolicyDocument", trust)],
            credentials: userCredentials)
        _ = try await iam.call(
            "PutRolePolicy",
            parameters: [("RoleName", name), ("PolicyName", "allow-all"), ("PolicyDocument", allowAll)],
            credentials: userCredentials)
        guard let arn = created.first(named: "Arn")?.text else { throw MissingARN() }
        return arn
    }

    struct MissingARN: Error {}

    /// A Secrets Manager client on moto signing with `credentials`.
    static func secretsManager(_ credentials: any AWSCredentialProvider, httpClient: HTTPClient) -> SecretsManagerClient
    {
        SecretsManagerClient(
            json: AWSJSONClient(
                service: .secretsManager, region: region, environment: ["AWS_ENDPOINT_URL": url ?? ""],
                credentials: credentials, httpClient: httpClient))
    }

    /// Proves that `credentials` sign requests moto accepts: a Secrets Manager write and read, and the caller's
    /// ARN from STS `GetCallerIdentity` (returned).
    static func proveSigning(_ credentials: AWSCredentials, httpClient: HTTPClient) async throws -> String {
        let secrets = secretsManager(StaticCredentialProvider(credentials), httpClient: httpClient)
        let name = "creds-\(UUID().uuidString.prefix(8).lowercased())"
        try await secrets.createSecret(name: name, "value-\(name)")
        guard try await secrets.getSecretString(id: name) == "value-\(name)" else { throw Mismatch() }
        let sts = STSClient(region: region, environment: ["AWS_ENDPOINT_URL": url ?? ""], httpClient: httpClient)
        return try await sts.callerIdentity(credentials: credentials)
    }

    struct Mismatch: Error {}

    /// A unique name for this run's resources.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}
