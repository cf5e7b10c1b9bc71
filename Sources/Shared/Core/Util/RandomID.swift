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

    /// A request id: `req_` and 24 base62 characters.
    public static func requestID() -> String { "req_" + base62(24) }

    /// An OpenAI-style chat completion id.
    public static func chatCompletionID() -> String { "chatcmpl-" + base62(29) }

    /// An OpenAI-style legacy completion id.
    public static func completionID() -> String { "cmpl-" + base62(29) }
}
