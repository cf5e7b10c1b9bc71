import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// OAuth access tokens for a service account (JWT bearer grant, RFC 7523), cached and refreshed ahead of expiry.
///
/// - A cached token more than `refreshMargin` (5 minutes) from expiry is returned as is.
/// - Inside that window but not yet expired, the cached token is returned at once and one refresh starts in the
///   background.
/// - When expired or absent, callers wait for the single refresh in flight.
///
/// Every failure is a `ProviderError`: 400/401 → `.authentication`, 403 → `.permissionDenied`, 429 →
/// `.rateLimited`, 5xx → `.upstreamServerError`, a failed exchange call → `.connectError`. Messages never contain
/// the key, the assertion or a token.
public actor GoogleAccessTokenSource {
    /// Performs the token POST: `(url, form body, headers) → (status, response body)`. The provider passes the
    /// shared HTTP client (`GoogleAccessTokenSource.httpExchange`), tests a fake.
    public typealias Exchange =
        @Sendable (_ url: String, _ body: [UInt8], _ headers: [(name: String, value: String)]) async throws -> (
            status: Int, body: [UInt8]
        )

    public nonisolated let account: GoogleServiceAccount
    public nonisolated let scope: String
    let signer: JWTSigner
    let clock: any WallClock
    let refreshMargin: Double
    let exchange: Exchange
    private var cached: GoogleAccessToken?
    private var inFlight: Task<GoogleAccessToken, any Error>?

    /// Throws `.authentication` when the account's private key is not a usable RSA key.
    public init(
        account: GoogleServiceAccount, scope: String = GoogleServiceAccount.cloudPlatformScope,
        clock: any WallClock = SystemWallClock(), refreshMargin: Double = 300, exchange: @escaping Exchange
    ) throws(ProviderError) {
        do {
            self.signer = try JWTSigner(rs256PrivateKeyPEM: account.privateKey)
        } catch {
            throw ProviderError(
                .authentication, message: "the Google service account's private_key is unusable: \(error)")
        }
        self.account = account
        self.scope = scope
        self.clock = clock
        self.refreshMargin = refreshMargin
        self.exchange = exchange
    }

    /// The bearer token to send (`Authorization: Bearer …`).
    public func accessToken() async throws -> String {
        try await token().value
    }

    /// The current token with its expiry.
    public func token() async throws -> GoogleAccessToken {
        let now = clock.now().timeIntervalSince1970
        if let cached {
            let expiry = cached.expiresAt.timeIntervalSince1970
            if now < expiry - refreshMargin { return cached }
            if now < expiry {
                _ = startRefresh()
                return cached
            }
        }
        do {
            return try await startRefresh().value
        } catch let error as ProviderError {
            throw error
        } catch {
            throw ProviderError(.invalidResponse, message: "Google token refresh failed")
        }
    }

    /// Drops the cached token, for example after the API answered 401.
    public func invalidate() {
        cached = nil
    }

    /// The refresh in flight, or a new one. It stores its token in the cache itself, so a background refresh
    /// nobody waits for still lands.
    private func startRefresh() -> Task<GoogleAccessToken, any Error> {
        if let inFlight { return inFlight }
        let task = Task {
            defer { self.inFlight = nil }
            let token = try await self.fetch()
            self.cached = token
            return token
        }
        inFlight = task
        return task
    }

    /// One token exchange.
    nonisolated func fetch() async throws -> GoogleAccessToken {
        let issuedAt = clock.now()
        let assertion: String
        do {
            assertion = try account.jwtAssertion(
                signer: signer, issuedAt: Int(issuedAt.timeIntervalSince1970.rounded(.down)), scope: scope)
        } catch {
            throw ProviderError(.authentication, message: "could not sign the Google token request: \(error)")
        }
        let response: (status: Int, body: [UInt8])
        do {
            response = try await exchange(
                account.tokenURI, GoogleServiceAccount.tokenRequestBody(assertion: assertion),
                [("content-type", "application/x-www-form-urlencoded"), ("accept", "application/json")])
        } catch let error as ProviderError {
            throw error
        } catch is CancellationError {
            throw ProviderError(.cancelled, message: "the Google token request was cancelled")
        } catch {
            throw ProviderError(.connectError, message: "could not reach the Google token endpoint")
        }
        guard response.status == 200 else {
            throw GoogleTokenErrors.error(status: response.status, body: response.body)
        }
        guard let document = try? JSONParser.parse(response.body), let value = document["access_token"]?.stringValue,
            !value.isEmpty
        else {
            throw ProviderError(
                .invalidResponse, upstreamStatus: 200, message: "the Google token response has no access_token")
        }
        let lifetime = document["expires_in"]?.intValue ?? document["expires_in"]?.doubleValue.map { Int($0) } ?? 3600
        return GoogleAccessToken(value: value, expiresAt: issuedAt.addingTimeInterval(Double(lifetime)))
    }
}
