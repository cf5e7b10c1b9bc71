/// Splits a document into chunks of at most `size` characters on paragraph, then sentence, then word
/// boundaries, with about `overlap` characters of the end of each chunk repeated at the start of the next (whole
/// sentences, so no chunk starts mid-sentence unless one sentence is longer than a chunk).
public struct TextChunker: Sendable, Equatable {
    public var size: Int
    public var overlap: Int

    public init(size: Int = 1000, overlap: Int = 150) {
        precondition(size > 0 && overlap >= 0 && overlap < size)
        self.size = size
        self.overlap = overlap
    }

    public func chunks(of text: String) -> [String] {
        var pieces: [Piece] = []
        for paragraph in Self.paragraphs(text) {
            for (index, sentence) in Self.sentences(paragraph).enumerated() {
                for (partIndex, part) in Self.split(sentence, limit: size).enumerated() {
                    pieces.append(Piece(text: part, startsParagraph: index == 0 && partIndex == 0))
                }
            }
        }
        var chunks: [String] = []
        var current: [Piece] = []
        var length = 0
        func joined(_ parts: [Piece]) -> String {
            var out = ""
            for (index, part) in parts.enumerated() {
                if index > 0 { out += part.startsParagraph ? "\n\n" : " " }
                out += part.text
            }
            return out
        }
        for piece in pieces {
            let added = (current.isEmpty ? 0 : 2) + piece.text.count
            if !current.isEmpty && length + added > size {
                chunks.append(joined(current))
                // Carry whole trailing pieces up to `overlap` characters, leaving room for the next piece.
                var carried: [Piece] = []
                var carriedLength = 0
                for previous in current.reversed() {
                    let next = carriedLength + previous.text.count + (carried.isEmpty ? 0 : 2)
                    if next > overlap || next + 2 + piece.text.count > size { break }
                    carried.insert(previous, at: 0)
                    carriedLength = next
                }
                current = carried
                length = carriedLength
            }
            length += (current.isEmpty ? 0 : 2) + piece.text.count
            current.append(piece)
        }
        if !current.isEmpty { chunks.append(joined(current)) }
        return chunks
    }

    struct Piece: Equatable {
        var text: String
        var startsParagraph: Bool
    }

    /// Paragraphs: separated by blank lines; whitespace inside collapsed to single spaces.
    static func paragraphs(_ text: String) -> [String] {
        var paragraphs: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { paragraphs.append(normalized(current.joined(separator: " "))) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { paragraphs.append(normalized(current.joined(separator: " "))) }
        return paragraphs.filter { !$0.isEmpty }
    }

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Sentences: end at `.`, `!`, `?` (or `。！？`) followed by a space, keeping the punctuation.
    static func sentences(_ paragraph: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        var previous: Character?
        for character in paragraph {
            if character == " ", let previous, ".!?。！？".contains(previous) {
                sentences.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        if !current.isEmpty { sentences.append(current) }
        return sentences
    }

    /// A sentence longer than `limit`, cut on word boundaries (and inside words longer than `limit`).
    static func split(_ sentence: String, limit: Int) -> [String] {
        guard sentence.count > limit else { return [sentence] }
        var parts: [String] = []
        var current = ""
        for word in sentence.split(separator: " ") {
            var word = Substring(word)
            while word.count > limit {
                if !current.isEmpty {
                    parts.append(current)
                    current = ""
                }
                parts.append(String(word.prefix(limit)))
                word = word.dropFirst(limit)
            }
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= limit {
                current += " " + word
            } else {
                parts.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }
}
