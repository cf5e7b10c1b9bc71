/// The life of a streamed response (no I/O): nothing sent yet, bytes out, or done.
///
/// A failure before any byte is reported as an invocation error (`/error`); once bytes are out it can only end
/// the stream with the error trailers.
struct ResponseStreamState: Sendable, Equatable {
    enum Phase: Sendable, Equatable {
        case idle
        case streaming
        case finished
        case failed
    }

    enum WriteAction: Sendable, Equatable {
        /// Nothing to send (an empty buffer).
        case none
        /// Open the streamed POST, then send the bytes.
        case open
        case send
        case reject
    }

    enum FinishAction: Sendable, Equatable {
        /// Nothing was written: open the streamed POST and end it at once (an empty body).
        case openAndEnd
        case end
        case reject
    }

    enum FailAction: Sendable, Equatable {
        case reportInvocationError
        case endWithTrailers
        case reject
    }

    private(set) var phase: Phase = .idle

    var hasSentBytes: Bool { phase == .streaming }

    mutating func write(byteCount: Int) -> WriteAction {
        switch phase {
        case .idle:
            guard byteCount > 0 else { return .none }
            phase = .streaming
            return .open
        case .streaming:
            return byteCount > 0 ? .send : .none
        case .finished, .failed:
            return .reject
        }
    }

    mutating func finish() -> FinishAction {
        switch phase {
        case .idle:
            phase = .finished
            return .openAndEnd
        case .streaming:
            phase = .finished
            return .end
        case .finished, .failed:
            return .reject
        }
    }

    mutating func fail() -> FailAction {
        switch phase {
        case .idle:
            phase = .failed
            return .reportInvocationError
        case .streaming:
            phase = .failed
            return .endWithTrailers
        case .finished, .failed:
            return .reject
        }
    }

    /// The streamed POST could not be opened: nothing was sent, so a failure can still be an invocation error.
    mutating func openFailed() {
        if phase == .streaming { phase = .idle }
    }

    /// The connection broke: nothing more can be sent.
    mutating func broken() {
        phase = .failed
    }
}
