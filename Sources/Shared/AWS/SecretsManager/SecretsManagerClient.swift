import GatewaySchema

/// AWS Secrets Manager (awsJson 1.1, `X-Amz-Target: secretsmanager.<Operation>`, SigV4 service
/// `secretsmanager`): reading and writing string secrets. Failures are `AWSServiceError`
/// (`ResourceNotFoundException`, `ResourceExistsException`, …) or `AWSClientError`. Secret values never appear in
/// errors or logs.
public struct SecretsManagerClient: Sendable {
    public let json: AWSJSONClient

    /// A client over `json`, e.g. `AWSJSONClient(service: .secretsManager, region:environment:credentials:httpClient:)`.
    public init(json: AWSJSONClient) {
        self.json = json
    }

    func call(_ operation: String, _ body: JSONObject) async throws -> JSONValue {
        try await json.target("secretsmanager.\(operation)", body: .object(body), jsonVersion: "1.1")
    }

    /// The secret's string (`SecretString`) at `versionStage` (`AWSCURRENT` by default, `AWSPREVIOUS`, …); nil
    /// when the secret does not exist. A binary-only secret throws `AWSClientError.invalidResponse`.
    public func getSecretString(id: String, versionStage: String? = nil) async throws -> String? {
        var body: JSONObject = ["SecretId": .string(id)]
        if let versionStage { body["VersionStage"] = .string(versionStage) }
        do {
            guard let text = try await call("GetSecretValue", body)["SecretString"]?.stringValue else {
                throw AWSClientError(.invalidResponse, message: "the secret has no string value")
            }
            return text
        } catch let error as AWSServiceError where error.code == "ResourceNotFoundException" {
            return nil
        }
    }

    /// Stores a new current version of an existing secret.
    public func putSecretString(id: String, _ value: String) async throws {
        _ = try await call("PutSecretValue", ["SecretId": .string(id), "SecretString": .string(value)])
    }

    /// Creates a secret with a first value (`ResourceExistsException` when the name is taken).
    public func createSecret(name: String, _ value: String) async throws {
        _ = try await call("CreateSecret", ["Name": .string(name), "SecretString": .string(value)])
    }

    /// Writes the value: a new version of the secret, or the secret itself when it does not exist yet.
    public func upsertSecretString(id: String, _ value: String) async throws {
        do {
            try await putSecretString(id: id, value)
        } catch let error as AWSServiceError where error.code == "ResourceNotFoundException" {
            do {
                try await createSecret(name: id, value)
            } catch let error as AWSServiceError where error.code == "ResourceExistsException" {
                try await putSecretString(id: id, value)
            }
        }
    }
}
