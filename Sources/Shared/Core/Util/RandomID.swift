#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Random identifiers: request ids, completion ids, API keys.
public enum RandomID {
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `count` characters of base62 from the system's cryptographic random source.
    public static func base62(_ count: Int) -> String {
        // One read of the random source per call (a system call each; per 64 bits they were a percent of a
        // request's CPU). Each byte gives 6 bits; 62 and 63 are rejected, which keeps the draw uniform.
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        var random = [UInt8](repeating: 0, count: count + count / 8 + 8)
        while bytes.count < count {
            SecureRandom.fill(&random)
            for byte in random where bytes.count < count {
                let sixBits = Int(byte & 63)
                if sixBits < 62 { bytes.append(alphabet[sixBits]) }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A request id: `req_` and 24 base62 characters: 8 of the time in milliseconds, then 16 random (95 bits).
    ///
    /// Ids of later requests sort after earlier ones (to the millisecond), which users reading logs expect and
    /// which keeps the request log's index on them append-only: with random ids every logged request rewrote
    /// another page of that index.
    public static func requestID(now: Date = Date()) -> String {
        "req_" + timePrefix(milliseconds: Int((now.timeIntervalSince1970 * 1000).rounded(.down))) + base62(16)
    }

    /// `milliseconds` in 8 base62 digits, most significant first (they last until the year 8888).
    static func timePrefix(milliseconds: Int) -> String {
        var value = max(0, milliseconds)
        var digits = [UInt8](repeating: alphabet[0], count: 8)
        for position in (0..<8).reversed() {
            digits[position] = alphabet[value % 62]
            value /= 62
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// An OpenAI-style chat completion id.
    public static func chatCompletionID() -> String { "chatcmpl-" + base62(29) }

    /// An OpenAI-style legacy completion id.
    public static func completionID() -> String { "cmpl-" + base62(29) }
}
