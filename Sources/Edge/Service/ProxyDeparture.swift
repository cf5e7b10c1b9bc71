import Synchronization

/// Whether the edge abandons a proxied request whose client left while the edge waits for the service's answer.
///
/// It does once the client left and the whole request went to the service: cancelling the call closes the
/// connection to the service, whose `ClientPresence` then sees the client leave, so the service audits its answer
/// as a client that left (499 `client_closed_request`, with the usage it cost), as embedded mode does, instead of as
/// the 200 no one received. Before the whole request was sent nothing is cancelled: the service might not have
/// it, and the event must come from exactly one process.
final class ProxyDeparture: Sendable {
    struct State {
        var clientLeft = false
        var requestSent = false
        var cancelled = false
    }

    let state = Mutex(State())
    let cancel: @Sendable () -> Void

    /// `cancel`: cancels the call to the service.
    init(cancel: @escaping @Sendable () -> Void) { self.cancel = cancel }

    func noteClientLeft() { note { $0.clientLeft = true } }

    func noteRequestSent() { note { $0.requestSent = true } }

    private func note(_ change: (inout State) -> Void) {
        let cancelNow = state.withLock { state -> Bool in
            change(&state)
            guard state.clientLeft, state.requestSent, !state.cancelled else { return false }
            state.cancelled = true
            return true
        }
        if cancelNow { cancel() }
    }
}
