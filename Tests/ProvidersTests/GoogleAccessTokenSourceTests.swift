import Foundation
import GatewayCore
import GatewaySchema
import TestSupport
import Testing
import _CryptoExtras

@testable import GatewayProviders

@Suite("Google access-token source")
struct GoogleAccessTokenSourceTests {
    static func source(_ endpoint: FakeTokenEndpoint, clock: ManualClock) throws -> GoogleAccessTokenSource {
        let account = try GoogleServiceAccount(json: Array(try GoogleFixtures.data("test-service-account.json")))
        return try GoogleAccessTokenSource(account: account, clock: clock, exchange: endpoint.exchange)
    }

    @Test func cachesUntilTheRefreshWindow() async throws {
        let endpoint = FakeTokenEndpoint()
        let clock = ManualClock()
        let source = try Self.source(endpoint, clock: clock)
        #expect(try await source.accessToken() == "token1")
        clock.advance(by: 3600 - 301)
        #expect(try await source.accessToken() == "token1")
        let token = try await source.token()
        #expect(token.expiresAt == Date(timeIntervalSince1970: 1_700_003_600))
        #expect(endpoint.requests.count == 1)
    }

    @Test func insideTheWindowServesTheCachedTokenAndRefreshesInTheBackground() async throws {
        let endpoint = FakeTokenEndpoint()
        let clock = ManualClock()
        let source = try Self.source(endpoint, clock: clock)
        #expect(try await source.accessToken() == "token1")
        endpoint.hold()
        clock.advance(by: 3600 - 200)
        #expect(try await source.accessToken() == "token1", "returned while the refresh is held")
        #expect(try await source.accessToken() == "token1")
        #expect(await eventually(every: .milliseconds(5)) { endpoint.requests.count == 2 })
        #expect(endpoint.completed == 1, "the refresh is still in flight")
        endpoint.release()
        #expect(
            await eventually(every: .milliseconds(5)) {
                (try? await source.accessToken()) == "token2"
            })
        #expect(endpoint.requests.count == 2, "one background refresh only")
        let refreshed = try await source.token()
        #expect(refreshed.expiresAt == clock.now().addingTimeInterval(3600))
    }

    @Test func expiredTokenMakesCallersWait() async throws {
        let endpoint = FakeTokenEndpoint()
        let clock = ManualClock()
        let source = try Self.source(endpoint, clock: clock)
        _ = try await source.accessToken()
        clock.advance(by: 3600)
        #expect(try await source.accessToken() == "token2")
        #expect(endpoint.requests.count == 2)
    }

    @Test func fiftyConcurrentCallersShareOneExchange() async throws {
        let endpoint = FakeTokenEndpoint(holding: true)
        let source = try Self.source(endpoint, clock: ManualClock())
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 { group.addTask { try await source.accessToken() } }
            #expect(await eventually(every: .milliseconds(5)) { !endpoint.requests.isEmpty })
            try await Task.sleep(for: .milliseconds(50))
            endpoint.release()
            var tokens: [String] = []
            for try await token in group { tokens.append(token) }
            #expect(tokens == Array(repeating: "token1", count: 50))
        }
        #expect(endpoint.requests.count == 1)
    }

    @Test func theFormBodyCarriesAVerifiableAssertion() async throws {
        let endpoint = FakeTokenEndpoint()
        let clock = ManualClock(Date(timeIntervalSince1970: 1_700_000_000.75))
        let source = try Self.source(endpoint, clock: clock)
        _ = try await source.accessToken()
        let request = try #require(endpoint.requests.first)
        #expect(request.url == "https://oauth2.googleapis.com/token")
        #expect(
            request.headers.contains { $0.name == "content-type" && $0.value == "application/x-www-form-urlencoded" })
        let body = String(decoding: request.body, as: UTF8.self)
        let fields = Dictionary(
            uniqueKeysWithValues: body.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1)
                return (String(parts[0]), String(parts[1]).removingPercentEncoding!)
            })
        #expect(fields["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer")
        let assertion = try #require(fields["assertion"])
        let vector = try GoogleFixtures.object("rfc7515-A2-rs256.json")
        let publicKey = try _RSA.Signing.PublicKey(pemRepresentation: vector["public_key_spki_pem"] as! String)
        #expect(JWTSigner.verify(assertion, publicKey: publicKey))
        let parts = assertion.split(separator: ".")
        let header = try JSONParser.parse(try #require(Base64URL.decode(parts[0])))
        let claims = try JSONParser.parse(try #require(Base64URL.decode(parts[1])))
        #expect(header["alg"]?.stringValue == "RS256")
        #expect(header["kid"]?.stringValue == "0123456789abcdef0123456789abcdef01234567")
        #expect(claims["iss"]?.stringValue == "gateway@example-project.iam.gserviceaccount.com")
        #expect(claims["aud"]?.stringValue == "https://oauth2.googleapis.com/token")
        #expect(claims["scope"]?.stringValue == "https://www.googleapis.com/auth/cloud-platform")
        #expect(claims["iat"]?.intValue == 1_700_000_000)
        #expect(claims["exp"]?.intValue == 1_700_003_600)
    }

    static let errorCases: [(status: Int, body: String, kind: ProviderError.Kind)] = [
        (400, #"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#, .authentication),
        (401, #"{"error":"unauthorized_client"}"#, .authentication),
        (403, "{}", .permissionDenied),
        (429, "", .rateLimited),
        (500, "oops", .upstreamServerError),
        (503, "{}", .upstreamServerError),
        (200, #"{"token_type":"Bearer"}"#, .invalidResponse),
        (200, "not json", .invalidResponse),
    ]

    @Test(arguments: 0..<errorCases.count)
    func errorStatusesMapToProviderErrors(_ index: Int) async throws {
        let (status, body, kind) = Self.errorCases[index]
        let endpoint = FakeTokenEndpoint { _ in (status, Array(body.utf8)) }
        let source = try Self.source(endpoint, clock: ManualClock())
        do {
            _ = try await source.accessToken()
            Issue.record("expected \(kind)")
        } catch let error as ProviderError {
            #expect(error.kind == kind)
            #expect(error.upstreamStatus == status)
            if status == 400 { #expect(error.message.contains("invalid_grant")) }
            let assertion = String(decoding: try #require(endpoint.requests.first).body, as: UTF8.self)
            #expect(!error.description.contains(assertion.suffix(40)))
            #expect(!error.description.contains("Invalid JWT Signature"))
        }
    }

    @Test func failedExchangeCallIsAConnectErrorAndLaterCallsRetry() async throws {
        struct Refused: Error {}
        let endpoint = FakeTokenEndpoint { call in
            if call == 1 { throw Refused() }
            return (200, Array(#"{"access_token":"token\#(call)","expires_in":3599}"#.utf8))
        }
        let clock = ManualClock()
        let source = try Self.source(endpoint, clock: clock)
        await #expect {
            _ = try await source.accessToken()
        } throws: { error in
            (error as? ProviderError)?.kind == .connectError
        }
        #expect(try await source.accessToken() == "token2")
        #expect(try await source.token().expiresAt == clock.now().addingTimeInterval(3599))
    }

    @Test func tokenDescriptionIsRedactedAndABadKeyIsAnAuthenticationError() throws {
        let token = GoogleAccessToken(value: "ya29.secret-token", expiresAt: Date(timeIntervalSince1970: 5))
        #expect(!String(describing: token).contains("ya29"))
        #expect(!String(reflecting: token).contains("ya29"))
        let account = GoogleServiceAccount(
            clientEmail: "a@b", privateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END")
        #expect {
            _ = try GoogleAccessTokenSource(account: account, exchange: FakeTokenEndpoint().exchange)
        } throws: { error in
            (error as? ProviderError)?.kind == .authentication && !"\(error)".contains("AAAA")
        }
    }
}
