/// Handles one invocation, answering through `responder`.
public protocol LambdaHandler: Sendable {
    func handle(_ invocation: LambdaInvocation, responder: LambdaResponder) async throws
}

/// A `LambdaHandler` made of a closure.
public struct LambdaClosureHandler: LambdaHandler {
    let body: @Sendable (LambdaInvocation, LambdaResponder) async throws -> Void

    public init(_ body: @escaping @Sendable (LambdaInvocation, LambdaResponder) async throws -> Void) {
        self.body = body
    }

    public func handle(_ invocation: LambdaInvocation, responder: LambdaResponder) async throws {
        try await body(invocation, responder)
    }
}
