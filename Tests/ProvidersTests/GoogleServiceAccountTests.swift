import Foundation
import GatewayCore
import Testing

@testable import GatewayProviders

@Suite("Google service account and JWT bearer assertion")
struct GoogleServiceAccountTests {
    static func account() throws -> GoogleServiceAccount {
        try GoogleServiceAccount(json: Array(try GoogleFixtures.data("test-service-account.json")))
    }

    @Test func decodesTheKeyFile() throws {
        let account = try Self.account()
        #expect(account.clientEmail == "gateway@example-project.iam.gserviceaccount.com")
        #expect(account.privateKeyID == "0123456789abcdef0123456789abcdef01234567")
        #expect(account.tokenURI == "https://oauth2.googleapis.com/token")
        #expect(account.projectID == "example-project")
        #expect(account.privateKey.hasPrefix("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSj"))
    }

    /// google-service-account-jwt-bearer.json: header, claims, assertion and form body for iat = 1700000000.
    @Test func assertionMatchesTheVectorExactly() throws {
        let vector = try GoogleFixtures.object("google-service-account-jwt-bearer.json")
        let account = try Self.account()
        let signer = try JWTSigner(rs256PrivateKeyPEM: account.privateKey)
        let assertion = try account.jwtAssertion(signer: signer, issuedAt: 1_700_000_000)
        #expect(assertion == vector["assertion"] as? String)
        let parts = assertion.split(separator: ".")
        #expect(Base64URL.decode(parts[0]) == Array((vector["header_json"] as! String).utf8))
        #expect(Base64URL.decode(parts[1]) == Array((vector["claims_json"] as! String).utf8))
        #expect("\(parts[0]).\(parts[1])" == vector["signing_input"] as? String)
        let request = try #require(vector["token_request"] as? [String: String])
        #expect(GoogleServiceAccount.tokenRequestBody(assertion: assertion) == Array(request["body"]!.utf8))
    }

    @Test func accountFromTheVectorObjectEqualsTheFile() throws {
        let vector = try GoogleFixtures.object("google-service-account-jwt-bearer.json")
        let embedded = try JSONSerialization.data(withJSONObject: vector["service_account_json"]!)
        #expect(try GoogleServiceAccount(json: Array(embedded)) == (try Self.account()))
    }

    @Test func errorsAndDescriptionsNeverShowTheKey() throws {
        let account = try Self.account()
        let keyBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSj"
        for text in [String(describing: account), String(reflecting: account), dumped(account)] {
            #expect(!text.contains(keyBody))
            #expect(text.contains("gateway@example-project"))
        }
        let cases: [(String, String)] = [
            (#"{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----\n\#(keyBody)\n"}"#, "client_email"),
            (#"{"client_email":"a@b","private_key_id":"k"}"#, "private_key"),
            (#"{"client_email":"a@b","private_key":"\#(keyBody)"}"#, "PEM"),
            (#"{"type":"authorized_user","client_email":"a@b","private_key":"-----BEGIN \#(keyBody)"}"#, "type"),
            (#"{"client_email":"a@b","private_key":"-----BEGIN \#(keyBody)""#, "JSON"),
            (#"{"client_email":7,"private_key":"-----BEGIN \#(keyBody)"}"#, "client_email"),
        ]
        for (json, mention) in cases {
            #expect {
                _ = try GoogleServiceAccount(jsonString: json)
            } throws: { error in
                let text = "\(error)"
                return text.contains(mention) && !text.contains(keyBody)
            }
        }
        let defaulted = try GoogleServiceAccount(
            jsonString: #"{"client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----"}"#)
        #expect(defaulted.tokenURI == GoogleServiceAccount.defaultTokenURI)
        #expect(defaulted.privateKeyID == nil && defaulted.projectID == nil)
    }

    func dumped(_ value: Any) -> String {
        var text = ""
        dump(value, to: &text)
        return text
    }
}
