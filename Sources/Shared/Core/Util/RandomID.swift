/// Random identifiers: request ids, completion ids, API keys.
public enum RandomID {
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `count` characters of base62 from the system's cryptographic random source.
    public static func base62(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        var pool: UInt64 = 0
        var left = 0
        while bytes.count < count {
            if left == 0 {
                pool = generator.next()
                left = 10  // 10 draws of 6 bits each
            }
            let sixBits = Int(pool & 63)
            pool >>= 6
            left -= 1
            if sixBits < 62 { bytes.append(alphabet[sixBits]) }  // rejection sampling keeps it uniform
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
