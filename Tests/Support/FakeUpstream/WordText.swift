/// Word-based "tokenisation": the fake counts whitespace-separated words as tokens.
enum WordText {
    static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: \.isWhitespace)
    }

    static func count(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                inWord = false
            } else if !inWord {
                inWord = true
                count += 1
            }
        }
        return count
    }
}

/// The text the fake replies with, after applying a token limit.
struct ReplyText {
    /// The full reply content (truncated when limited).
    let content: String
    /// Per-word stream pieces: each word plus a trailing space, except the last.
    let pieces: [String]
    /// Completion tokens (words) of `content`.
    let tokens: Int
    /// "length" when truncated by the token limit, otherwise "stop".
    let finishReason: String

    init(_ text: String, limit: Int?) {
        let words = WordText.words(text)
        if let limit, limit >= 0, limit < words.count {
            let kept = words.prefix(limit)
            content = kept.joined(separator: " ")
            tokens = limit
            finishReason = "length"
            pieces = ReplyText.pieces(Array(kept))
        } else {
            content = text
            tokens = words.count
            finishReason = "stop"
            pieces = ReplyText.pieces(words)
        }
    }

    private static func pieces(_ words: [Substring]) -> [String] {
        words.enumerated().map { index, word in
            index == words.count - 1 ? String(word) : word + " "
        }
    }
}
