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
        String(unsafeUninitializedCapacity: count) { out in
            fillBase62(out[...])
            return count
        }
    }

    /// Fills `out` with base62 characters drawn uniformly: each random byte gives 6 bits, and 62 and 63 are
    /// rejected. One draw from the pooled source per 64 bytes (per call, in practice).
    static func fillBase62(_ out: Slice<UnsafeMutableBufferPointer<UInt8>>) {
        var filled = out.startIndex
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { random in
            while filled < out.endIndex {
                let missing = out.endIndex - filled
                let chunk = UnsafeMutableBufferPointer(rebasing: random[..<min(64, missing + missing / 8 + 8)])
                SecureRandom.fill(UnsafeMutableRawBufferPointer(chunk))
                for byte in chunk where filled < out.endIndex {
                    let sixBits = Int(byte & 63)
                    if sixBits < 62 {
                        out.base[filled] = alphabet[sixBits]
                        filled += 1
                    }
                }
            }
            random.initialize(repeating: 0)
        }
    }

    /// A request id: `req_` and 24 base62 characters: 8 of the time in milliseconds, then 16 random (95 bits).
    ///
    /// Ids of later requests sort after earlier ones (to the millisecond), which users reading logs expect and
    /// which keeps the request log's index on them append-only: with random ids every logged request rewrote
    /// another page of that index.
    public static func requestID(now: Date = Date()) -> String {
        let milliseconds = Int((now.timeIntervalSince1970 * 1000).rounded(.down))
        return String(unsafeUninitializedCapacity: 28) { out in
            for (index, byte) in "req_".utf8.enumerated() { out[index] = byte }
            writeTime(milliseconds, into: out[4..<12])
            fillBase62(out[12..<28])
            return 28
        }
    }

    /// `milliseconds` in base62 digits filling `out`, most significant first (8 digits last until the year 8888).
    static func writeTime(_ milliseconds: Int, into out: Slice<UnsafeMutableBufferPointer<UInt8>>) {
        var value = max(0, milliseconds)
        for position in out.indices.reversed() {
            out.base[position] = alphabet[value % 62]
            value /= 62
        }
    }

    /// An OpenAI-style chat completion id.
    public static func chatCompletionID() -> String { "chatcmpl-" + base62(29) }

    /// An OpenAI-style legacy completion id.
    public static func completionID() -> String { "cmpl-" + base62(29) }
}
