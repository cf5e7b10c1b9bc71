import Foundation
import GatewayCore
import GatewaySchema
import Testing
import _CryptoExtras

@testable import GatewayProviders

@Suite("JWT RS256")
struct GoogleJWTTests {
    static func vector() throws -> [String: Any] { try GoogleFixtures.object("rfc7515-A2-rs256.json") }

    static func bytes(_ base64url: String) throws -> [UInt8] { try #require(Base64URL.decode(base64url)) }

    @Test func base64URLMatchesTheRFCEncodingOfTheExactBytes() throws {
        let vector = try Self.vector()
        #expect(
            Base64URL.encode(vector["protected_header_json"] as! String) == vector["protected_header_b64url"] as? String
        )
        #expect(Base64URL.encode(vector["payload_json_exact_bytes"] as! String) == vector["payload_b64url"] as? String)
        #expect(
            try Self.bytes(vector["payload_b64url"] as! String)
                == Array((vector["payload_json_exact_bytes"] as! String).utf8))
        for length in 0..<10 {
            let data = Array(UInt8(250)...UInt8(255)) + Array(repeating: 0x3F, count: length)
            #expect(Base64URL.decode(Base64URL.encode(data)) == data)
            #expect(
                Base64URL.encode(data)
                    == Data(data).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: ""))
        }
        #expect(Base64URL.decode("a+b/") == nil)
        #expect(Base64URL.decode("abcde") == nil)
    }

    /// RFC 7515 Appendix A.2: PKCS#1 v1.5 signatures are deterministic, so the signature matches byte for byte.
    @Test(arguments: ["same_key_as_pkcs8_pem", "same_key_as_pkcs1_pem"])
    func rfc7515A2SignatureFromPEM(_ keyField: String) throws {
        let vector = try Self.vector()
        let signer = try JWTSigner(rs256PrivateKeyPEM: vector[keyField] as! String)
        let signature = try signer.signature(for: (vector["signing_input"] as! String).utf8)
        #expect(signature == (try Self.bytes(vector["signature_b64url"] as! String)))
        #expect(signature.count == 256)
    }

    @Test func rfc7515A2SignatureFromTheJWK() throws {
        let vector = try Self.vector()
        let jwk = try #require(vector["jwk"] as? [String: String])
        let key = try _RSA.Signing.PrivateKey(
            n: try Self.bytes(jwk["n"]!), e: try Self.bytes(jwk["e"]!), d: try Self.bytes(jwk["d"]!),
            p: try Self.bytes(jwk["p"]!), q: try Self.bytes(jwk["q"]!))
        let signer = try JWTSigner(rs256PrivateKeyPEM: key.pemRepresentation)
        let jws = try signer.signature(for: (vector["signing_input"] as! String).utf8)
        #expect(Base64URL.encode(jws) == vector["signature_b64url"] as? String)
    }

    @Test func verifiesTheRFCCompactJWSAndRejectsTampering() throws {
        let vector = try Self.vector()
        let publicKey = try _RSA.Signing.PublicKey(pemRepresentation: vector["public_key_spki_pem"] as! String)
        let jws = vector["compact_jws"] as! String
        #expect(JWTSigner.verify(jws, publicKey: publicKey))
        #expect(!JWTSigner.verify(jws.replacingOccurrences(of: "eyJpc3Mi", with: "eyJpc3Ni"), publicKey: publicKey))
        #expect(!JWTSigner.verify("a.b", publicKey: publicKey))
    }

    @Test func signSerializesCompactJSONInMemberOrder() throws {
        let vector = try Self.vector()
        let signer = try JWTSigner(rs256PrivateKeyPEM: vector["same_key_as_pkcs8_pem"] as! String)
        let header: JSONValue = ["alg": "RS256", "typ": "JWT"]
        let claims: JSONValue = ["iss": "joe", "exp": 1_300_819_380, "url": "https://example.com/a"]
        let jwt = try signer.sign(header: header, claims: claims)
        let parts = jwt.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        #expect(try Self.bytes(parts[0]) == Array(#"{"alg":"RS256","typ":"JWT"}"#.utf8))
        #expect(
            try Self.bytes(parts[1]) == Array(#"{"iss":"joe","exp":1300819380,"url":"https://example.com/a"}"#.utf8))
        #expect(JWTSigner.verify(jwt, publicKey: signer.publicKey))
    }

    @Test func unusableKeysFailWithoutEchoingThem() {
        let shortKey =
            "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAsecretmaterial\n-----END PRIVATE KEY-----\n"
        for pem in ["not a key", shortKey] {
            #expect {
                _ = try JWTSigner(rs256PrivateKeyPEM: pem)
            } throws: { error in
                error as? JWTError == .invalidPrivateKey && !"\(error)".contains("secretmaterial")
            }
        }
    }
}
