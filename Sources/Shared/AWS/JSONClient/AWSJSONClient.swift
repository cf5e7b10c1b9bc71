import AsyncHTTPClient
import GatewaySchema
import Logging
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One AWS service spoken in JSON, for every client that needs one (S3 Vectors; SQS, DynamoDB and Secrets
/// Manager later): SigV4-signed POSTs, credentials from a provider (usually an `AWSCredentialChain`), retries
/// with full-jitter backoff (`AWSRetryPolicy`), and error answers decoded into `AWSServiceError`.
///
/// Two wire styles: `post(_:body:)` for rest-json services whose operations are paths (`POST /PutVectors`),
/// `target(_:body:)` for the awsJson protocols (`POST /` with `X-Amz-Target: DynamoDB_20120810.PutItem`).
/// Expired temporary credentials (`ExpiredToken…`) make the chain forget them and the call try again.
public struct AWSJSONClient: Sendable {
    public let endpoint: AWSEndpoint
    public let signer: SigV4Signer
    public let retryPolicy: AWSRetryPolicy
    let credentials: any AWSCredentialProvider
    let httpClient: HTTPClient
    let timeout: TimeAmount
    let maxResponseBytes: Int
    let logger: Logger
    let random: @Sendable () -> Double

    /// - Parameters:
    ///   - service: the SigV4 signing name (`s3vectors`, `sqs`, `dynamodb`, `secretsmanager`).
    ///   - timeoutSeconds: the deadline of one attempt, including reading the answer.
    ///   - random: the jitter source, `0..<1` (tests pass a fixed value).
    public init(
        service: String, region: AWSRegion, endpoint: AWSEndpoint, credentials: any AWSCredentialProvider,
        httpClient: HTTPClient, retryPolicy: AWSRetryPolicy = AWSRetryPolicy(), timeoutSeconds: Double = 30,
        maxResponseBytes: Int = 32 * 1024 * 1024, logger: Logger = Logger(label: "switchboard.aws"),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.endpoint = endpoint
        self.signer = SigV4Signer(region: region, service: service)
        self.retryPolicy = retryPolicy
        self.credentials = credentials
        self.httpClient = httpClient
        self.timeout = .milliseconds(Int64(timeoutSeconds * 1000))
        self.maxResponseBytes = maxResponseBytes
        self.logger = logger
        self.random = random
    }

    /// rest-json: `POST <prefix><path>` with a JSON body; the answer's JSON (`{}` for an empty body).
    public func post(_ path: String, body: JSONValue) async throws -> JSONValue {
        try await call(path: path, headers: [("content-type", "application/json")], body: body)
    }

    /// awsJson 1.0 / 1.1: `POST /` with `X-Amz-Target: <target>`.
    public func target(_ target: String, body: JSONValue, jsonVersion: String = "1.0") async throws -> JSONValue {
        try await call(
            path: "/", headers: [("content-type", "application/x-amz-json-\(jsonVersion)"), ("x-amz-target", target)],
            body: body)
    }

    /// Error codes that mean the temporary credentials ran out.
    static let expiredCredentialCodes: Set<String> = ["ExpiredToken", "ExpiredTokenException", "RequestExpired"]

    func call(path: String, headers: [(name: String, value: String)], body: JSONValue) async throws -> JSONValue {
        let bytes = body.serialized()
        let wirePath = endpoint.pathPrefix + path
        var attempt = 0
        while true {
            attempt += 1
            let failure: any Error
            do {
                let answer = try await send(wirePath: wirePath, headers: headers, body: bytes)
                if answer.isEmpty { return .object([:]) }
                guard let value = try? JSONParser.parse(answer) else {
                    throw AWSClientError(.invalidResponse, message: "the service answered with invalid JSON")
                }
                return value
            } catch let error as AWSServiceError {
                if Self.expiredCredentialCodes.contains(error.code), let chain = credentials as? AWSCredentialChain {
                    await chain.invalidate()
                } else if !retryPolicy.isRetryable(error) {
                    throw error
                }
                failure = error
            } catch let error as AWSClientError where error.kind != .invalidResponse {
                failure = error
            }
            guard attempt < retryPolicy.maxAttempts else { throw failure }
            let delay = retryPolicy.delay(beforeRetry: attempt - 1, random: random())
            logger.debug(
                "retrying AWS call",
                metadata: [
                    "path": "\(path)", "attempt": "\(attempt)", "error": "\(Self.summary(failure))",
                    "delay_ms": "\(Int(delay * 1000))",
                ])
            if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
        }
    }

    /// One signed attempt: the body of a 2xx answer, or the decoded error.
    func send(wirePath: String, headers: [(name: String, value: String)], body: [UInt8]) async throws -> [UInt8] {
        let unsigned: [(name: String, value: String)] = [("host", endpoint.authority)] + headers
        let signature = signer.sign(
            SigV4Request(method: "POST", path: wirePath, headers: unsigned, payload: .bytes(body)),
            credentials: try await credentials.credentials(), date: Date())
        var request = HTTPClientRequest(url: endpoint.origin + wirePath)
        request.method = .POST
        for (name, value) in unsigned + signature.headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: Int
        let responseHeaders: HTTPHeaders
        let answer: [UInt8]
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = Int(response.status.code)
            responseHeaders = response.headers
            answer = Array(buffer: try await response.body.collect(upTo: maxResponseBytes))
        } catch {
            throw Self.map(error)
        }
        guard (200..<300).contains(status) else {
            throw AWSServiceError.decode(
                status: status, errorTypeHeader: responseHeaders.first(name: "x-amzn-errortype"),
                requestID: responseHeaders.first(name: "x-amzn-requestid"), body: answer)
        }
        return answer
    }

    static func summary(_ error: any Error) -> String {
        switch error {
        case let error as AWSServiceError: "\(error.code) (HTTP \(error.status))"
        case let error as AWSClientError: error.kind.rawValue
        default: "\(type(of: error))"
        }
    }

    /// Transport failures as `AWSClientError` (cancellation stays `CancellationError`).
    static func map(_ error: any Error) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .cancelled: return CancellationError()
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return AWSClientError(.timeout, message: "the service did not answer in time")
            case .remoteConnectionClosed:
                return AWSClientError(.transport, message: "the service closed the connection")
            default:
                return AWSClientError(.transport, message: "could not reach the service")
            }
        }
        if error is NIOTooManyBytesError {
            return AWSClientError(.invalidResponse, message: "the answer exceeds the size limit")
        }
        return AWSClientError(.transport, message: "could not reach the service (\(type(of: error)))")
    }
}
