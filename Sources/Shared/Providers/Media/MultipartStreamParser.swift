import GatewaySchema

/// Parses a `multipart/form-data` body as it arrives, chunk by chunk, into the same `MultipartForm` as
/// `MultipartParser.parse` gives for the whole body, without holding the body in memory: text fields are kept
/// (small), and a file part larger than `spoolThreshold` goes to a `SpooledFile`, only its first `headBytes`
/// staying in memory. Memory stays bounded by the threshold plus one chunk, whatever the upload's size.
public struct MultipartStreamParser {
    /// Bytes of a spooled part kept in memory (`Part.data`): enough for any audio or image header.
    public static let headBytes = 64 * 1024

    let boundary: String
    let delimiter: [UInt8]
    /// CRLF + delimiter: what ends a part's content.
    let separator: [UInt8]
    let spoolThreshold: Int
    let spoolDirectory: String
    /// The most a part's headers, or a text field, may take.
    let maxHeaderBytes = 16 * 1024
    let maxFieldBytes = 1024 * 1024

    enum State {
        /// Before the first delimiter (a preamble is skipped).
        case preamble
        /// Just after a delimiter: `--` ends the form, CRLF starts a part.
        case afterDelimiter
        case headers
        case content
        case done
    }

    var state = State.preamble
    /// Received bytes not yet settled (at most a header block, or a chunk plus a possible partial separator).
    var pending: [UInt8] = []
    var parts: [MultipartForm.Part] = []
    /// The part being read.
    var current: MultipartForm.Part?
    var spool: SpoolWriter?

    public init(boundary: String, spoolThreshold: Int = 1024 * 1024, spoolDirectory: String? = nil) {
        self.boundary = boundary
        self.delimiter = Array("--\(boundary)".utf8)
        self.separator = Array("\r\n--\(boundary)".utf8)
        self.spoolThreshold = spoolThreshold
        self.spoolDirectory = spoolDirectory ?? Self.temporaryDirectory
    }

    static var temporaryDirectory: String {
        #if canImport(Glibc) || canImport(Darwin)
            if let value = getenv("TMPDIR"), let text = String(validatingCString: value), !text.isEmpty { return text }
        #endif
        return "/tmp"
    }

    /// Takes the next bytes of the body.
    public mutating func consume(_ bytes: some Collection<UInt8>) throws {
        pending.append(contentsOf: bytes)
        try advance()
    }

    /// The form, once the whole body was consumed.
    public mutating func finish() throws -> MultipartForm {
        try advance()
        guard case .done = state else {
            throw MultipartParser.ParseError(
                parts.isEmpty && current == nil
                    ? "the multipart body has no part with the declared boundary"
                    : "the multipart body is not terminated")
        }
        return MultipartForm(boundary: boundary, parts: parts)
    }

    mutating func advance() throws {
        while true {
            switch state {
            case .preamble:
                guard let index = ByteScan.firstIndex(of: delimiter, in: pending, from: 0) else {
                    // Keep only what could still begin the delimiter.
                    if pending.count > delimiter.count { pending.removeFirst(pending.count - delimiter.count) }
                    return
                }
                pending.removeFirst(index + delimiter.count)
                state = .afterDelimiter
            case .afterDelimiter:
                guard pending.count >= 2 else { return }
                if pending[0] == 0x2D && pending[1] == 0x2D {  // "--": the closing delimiter; the rest is epilogue
                    pending = []
                    state = .done
                    return
                }
                guard pending[0] == 0x0D && pending[1] == 0x0A else {
                    throw MultipartParser.ParseError("malformed multipart delimiter")
                }
                pending.removeFirst(2)
                state = .headers
            case .headers:
                guard let end = ByteScan.firstIndex(of: [0x0D, 0x0A, 0x0D, 0x0A], in: pending, from: 0) else {
                    if pending.count > maxHeaderBytes {
                        throw MultipartParser.ParseError("a multipart part has no end of headers")
                    }
                    return
                }
                current = try MultipartParser.part(
                    headers: String(decoding: pending[..<end], as: UTF8.self), data: [])
                pending.removeFirst(end + 4)
                state = .content
            case .content:
                if let end = ByteScan.firstIndex(of: separator, in: pending, from: 0) {
                    try append(pending[..<end])
                    pending.removeFirst(end + separator.count)
                    try closePart()
                    state = .afterDelimiter
                    continue
                }
                // Everything but a tail that might begin the separator is content.
                let settled = pending.count - (separator.count - 1)
                if settled > 0 {
                    try append(pending[..<settled])
                    pending.removeFirst(settled)
                }
                return
            case .done:
                pending = []
                return
            }
        }
    }

    /// Adds content to the current part: in memory, or to its spool once it outgrows the threshold.
    mutating func append(_ bytes: ArraySlice<UInt8>) throws {
        guard var part = current, !bytes.isEmpty else { return }
        if let spool {
            try spool.write(bytes)
            if part.data.count < Self.headBytes {
                part.data.append(contentsOf: bytes.prefix(Self.headBytes - part.data.count))
            }
        } else if part.filename != nil && part.data.count + bytes.count > spoolThreshold {
            let writer = try SpoolWriter(directory: spoolDirectory)
            try writer.write(part.data)
            try writer.write(bytes)
            spool = writer
            if part.data.count > Self.headBytes {
                part.data.removeLast(part.data.count - Self.headBytes)
            } else {
                part.data.append(contentsOf: bytes.prefix(Self.headBytes - part.data.count))
            }
        } else {
            guard part.filename != nil || part.data.count + bytes.count <= maxFieldBytes else {
                throw MultipartParser.ParseError("the field '\(part.name)' is larger than \(maxFieldBytes) bytes")
            }
            part.data.append(contentsOf: bytes)
        }
        current = part
    }

    mutating func closePart() throws {
        guard var part = current else { return }
        if let spool {
            part.spooled = spool.finish()
            self.spool = nil
        }
        parts.append(part)
        current = nil
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
