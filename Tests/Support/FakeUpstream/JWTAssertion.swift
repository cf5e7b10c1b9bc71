import Foundation
import _CryptoExtras

/// A compact RS256 JWT (`header.claims.signature`, base64url without padding) as sent to a token endpoint.
struct JWTAssertion {
    struct Header: Decodable {
        var alg: String
    }

    struct Claims: Decodable {
        var iss: String?
        var aud: String?
        var scope: String?
        var iat: Double?
        var exp: Double?
    }

    let header: Header
    let claims: Claims
    private let signingInput: Data
    private let signature: Data

    /// Nil when the text is not three base64url parts with JSON header and claims.
    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.base64URLDecode(parts[0]),
            let claimsData = Self.base64URLDecode(parts[1]), let signature = Self.base64URLDecode(parts[2]),
            let header = try? JSONDecoder().decode(Header.self, from: headerData),
            let claims = try? JSONDecoder().decode(Claims.self, from: claimsData)
        else { return nil }
        self.header = header
        self.claims = claims
        self.signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        self.signature = signature
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `header.claims`.
    func hasValidSignature(for key: _RSA.Signing.PublicKey) -> Bool {
        header.alg == "RS256"
            && key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: signingInput,
                padding: .insecurePKCS1v1_5)
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
