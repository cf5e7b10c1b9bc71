import Foundation
import _CryptoExtras

/// The test service account (`--google-service-account`): its email, token URI and the public half of its
/// RSA key, which verifies the RS256 JWT assertions sent to the fake token endpoint.
struct GoogleServiceAccount: Sendable {
    let clientEmail: String
    let tokenURI: String
    let publicKey: _RSA.Signing.PublicKey

    private struct File: Decodable {
        var client_email: String
        var private_key: String
        var token_uri: String?
    }

    struct LoadError: Error, CustomStringConvertible {
        let description: String
    }

    init(contentsOf path: String) throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw LoadError(description: "cannot read service account \(path): \(error)")
        }
        clientEmail = file.client_email
        tokenURI = file.token_uri ?? "https://oauth2.googleapis.com/token"
        publicKey = try _RSA.Signing.PrivateKey(pemRepresentation: file.private_key).publicKey
    }
}
