/// Why event-stream bytes could not be decoded or a message could not be encoded.
public enum EventStreamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The CRC over the 8-byte prelude does not match.
    case preludeChecksumMismatch(expected: UInt32, computed: UInt32)
    /// The CRC over the whole message does not match.
    case messageChecksumMismatch(expected: UInt32, computed: UInt32)
    /// The prelude's lengths are inconsistent (total below 16, or headers longer than the message).
    case invalidLengths(total: UInt32, headers: UInt32)
    /// The message is longer than the decoder's limit (or the encoder's format limits).
    case messageTooLarge(size: Int, limit: Int)
    /// A header runs past the header block, has an empty or too long name, or invalid UTF-8.
    case malformedHeader(String)
    /// A header type id outside 0...9.
    case unknownHeaderType(UInt8)
    /// The same header name twice in one message.
    case duplicateHeader(String)
    /// The stream ended inside a message.
    case truncated(bufferedBytes: Int)

    public var description: String {
        switch self {
        case .preludeChecksumMismatch(let expected, let computed):
            return "event-stream prelude CRC mismatch (expected \(expected), computed \(computed))"
        case .messageChecksumMismatch(let expected, let computed):
            return "event-stream message CRC mismatch (expected \(expected), computed \(computed))"
        case .invalidLengths(let total, let headers):
            return "event-stream prelude has invalid lengths (total \(total), headers \(headers))"
        case .messageTooLarge(let size, let limit):
            return "event-stream message of \(size) bytes exceeds the limit of \(limit)"
        case .malformedHeader(let reason):
            return "event-stream header malformed: \(reason)"
        case .unknownHeaderType(let type):
            return "event-stream header type \(type) is unknown"
        case .duplicateHeader(let name):
            return "event-stream header '\(name)' appears twice"
        case .truncated(let count):
            return "event stream ended inside a message (\(count) bytes buffered)"
        }
    }
}
