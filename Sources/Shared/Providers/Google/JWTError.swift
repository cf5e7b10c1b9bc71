/// Why a JWT could not be signed. The messages never contain key material.
public enum JWTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The PEM is not an RSA private key of at least 2048 bits (PKCS#1 or PKCS#8).
    case invalidPrivateKey
    /// The signing operation failed.
    case signingFailed

    public var description: String {
        switch self {
        case .invalidPrivateKey: return "the private key is not a valid RSA key of at least 2048 bits in PEM form"
        case .signingFailed: return "RS256 signing failed"
        }
    }
}
