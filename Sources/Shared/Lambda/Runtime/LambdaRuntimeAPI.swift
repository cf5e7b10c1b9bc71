import GatewayAWS
import NIOHTTP1

/// The Runtime API 2018-06-01 wire constants and request shapes (no I/O).
enum LambdaRuntimeAPI {
    static let version = "2018-06-01"
    static let nextPath = "/\(version)/runtime/invocation/next"
    static let initErrorPath = "/\(version)/runtime/init/error"

    static func responsePath(requestID: String) -> String {
        "/\(version)/runtime/invocation/\(AWSURIEncoding.encode(requestID))/response"
    }

    static func errorPath(requestID: String) -> String {
        "/\(version)/runtime/invocation/\(AWSURIEncoding.encode(requestID))/error"
    }

    enum Header {
        static let requestID = "Lambda-Runtime-Aws-Request-Id"
        static let deadline = "Lambda-Runtime-Deadline-Ms"
        static let functionARN = "Lambda-Runtime-Invoked-Function-Arn"
        static let traceID = "Lambda-Runtime-Trace-Id"
        static let clientContext = "Lambda-Runtime-Client-Context"
        static let cognitoIdentity = "Lambda-Runtime-Cognito-Identity"
        static let errorType = "Lambda-Runtime-Function-Error-Type"
        static let errorBody = "Lambda-Runtime-Function-Error-Body"
        static let responseMode = "Lambda-Runtime-Function-Response-Mode"
    }

    static let errorContentType = "application/vnd.aws.lambda.error+json"
    /// The `Lambda-Runtime-Function-Error-Type` of an error reported with `/error` or `/init/error`.
    static let unhandledErrorType = "Unhandled"

    /// The head of a streamed `/response` POST: chunked, announcing the error trailers.
    static func streamingHead(
        endpoint: LambdaRuntimeEndpoint, requestID: String, contentType: String
    )
        -> HTTPRequestHead
    {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: Header.responseMode, value: "streaming")
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Trailer", value: "\(Header.errorType), \(Header.errorBody)")
        return HTTPRequestHead(
            version: .http1_1, method: .POST, uri: responsePath(requestID: requestID), headers: headers)
    }

    /// The trailers that end a streamed response with an error.
    static func errorTrailers(_ error: LambdaFunctionError) -> HTTPHeaders {
        var trailers = HTTPHeaders()
        trailers.add(name: Header.errorType, value: error.errorType)
        trailers.add(name: Header.errorBody, value: error.trailerBody)
        return trailers
    }
}
