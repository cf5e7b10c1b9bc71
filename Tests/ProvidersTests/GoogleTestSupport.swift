import Foundation
import GatewayCore
import Synchronization
import TestSupport

/// Files in this target's `Fixtures/google-jwt` folder.
enum GoogleFixtures {
    static let root: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("google-jwt")

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(name))
    }

    static func object(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: data(name)) as! [String: Any]
    }
}

/// A fake token endpoint: records each request, optionally waits for `release()`, answers from a script.
final class FakeTokenEndpoint: Sendable {
    struct Request: Sendable {
        var url: String
        var body: [UInt8]
        var headers: [(name: String, value: String)]
    }

    struct State {
        var requests: [Request] = []
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var completed = 0
    }

    let state = Mutex(State())
    let answer: @Sendable (Int) throws -> (status: Int, body: [UInt8])

    init(holding: Bool = false, answer: @escaping @Sendable (Int) throws -> (status: Int, body: [UInt8])) {
        self.answer = answer
        state.withLock { $0.held = holding }
    }

    /// An answer with `access_token` = `token<call>` valid for `expiresIn` seconds.
    convenience init(holding: Bool = false, expiresIn: Int = 3600) {
        self.init(holding: holding) { call in
            (200, Array(#"{"access_token":"token\#(call)","expires_in":\#(expiresIn),"token_type":"Bearer"}"#.utf8))
        }
    }

    var requests: [Request] { state.withLock { $0.requests } }
    var completed: Int { state.withLock { $0.completed } }

    func hold() { state.withLock { $0.held = true } }

    func release() {
        let waiters = state.withLock { state in
            state.held = false
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var exchange:
        @Sendable (String, [UInt8], [(name: String, value: String)]) async throws -> (status: Int, body: [UInt8])
    {
        { url, body, headers in
            let call = self.state.withLock { state in
                state.requests.append(Request(url: url, body: body, headers: headers))
                return state.requests.count
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let wait = self.state.withLock { state -> Bool in
                    guard state.held else { return false }
                    state.waiters.append(continuation)
                    return true
                }
                if !wait { continuation.resume() }
            }
            defer { self.state.withLock { $0.completed += 1 } }
            return try self.answer(call)
        }
    }
}
