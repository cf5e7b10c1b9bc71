import NIOHTTP1

/// One event to handle, as `GET /runtime/invocation/next` delivered it.
public struct LambdaInvocation: Sendable, Equatable {
    public var requestID: String
    /// The function's deadline, in milliseconds since the Unix epoch (`Int64.max` when Lambda sent none).
    public var deadlineMilliseconds: Int64
    public var invokedFunctionARN: String
    /// The X-Ray tracing header (`Lambda-Runtime-Trace-Id`): what `_X_AMZN_TRACE_ID` holds during the invocation.
    public var traceID: String?
    /// JSON of the client context (AWS Mobile SDK invocations), as sent.
    public var clientContext: String?
    /// JSON of the Cognito identity (AWS Mobile SDK invocations), as sent.
    public var cognitoIdentity: String?
    /// The event document.
    public var body: [UInt8]

    public init(
        requestID: String, deadlineMilliseconds: Int64, invokedFunctionARN: String, traceID: String? = nil,
        clientContext: String? = nil, cognitoIdentity: String? = nil, body: [UInt8]
    ) {
        self.requestID = requestID
        self.deadlineMilliseconds = deadlineMilliseconds
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.body = body
    }

    /// Reads the headers of a `next` answer.
    public init(headers: HTTPHeaders, body: [UInt8]) throws(LambdaRuntimeError) {
        typealias Header = LambdaRuntimeAPI.Header
        guard let requestID = headers.first(name: Header.requestID), !requestID.isEmpty else {
            throw .missingRequestID
        }
        self.init(
            requestID: requestID,
            deadlineMilliseconds: headers.first(name: Header.deadline).flatMap { Int64($0) } ?? .max,
            invokedFunctionARN: headers.first(name: Header.functionARN) ?? "",
            traceID: headers.first(name: Header.traceID),
            clientContext: headers.first(name: Header.clientContext),
            cognitoIdentity: headers.first(name: Header.cognitoIdentity), body: body)
    }

    /// Milliseconds left before the deadline at `nowMilliseconds` (Unix epoch), never negative.
    public func remainingMilliseconds(nowMilliseconds: Int64) -> Int64 {
        deadlineMilliseconds == .max ? .max : max(0, deadlineMilliseconds - nowMilliseconds)
    }
}
