import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The event loop of a Lambda function: initialise, then `next` → handler → answer, one invocation at a time,
/// until the task is cancelled. A handler's error is reported for its invocation and the loop goes on; an error
/// of the Runtime API itself ends the loop (Lambda then restarts the environment).
public struct LambdaRuntime: Sendable {
    /// The environment variable AWS SDKs read the X-Ray trace header from.
    public static let traceEnvironmentVariable = "_X_AMZN_TRACE_ID"

    public let client: LambdaRuntimeClient
    public let logger: Logger
    /// Whether `_X_AMZN_TRACE_ID` is set to each invocation's trace id while it runs (Lambda handles one
    /// invocation at a time per process, so this is what other runtimes do).
    public let setsTraceEnvironment: Bool

    public init(client: LambdaRuntimeClient, logger: Logger, setsTraceEnvironment: Bool = true) {
        self.client = client
        self.logger = logger
        self.setsTraceEnvironment = setsTraceEnvironment
    }

    /// Runs `initialize` (a failure is reported with `/init/error` and rethrown), then serves invocations with the
    /// handler it made until the task is cancelled.
    public func run<Handler: LambdaHandler>(initialize: @Sendable () async throws -> Handler) async throws {
        let handler: Handler
        do {
            handler = try await initialize()
        } catch {
            logger.error("Lambda initialisation failed", metadata: ["error_type": "\(type(of: error))"])
            try await client.initError(LambdaFunctionError(error))
            throw error
        }
        try await run(handler: handler)
    }

    /// Serves invocations with `handler` until the task is cancelled.
    public func run(handler: some LambdaHandler) async throws {
        while !Task.isCancelled {
            let invocation: LambdaInvocation
            do {
                invocation = try await client.next()
            } catch {
                if Task.isCancelled { return }
                throw error
            }
            try await serve(invocation, with: handler)
        }
    }

    /// Serves invocations with a closure until the task is cancelled.
    public func run(
        handler: @escaping @Sendable (LambdaInvocation, LambdaResponder) async throws -> Void
    ) async throws {
        try await run(handler: LambdaClosureHandler(handler))
    }

    /// Handles one invocation and makes sure it is answered.
    func serve(_ invocation: LambdaInvocation, with handler: some LambdaHandler) async throws {
        var logger = logger
        logger[metadataKey: "lambda_request_id"] = "\(invocation.requestID)"
        if setsTraceEnvironment { Self.setTraceEnvironment(invocation.traceID) }
        let responder = LambdaResponder(client: client, requestID: invocation.requestID)
        var failure: (any Error)?
        do {
            try await handler.handle(invocation, responder: responder)
        } catch {
            logger.warning("Lambda handler failed", metadata: ["error_type": "\(type(of: error))"])
            failure = error
        }
        do {
            try await responder.complete(error: failure)
        } catch let error as LambdaRuntimeError {
            // The Runtime API refused or dropped the answer; a 5xx means the environment is broken.
            logger.error("Lambda answer not accepted", metadata: ["error": "\(error)"])
            if case .unexpectedStatus(let status, _) = error, status >= 500 { throw error }
        } catch {
            if Task.isCancelled { return }
            logger.error("Lambda answer not delivered", metadata: ["error_type": "\(type(of: error))"])
            throw error
        }
    }

    static func setTraceEnvironment(_ traceID: String?) {
        if let traceID {
            setenv(traceEnvironmentVariable, traceID, 1)
        } else {
            unsetenv(traceEnvironmentVariable)
        }
    }
}
