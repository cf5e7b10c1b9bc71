import Logging
import ServiceLifecycle
import Synchronization

/// Where a test server reports the port it bound.
final class PortBox: Sendable {
    let port = Mutex<Int?>(nil)

    func set(_ port: Int?) { self.port.withLock { $0 = port } }
}

enum TestServices {
    /// Runs `services` in a service group until `body`, given the port reported to `port` (waited for up to 5 s),
    /// returns or throws; then shuts the group down gracefully and waits for it.
    static func run<T: Sendable>(
        _ services: [any Service], logger: Logger, port: PortBox, _ body: (Int) async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(services: services, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var bound: Int?
            for _ in 0..<500 {
                bound = port.port.withLock { $0 }
                if bound != nil { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let result: Result<T, any Error>
            if let bound {
                do {
                    result = .success(try await body(bound))
                } catch {
                    result = .failure(error)
                }
            } else {
                result = .failure(TestFailure("the server did not start"))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}
