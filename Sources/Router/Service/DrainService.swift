import GatewayProviders
import Logging
import ServiceLifecycle

/// Placed last in the service group, so it is the first to hear of a graceful shutdown: it gives streams in
/// flight `timeout` to finish while the HTTP server drains, then ends those still running (each with an SSE
/// error event and its audit record).
public struct DrainService: Service {
    let drain: StreamDrain
    let timeout: Duration
    let logger: Logger

    public init(drain: StreamDrain, timeout: Duration, logger: Logger) {
        self.drain = drain
        self.timeout = timeout
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        let drain = self.drain
        drain.markShuttingDown()
        let timeout = self.timeout
        let logger = self.logger
        logger.info("draining", metadata: ["streams": "\(drain.activeCount)", "timeout": "\(timeout)"])
        // Unstructured on purpose: the timer must outlive this service, which returns at once so the group
        // can go on to stop the HTTP server (which waits for the streams).
        Task {
            try? await Task.sleep(for: timeout)
            let remaining = drain.activeCount
            if remaining > 0 {
                logger.warning("drain timeout: ending streams still in flight", metadata: ["streams": "\(remaining)"])
            }
            drain.cancelAll()
        }
    }
}
