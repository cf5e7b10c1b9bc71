/// Whether a request's work may run on the event loop now: the same count of requests in flight, and the same limit
/// (`server.loop_requests`), for the fast path's requests as for the server's (`LoopAffineExecutor`). Under load the
/// work of many requests is better spread over Swift's pool (one thread per core) than done on one loop.
public protocol LoopWorkGate: Sendable {
    /// Whether one more request's work would run on the loop now; counts nothing.
    var admitsMore: Bool { get }
    /// Counts one more request in flight; true when its work may run on the loop. Either way `leave` ends it.
    func enter() -> Bool
    /// Ends a request counted by `enter`.
    func leave()
}
