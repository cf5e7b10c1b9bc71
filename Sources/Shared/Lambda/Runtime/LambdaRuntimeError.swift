/// Why talking to the Runtime API failed.
public enum LambdaRuntimeError: Error, Sendable, Equatable {
    /// `AWS_LAMBDA_RUNTIME_API` is missing or not `host:port`.
    case invalidEndpoint(String)
    /// A `next` answer without `Lambda-Runtime-Aws-Request-Id`.
    case missingRequestID
    /// The Runtime API answered with an unexpected status (a 500 means the runtime should exit).
    case unexpectedStatus(Int, path: String)
    /// The Runtime API closed the connection of a streamed response before answering.
    case connectionClosed
    /// The invocation already has a response (or the stream was already finished or failed).
    case alreadyResponded
}
