import Synchronization

/// Credentials that arrive after start-up (provider keys read from a secret store), under the environment
/// variable names the `CredentialResolver` knows (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY_<KEY_ID>`, …). The
/// resolver consults it before its environment; whoever fetches the secrets replaces its values.
public final class CredentialOverlay: Sendable {
    let values: Mutex<[String: String]>

    public init(_ values: [String: String] = [:]) {
        self.values = Mutex(values)
    }

    public subscript(name: String) -> String? {
        values.withLock { $0[name] }
    }

    /// Sets (or, with nil, removes) one value.
    public func set(_ name: String, _ value: String?) {
        values.withLock { $0[name] = value }
    }

    /// The names present (never the values).
    public var names: [String] {
        values.withLock { $0.keys.sorted() }
    }
}
