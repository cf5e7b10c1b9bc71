/// Why and where `JSONParser` rejected its input.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case unexpectedEnd
        case unexpectedCharacter
        case invalidNumber
        case invalidString
        case invalidEscape
        case invalidUnicode
        case tooDeep
        case trailingData
        case empty
    }

    public var kind: Kind
    /// Byte offset where the problem was found.
    public var offset: Int
    /// Human-readable message, e.g. "Unexpected character 'x' at byte 12".
    public var description: String

    public init(kind: Kind, offset: Int, description: String) {
        self.kind = kind
        self.offset = offset
        self.description = description
    }

    init(_ kind: Kind, at offset: Int, byte: UInt8? = nil, maxDepth: Int = JSONParser.defaultMaxDepth) {
        let message: String
        switch kind {
        case .unexpectedEnd:
            message = "Unexpected end of input at byte \(offset)"
        case .unexpectedCharacter:
            message = "Unexpected character \(Self.describe(byte)) at byte \(offset)"
        case .invalidNumber:
            message = "Invalid number at byte \(offset)"
        case .invalidString:
            message = "Invalid string (control character or malformed UTF-8) at byte \(offset)"
        case .invalidEscape:
            message = "Invalid escape sequence at byte \(offset)"
        case .invalidUnicode:
            message = "Invalid Unicode escape (lone surrogate) at byte \(offset)"
        case .tooDeep:
            message = "JSON nesting exceeds the maximum depth of \(maxDepth)"
        case .trailingData:
            message = "Unexpected data after the JSON value at byte \(offset)"
        case .empty:
            message = "Empty input: no JSON value found"
        }
        self.init(kind: kind, offset: offset, description: message)
    }

    private static func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "<none>" }
        if byte >= 0x21 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))'"
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return "0x" + (hex.count < 2 ? "0" + hex : hex)
    }
}
