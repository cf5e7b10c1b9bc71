import Foundation
import GatewayAWS
import TestSupport
import Testing

@Suite("AWS credential chain")
struct AWSCredentialChainTests {
    static func credentials(_ id: String, expiresAt: Date? = nil) -> AWSCredentials {
        AWSCredentials(
            accessKeyID: id, secretAccessKey: "secret-\(id)", sessionToken: "token-\(id)", expiration: expiresAt)
    }

    static let notConfigured = AWSCredentialError(.notConfigured, source: "scripted", message: "not here")

    @Test func environmentWinsOverFilesAndFilesOverLaterSources() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write(
            ".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n")
        let later = ScriptedProvider { _ in Self.credentials("LATER") }
        func chain(_ environment: [String: String]) -> AWSCredentialChain {
            AWSCredentialChain(providers: [
                EnvironmentCredentialProvider(environment: environment),
                SharedFilesCredentialProvider(environment: environment), later,
            ])
        }
        let both = ["HOME": directory.url.path, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "e"]
        #expect(try await chain(both).credentials().accessKeyID == "AKIDENV")
        #expect(try await chain(["HOME": directory.url.path]).credentials().accessKeyID == "AKIDFILE")
        #expect(try await chain(["HOME": "/nonexistent"]).credentials().accessKeyID == "LATER")
        #expect(later.callCount == 1)
    }

    @Test func aHalfConfiguredSourceStopsTheChain() async {
        let later = ScriptedProvider { _ in Self.credentials("LATER") }
        let chain = AWSCredentialChain(providers: [
            EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIDENV"]), later,
        ])
        await #expect(throws: AWSCredentialError.self) { try await chain.credentials() }
        #expect(later.callCount == 0)
    }

    @Test func nothingConfiguredNamesEverySource() async {
        let chain = AWSCredentialChain(providers: [
            EnvironmentCredentialProvider(environment: [:]), SharedFilesCredentialProvider(environment: [:]),
        ])
        do {
            _ = try await chain.credentials()
            Issue.record("expected an error")
        } catch let error as AWSCredentialError {
            #expect(error.kind == .notConfigured)
            #expect(error.message.contains("environment, shared-files"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func cachesUntilFiveMinutesBeforeExpiryThenRefreshes() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let provider = ScriptedProvider { call in
            Self.credentials("K\(call)", expiresAt: start.addingTimeInterval(Double(call) * 3600))
        }
        let chain = AWSCredentialChain(providers: [provider], clock: clock)
        #expect(try await chain.credentials().accessKeyID == "K1")
        clock.advance(by: 3600 - 301)
        #expect(try await chain.credentials().accessKeyID == "K1")
        #expect(provider.callCount == 1)
        clock.advance(by: 2)
        #expect(try await chain.credentials().accessKeyID == "K2")
        #expect(try await chain.credentials().accessKeyID == "K2")
        #expect(provider.callCount == 2)
    }

    @Test func longTermKeysAreCachedForever() async throws {
        let clock = ManualClock()
        let provider = ScriptedProvider { call in Self.credentials("K\(call)") }
        let chain = AWSCredentialChain(providers: [provider], clock: clock)
        _ = try await chain.credentials()
        clock.advance(by: 365 * 86_400)
        #expect(try await chain.credentials().accessKeyID == "K1")
        #expect(provider.callCount == 1)
        await chain.invalidate()
        #expect(try await chain.credentials().accessKeyID == "K2")
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let gate = Gate()
        let provider = ScriptedProvider(gate: gate) { call in Self.credentials("K\(call)") }
        let chain = AWSCredentialChain(providers: [provider], clock: ManualClock())
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await chain.credentials().accessKeyID } }
            while provider.callCount == 0 { await Task.yield() }
            try await Task.sleep(for: .milliseconds(50))
            gate.open()
            for try await id in group { #expect(id == "K1") }
        }
        #expect(provider.callCount == 1)
    }

    @Test func aFailedRefreshFallsBackToUnexpiredCredentialsOnly() async throws {
        let clock = ManualClock()
        let start = clock.now()
        let provider = ScriptedProvider { call in
            guard call == 1 else { throw AWSCredentialError(.unavailable, source: "scripted", message: "down") }
            return Self.credentials("K1", expiresAt: start.addingTimeInterval(3600))
        }
        let chain = AWSCredentialChain(providers: [provider], clock: clock)
        _ = try await chain.credentials()
        clock.advance(by: 3400)
        #expect(try await chain.credentials().accessKeyID == "K1")
        #expect(provider.callCount == 2)
        clock.advance(by: 200)
        await #expect(throws: AWSCredentialError.self) { try await chain.credentials() }
    }

    @Test func notConfiguredProvidersAreSkipped() async throws {
        let first = ScriptedProvider { _ in throw Self.notConfigured }
        let second = ScriptedProvider { _ in Self.credentials("SECOND") }
        let chain = AWSCredentialChain(providers: [first, second])
        #expect(try await chain.credentials().accessKeyID == "SECOND")
        #expect(first.callCount == 1 && second.callCount == 1)
    }
}
