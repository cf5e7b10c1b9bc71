import Testing

@testable import GatewayLambda

@Suite struct ResponseStreamStateTests {
    @Test func writesOpenOnceThenSend() {
        var state = ResponseStreamState()
        #expect(state.write(byteCount: 0) == .none)
        #expect(state.phase == .idle)
        #expect(state.write(byteCount: 3) == .open)
        #expect(state.hasSentBytes)
        #expect(state.write(byteCount: 0) == .none)
        #expect(state.write(byteCount: 1) == .send)
        #expect(state.finish() == .end)
        #expect(state.write(byteCount: 1) == .reject)
        #expect(state.finish() == .reject)
        #expect(state.fail() == .reject)
    }

    @Test func failureBeforeAnyByteIsAnInvocationError() {
        var state = ResponseStreamState()
        #expect(state.fail() == .reportInvocationError)
        #expect(state.write(byteCount: 1) == .reject)
        #expect(state.finish() == .reject)
        #expect(state.fail() == .reject)
    }

    @Test func failureAfterBytesEndsWithTrailers() {
        var state = ResponseStreamState()
        _ = state.write(byteCount: 1)
        #expect(state.fail() == .endWithTrailers)
        #expect(state.phase == .failed)
    }

    @Test func finishWithoutBytesSendsAnEmptyStream() {
        var state = ResponseStreamState()
        #expect(state.finish() == .openAndEnd)
        #expect(state.fail() == .reject)
    }

    @Test func anOpenThatFailedLeavesNothingSent() {
        var state = ResponseStreamState()
        _ = state.write(byteCount: 1)
        state.openFailed()
        #expect(state.phase == .idle)
        #expect(state.fail() == .reportInvocationError)
    }

    @Test func aBrokenConnectionEndsTheStream() {
        var state = ResponseStreamState()
        _ = state.write(byteCount: 1)
        state.broken()
        #expect(state.write(byteCount: 1) == .reject)
        #expect(state.fail() == .reject)
        #expect(state.finish() == .reject)
    }
}
