import Crypto
import GatewayCore
import GatewaySchema
import _CryptoExtras

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Compact JWS with RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3).
///
/// `description` never shows the key.
public struct JWTSigner: Sendable, CustomStringConvertible {
    public static let algorithm = "RS256"
    let key: _RSA.Signing.PrivateKey

    /// A PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`) PEM, at least 2048 bits.
    public init(rs256PrivateKeyPEM pem: String) throws(JWTError) {
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw .invalidPrivateKey
        }
    }

    /// The public half, to verify what this signer signs.
    public var publicKey: _RSA.Signing.PublicKey { key.publicKey }

    /// The raw RS256 signature of `signingInput` (the ASCII `header.payload`).
    public func signature(for signingInput: some Sequence<UInt8>) throws(JWTError) -> [UInt8] {
        do {
            return Array(try key.signature(for: Data(signingInput), padding: .insecurePKCS1v1_5).rawRepresentation)
        } catch {
            throw .signingFailed
        }
    }

    /// `base64url(header) + "." + base64url(claims)` from compact JSON; object members keep their order.
    public static func signingInput(header: JSONValue, claims: JSONValue) -> String {
        Base64URL.encode(header.serialized()) + "." + Base64URL.encode(claims.serialized())
    }

    /// The compact JWS `header.claims.signature`.
    public func sign(header: JSONValue, claims: JSONValue) throws(JWTError) -> String {
        let input = Self.signingInput(header: header, claims: claims)
        return input + "." + Base64URL.encode(try signature(for: input.utf8))
    }

    /// Whether `jwt` is a compact JWS carrying a valid RS256 signature by `publicKey`.
    public static func verify(_ jwt: String, publicKey: _RSA.Signing.PublicKey) -> Bool {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let signature = Base64URL.decode(parts[2]) else { return false }
        let input = Data("\(parts[0]).\(parts[1])".utf8)
        return publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5)
    }

    public var description: String { "JWTSigner(RS256, \(key.keySizeInBits) bits)" }
}
