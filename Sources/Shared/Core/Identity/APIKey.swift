import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Gateway API keys: generated, hashed with SHA-256, never stored in clear.
public enum APIKey {
    /// Prefix of keys this gateway issues.
    public static let prefix = "sb_sk_"

    /// A new random key: `sb_sk_` and 40 base62 characters (about 238 bits).
    public static func generate() -> String { prefix + RandomID.base62(40) }

    /// Lowercase hex SHA-256 of the key, the only form ever stored.
    public static func hash(_ key: String) -> String {
        let digest = SHA256.hash(data: Array(key.utf8))
        return hexString(digest)
    }

    /// The public identifier of a key shown by `keys list` and used by `keys revoke`: the first 12 hex digits
    /// of its hash. Knowing it does not help to guess the key.
    public static func keyID(forHash hash: String) -> String { "key_" + hash.prefix(12) }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of bytes.
    public static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
