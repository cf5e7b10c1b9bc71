import Synchronization

/// State of the fake Google token endpoint: the service account, the lifetime of issued tokens and how many
/// were issued (reset with `DELETE /_fake/requests`, so the next token is `ya29.fake-1` again).
final class GoogleTokens: Sendable {
    let account: GoogleServiceAccount?
    let ttlSeconds: Int
    private let issued = Atomic<Int>(0)

    init(account: GoogleServiceAccount?, ttlSeconds: Int) {
        self.account = account
        self.ttlSeconds = ttlSeconds
    }

    /// Tokens issued since start or the last reset.
    var count: Int { issued.load(ordering: .relaxed) }

    /// Counts one exchange and returns the new token.
    func issue() -> String {
        "ya29.fake-\(issued.wrappingAdd(1, ordering: .relaxed).newValue)"
    }

    func reset() {
        issued.store(0, ordering: .relaxed)
    }
}
