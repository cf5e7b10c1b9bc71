import GatewayCore
import GatewayEdge
import GatewayProviders
import Metrics
import NIOCore
import Synchronization

/// What the event-loop fast path (`FastChatHandler`, one per connection) shares: the same edge, router and upstream
/// client the server's regular path uses, so that both give a request the same answer.
public final class FastChatPath: Sendable {
    let edge: EdgeMiddleware
    let router: RouterService
    let http: UpstreamHTTP
    let handoffs: EdgeHandoffs
    let gate: any LoopWorkGate
    let date = HTTPDate()
    let answers = Atomic<Int>(0)
    let handoffCount = Atomic<Int>(0)
    /// `/metrics`: `switchboard_fast_path_requests_total{result="answered"|"handed_off"}`.
    let answeredMetric = Counter(label: "switchboard_fast_path_requests_total", dimensions: [("result", "answered")])
    let handedOffMetric = Counter(
        label: "switchboard_fast_path_requests_total", dimensions: [("result", "handed_off")])

    /// Requests answered on the event loop so far (in this process; `/metrics` counts them too).
    public var answered: Int { answers.load(ordering: .relaxed) }
    /// Requests the fast path took and then handed to the regular path (a failed first attempt, no idle upstream
    /// connection on the loop) so far.
    public var handedOff: Int { handoffCount.load(ordering: .relaxed) }

    /// `edge` must be the embedded gateway's public edge, built with `handoffs`; `gate` decides, with the server's
    /// requests, when work may run on the loop.
    public init(
        edge: EdgeMiddleware, router: RouterService, http: UpstreamHTTP, handoffs: EdgeHandoffs,
        gate: any LoopWorkGate
    ) {
        self.edge = edge
        self.router = router
        self.http = http
        self.handoffs = handoffs
        self.gate = gate
    }

    /// Counts a request answered on the loop, or handed to the regular path.
    func count(answered: Bool) {
        if answered {
            answers.add(1, ordering: .relaxed)
            answeredMetric.increment()
        } else {
            handoffCount.add(1, ordering: .relaxed)
            handedOffMetric.increment()
        }
    }

    /// The handler for one new connection, placed after the HTTP codec, before the server's own handlers.
    public func handler() -> any RemovableChannelHandler { FastChatHandler(self) }
}
