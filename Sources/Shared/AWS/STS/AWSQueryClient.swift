import AsyncHTTPClient
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One AWS service spoken in the query protocol (STS, IAM): `POST /` with a form-encoded body
/// (`Action=…&Version=…&…`), signed with SigV4 or unsigned (`AssumeRoleWithWebIdentity`), and an XML answer.
/// Error answers become `AWSServiceError` (code and message from `<Error>`), transport failures `AWSClientError`;
/// throttling, 5xx and transport failures are retried as `retryPolicy` says. Errors never contain the request's
/// parameters or the answer's body.
public struct AWSQueryClient: Sendable {
    public let endpoint: AWSEndpoint
    public let signer: SigV4Signer
    /// The API version every request names (`2011-06-15` for STS, `2010-05-08` for IAM).
    public let version: String
    public let retryPolicy: AWSRetryPolicy
    let httpClient: HTTPClient
    let timeout: TimeAmount
    let random: @Sendable () -> Double

    public init(
        service: String, version: String, region: AWSRegion, endpoint: AWSEndpoint, httpClient: HTTPClient,
        retryPolicy: AWSRetryPolicy = AWSRetryPolicy(maxAttempts: 3), timeoutSeconds: Double = 10,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.endpoint = endpoint
        self.signer = SigV4Signer(region: region, service: service)
        self.version = version
        self.retryPolicy = retryPolicy
        self.httpClient = httpClient
        self.timeout = .milliseconds(Int64(timeoutSeconds * 1000))
        self.random = random
    }

    /// Codes worth another attempt besides the retry policy's (an identity provider that did not answer STS).
    static let retryableCodes: Set<String> = ["IDPCommunicationError"]

    /// Calls `action` with `parameters`, signed with `credentials` (unsigned when nil); the answer's root element.
    public func call(
        _ action: String, parameters: [(name: String, value: String)], credentials: AWSCredentials?
    ) async throws -> AWSXMLElement {
        let form = ([("Action", action), ("Version", version)] + parameters)
            .map { AWSURIEncoding.encode($0.0) + "=" + AWSURIEncoding.encode($0.1) }
            .joined(separator: "&")
        let body = Array(form.utf8)
        var attempt = 0
        while true {
            attempt += 1
            let failure: any Error
            do {
                return try await send(body: body, credentials: credentials)
            } catch let error as AWSServiceError {
                guard retryPolicy.isRetryable(error) || Self.retryableCodes.contains(error.code) else { throw error }
                failure = error
            } catch let error as AWSClientError where error.kind != .invalidResponse {
                failure = error
            }
            guard attempt < retryPolicy.maxAttempts else { throw failure }
            let delay = retryPolicy.delay(beforeRetry: attempt - 1, random: random())
            if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
        }
    }

    func send(body: [UInt8], credentials: AWSCredentials?) async throws -> AWSXMLElement {
        let wirePath = endpoint.pathPrefix.isEmpty ? "/" : endpoint.pathPrefix + "/"
        var headers: [(name: String, value: String)] = [
            ("host", endpoint.authority), ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
        ]
        if let credentials {
            headers +=
                signer.sign(
                    SigV4Request(method: "POST", path: wirePath, headers: headers, payload: .bytes(body)),
                    credentials: credentials, date: Date()
                ).headers
        }
        var request = HTTPClientRequest(url: endpoint.origin + wirePath)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: Int
        let requestID: String?
        let answer: [UInt8]
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = Int(response.status.code)
            requestID = response.headers.first(name: "x-amzn-requestid")
            answer = Array(buffer: try await response.body.collect(upTo: 1024 * 1024))
        } catch {
            throw AWSJSONClient.map(error)
        }
        guard (200..<300).contains(status) else { throw Self.decodeError(status: status, requestID: requestID, answer) }
        guard let root = AWSXMLElement.parse(answer) else {
            throw AWSClientError(.invalidResponse, message: "the service answered HTTP \(status) with invalid XML")
        }
        return root
    }

    /// An error answer (`<ErrorResponse><Error><Code>…</Code><Message>…</Message></Error></ErrorResponse>`, or
    /// any body): code and message when present, else `HTTP<status>`.
    public static func decodeError(status: Int, requestID: String? = nil, _ body: [UInt8]) -> AWSServiceError {
        let root = AWSXMLElement.parse(body)
        let error = root.flatMap { $0.name == "Error" ? $0 : $0.first(named: "Error") }
        let code = error?.child("Code")?.text ?? ""
        var message = error?.child("Message")?.text ?? ""
        if message.count > AWSServiceError.maxMessageLength {
            message = String(message.prefix(AWSServiceError.maxMessageLength)) + "…"
        }
        return AWSServiceError(
            status: status, code: code.isEmpty ? "HTTP\(status)" : code,
            message: message.isEmpty ? "the service answered HTTP \(status)" : message,
            requestID: requestID ?? root?.first(named: "RequestId")?.text)
    }
}
