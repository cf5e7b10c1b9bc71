import Foundation
import Testing

@testable import GatewayCore

@Suite struct RandomIDTests {
    static let alphabet = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    @Test func idsHaveTheirPrefixLengthAndAlphabet() {
        for (id, prefix, length) in [
            (RandomID.requestID(), "req_", 24), (RandomID.chatCompletionID(), "chatcmpl-", 29),
            (RandomID.completionID(), "cmpl-", 29),
        ] {
            #expect(id.hasPrefix(prefix))
            #expect(id.count == prefix.count + length)
            #expect(id.dropFirst(prefix.count).allSatisfy(Self.alphabet.contains), "\(id)")
        }
        for count in [0, 1, 7, 8, 64, 300] {
            #expect(RandomID.base62(count).count == count)
        }
    }

    /// Request ids sort in time order (to the millisecond), which keeps the request log's index append-only.
    @Test func requestIDsSortByTime() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var previous = ""
        for step in [0, 1, 61, 3_844, 238_328, 86_400_000, 31_536_000_000] {
            let id = RandomID.requestID(now: start.addingTimeInterval(Double(step) / 1000))
            #expect(id > previous, "\(id) after \(previous)")
            previous = id
        }
        // The prefix is the time in base62; the rest is random.
        // Whole milliseconds, rounded down (mid-millisecond instants, so binary fractions cannot tip the floor).
        func prefix(seconds: Double) -> Substring {
            RandomID.requestID(now: Date(timeIntervalSince1970: seconds)).dropFirst(4).prefix(8)
        }
        #expect(prefix(seconds: 0.0005) == "00000000")
        #expect(prefix(seconds: 0.0615) == "0000000z")
        #expect(prefix(seconds: 0.0625) == "00000010")
        let now = Date()
        let a = RandomID.requestID(now: now)
        let b = RandomID.requestID(now: now)
        #expect(a.prefix(12) == b.prefix(12))
        #expect(a != b)
    }

    @Test func idsAreUniqueAndEverySymbolIsEquallyLikely() {
        var seen = Set<String>()
        var counts: [Character: Int] = [:]
        for _ in 0..<10_000 {
            let id = RandomID.base62(31)
            seen.insert(id)
            for symbol in id { counts[symbol, default: 0] += 1 }
        }
        #expect(seen.count == 10_000)
        #expect(Set(counts.keys) == Self.alphabet)
        // 310,000 draws over 62 symbols: 5,000 expected each. Chi-square with 61 degrees of freedom exceeds 120
        // with probability below 1e-5; a skewed draw (62 and 63 folded onto two symbols) gives about 2,500.
        let expected = 310_000.0 / 62
        let chiSquare = counts.values.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chiSquare < 120, "chi-square \(chiSquare)")
    }
}

@Suite struct EnvironmentNameTests {
    @Test func uppercasesAndReplacesNonAlphanumerics() {
        #expect(EnvironmentName.normalize("account-2") == "ACCOUNT_2")
        #expect(EnvironmentName.normalize("my.gemini_Pro 9") == "MY_GEMINI_PRO_9")
        #expect(EnvironmentName.normalize("") == "")
        #expect(EnvironmentName.normalize("straße") == "STRASSE")
        #expect(EnvironmentName.normalize("café-1") == "CAF__1")
    }

    @Test func asciiMatchesTheScalarRule() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = String(
                decoding: (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                    UInt8.random(in: 0x20...0x7E, using: &generator)
                }, as: UTF8.self)
            let expected = String(
                text.uppercased().unicodeScalars.map { scalar -> Character in
                    (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar)
                        ? Character(scalar) : "_"
                })
            #expect(EnvironmentName.normalize(text) == expected, "\(text)")
        }
    }
}
