import AsyncHTTPClient
import Logging

/// How a client finds its service from the standard environment of the AWS SDKs: `AWS_ENDPOINT_URL_<SERVICE>`
/// (e.g. `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_SECRETS_MANAGER`), then `AWS_ENDPOINT_URL`, then the service's
/// regional endpoint.
public struct AWSServiceEndpoint: Sendable, Hashable {
    /// The SigV4 signing name and host prefix (`sqs`, `dynamodb`, `secretsmanager`, `s3vectors`).
    public var signingName: String
    /// The service id's environment form (`SQS`, `DYNAMODB`, `SECRETS_MANAGER`, `S3VECTORS`).
    public var environmentName: String
    /// The regional endpoint's domain (`amazonaws.com`; `api.aws` for S3 Vectors).
    public var suffix: String

    public init(signingName: String, environmentName: String, suffix: String = "amazonaws.com") {
        self.signingName = signingName
        self.environmentName = environmentName
        self.suffix = suffix
    }

    public static let sqs = AWSServiceEndpoint(signingName: "sqs", environmentName: "SQS")
    public static let dynamoDB = AWSServiceEndpoint(signingName: "dynamodb", environmentName: "DYNAMODB")
    public static let secretsManager = AWSServiceEndpoint(
        signingName: "secretsmanager", environmentName: "SECRETS_MANAGER")
    public static let s3Vectors = AWSServiceEndpoint(
        signingName: "s3vectors", environmentName: "S3VECTORS", suffix: "api.aws")
    /// STS (query protocol), where credential providers assume roles.
    public static let sts = AWSServiceEndpoint(signingName: "sts", environmentName: "STS")

    /// The endpoint to call in `region` given `environment`.
    public func resolve(region: AWSRegion, environment: [String: String]) -> AWSEndpoint {
        for variable in ["AWS_ENDPOINT_URL_\(environmentName)", "AWS_ENDPOINT_URL"] {
            if let url = environment[variable], !url.isEmpty { return AWSEndpoint(baseURL: url) }
        }
        return AWSEndpoint.regional(service: signingName, region: region, suffix: suffix)
    }
}

extension AWSJSONClient {
    /// A client of `service` in `region`, at the endpoint `service.resolve(region:environment:)` gives.
    public init(
        service: AWSServiceEndpoint, region: AWSRegion, environment: [String: String],
        credentials: any AWSCredentialProvider, httpClient: HTTPClient,
        logger: Logger = Logger(label: "switchboard.aws")
    ) {
        self.init(
            service: service.signingName, region: region,
            endpoint: service.resolve(region: region, environment: environment),
            credentials: credentials, httpClient: httpClient, logger: logger)
    }
}
