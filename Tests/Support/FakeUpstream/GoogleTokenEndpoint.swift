import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `POST /token`: Google's OAuth 2.0 token endpoint for the service-account JWT-bearer grant.
///
/// Verifies the assertion's RS256 signature with the `--google-service-account` key, that `iss` is the
/// account's email, `aud` the token URL (`http://<host>/token` as called, or the account's `token_uri`),
/// `exp` in the future at most an hour after `iat`, and `scope` present; then answers
/// `{"access_token":"ya29.fake-<n>","expires_in":<ttl>,"token_type":"Bearer"}`.
struct GoogleTokenEndpoint {
    static let path = "/token"
    static let jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    let state: ServerState

    func respond(to request: Request, body: ByteBuffer) -> Response {
        let tokens = state.googleTokens
        guard let account = tokens.account else {
            return Self.error(
                status: 500, "internal_failure",
                "the fake upstream was started without --google-service-account, so it cannot verify JWTs")
        }
        let form = FormURLEncoded.parse(String(decoding: body.readableBytesView, as: UTF8.self))
        guard form["grant_type"] == Self.jwtBearerGrant else {
            return Self.error(status: 400, "unsupported_grant_type", "Invalid grant_type: \(form["grant_type"] ?? "")")
        }
        guard let assertionText = form["assertion"], !assertionText.isEmpty else {
            return Self.error(status: 400, "invalid_request", "Missing required parameter: assertion")
        }
        guard let assertion = JWTAssertion(assertionText) else {
            return Self.error(status: 400, "invalid_grant", "Invalid JWT: malformed assertion")
        }
        guard assertion.hasValidSignature(for: account.publicKey) else {
            return Self.error(status: 400, "invalid_grant", "Invalid JWT Signature.")
        }
        let claims = assertion.claims
        guard claims.iss == account.clientEmail else {
            return Self.error(status: 400, "invalid_grant", "Invalid email or User ID")
        }
        let audiences = [account.tokenURI] + (request.head.authority.map { ["http://\($0)\(Self.path)"] } ?? [])
        guard let audience = claims.aud, audiences.contains(audience) else {
            return Self.error(
                status: 400, "invalid_grant",
                "Invalid JWT: Failed audience check. The expected audience is one of \(audiences).")
        }
        let now = Date().timeIntervalSince1970
        guard let expiry = claims.exp, expiry > now, expiry - (claims.iat ?? now) <= 3600 else {
            return Self.error(
                status: 400, "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                    + "Check your iat and exp values in the JWT claim.")
        }
        guard let scope = claims.scope, !scope.isEmpty else {
            return Self.error(status: 400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        }

        var json = JSONText(capacity: 96)
        json.raw("{\"access_token\":")
        json.string(tokens.issue())
        json.raw(",\"expires_in\":")
        json.int(tokens.ttlSeconds)
        json.raw(",\"token_type\":\"Bearer\"}")
        return Self.json(status: 200, json)
    }

    /// `{"error":…,"error_description":…}`.
    private static func error(status: Int, _ code: String, _ description: String) -> Response {
        var json = JSONText(capacity: 160)
        json.raw("{\"error\":")
        json.string(code)
        json.raw(",\"error_description\":")
        json.string(description)
        json.raw("}")
        return Self.json(status: status, json)
    }

    private static func json(status: Int, _ json: JSONText) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: json.byteBuffer))
    }
}
