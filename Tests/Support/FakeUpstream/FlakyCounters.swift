import Synchronization

/// Per-model request counters for `flaky-N` models (reset with `DELETE /_fake/requests`).
final class FlakyCounters: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// Counts this request and returns true if it must fail (it is among the first `failures` ones).
    func shouldFail(model: String, failures: Int) -> Bool {
        counts.withLock { counts in
            let seen = counts[model, default: 0]
            counts[model] = seen + 1
            return seen < failures
        }
    }

    func reset() {
        counts.withLock { $0.removeAll() }
    }
}
