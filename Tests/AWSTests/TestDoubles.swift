import Foundation
import GatewayAWS
import GatewayCore
import Synchronization
import TestSupport

/// Holds callers until opened.
final class Gate: Sendable {
    let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resume = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resume { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A provider that counts calls and answers from a closure, optionally after a gate opens.
final class ScriptedProvider: AWSCredentialProvider {
    let calls = Mutex(0)
    let gate: Gate?
    let answer: @Sendable (Int) throws -> AWSCredentials

    init(gate: Gate? = nil, answer: @escaping @Sendable (Int) throws -> AWSCredentials) {
        self.gate = gate
        self.answer = answer
    }

    var callCount: Int { calls.withLock { $0 } }

    func credentials() async throws -> AWSCredentials {
        let call = calls.withLock { count in
            count += 1
            return count
        }
        if let gate { await gate.wait() }
        return try answer(call)
    }
}

/// A fresh temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("aws-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
