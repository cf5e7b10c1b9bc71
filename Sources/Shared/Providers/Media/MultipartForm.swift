import Synchronization

/// A `multipart/form-data` body (RFC 7578) as OpenAI's upload endpoints take it: ordered parts, each a field
/// (`name`) with an optional `filename` and `Content-Type`, and its bytes. Parsing keeps every part in order,
/// so encoding with the same boundary reproduces the form (headers normalised to `Content-Disposition` and
/// `Content-Type`).
public struct MultipartForm: Sendable, Equatable {
    /// One part of the form.
    public struct Part: Sendable, Equatable {
        public var name: String
        public var filename: String?
        public var contentType: String?
        /// The content; for a spooled part only its first bytes (`MultipartStreamParser.headBytes`), enough for
        /// headers such as a WAV file's.
        public var data: [UInt8]
        /// Where a large upload's content is (the whole of it), instead of memory.
        public var spooled: SpooledFile?

        public init(
            name: String, filename: String? = nil, contentType: String? = nil, data: [UInt8],
            spooled: SpooledFile? = nil
        ) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.data = data
            self.spooled = spooled
        }

        /// The content's size in bytes.
        public var size: Int { spooled?.length ?? data.count }

        /// A text field.
        public init(name: String, value: String) {
            self.init(name: name, data: Array(value.utf8))
        }

        /// The part's bytes as text (fields are UTF-8).
        public var text: String { String(decoding: data, as: UTF8.self) }
    }

    public var boundary: String
    public var parts: [Part]

    public init(boundary: String, parts: [Part]) {
        self.boundary = boundary
        self.parts = parts
    }

    /// A new boundary that is very unlikely to occur in any content.
    public static func randomBoundary() -> String {
        let hex = (0..<2).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
        return "switchboard-\(hex)"
    }

    /// The `Content-Type` header value for this form.
    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// The first text field named `name` (file parts excluded).
    public func field(_ name: String) -> String? {
        parts.first { $0.name == name && $0.filename == nil }?.text
    }

    /// Every text value of a repeated field (`name` or `name[]`).
    public func fields(_ name: String) -> [String] {
        parts.filter { ($0.name == name || $0.name == name + "[]") && $0.filename == nil }.map(\.text)
    }

    /// The first part that carries a file.
    public var file: Part? { parts.first { $0.filename != nil } }

    /// Replaces the value of every text field named `name`, or appends the field if there is none.
    public mutating func set(_ name: String, to value: String) {
        var found = false
        for index in parts.indices where parts[index].name == name && parts[index].filename == nil {
            parts[index].data = Array(value.utf8)
            found = true
        }
        if !found { parts.append(Part(name: name, value: value)) }
    }

    /// The encoded body's pieces in order: bytes in memory, or a spooled part's file.
    enum Piece {
        case bytes([UInt8])
        case file(SpooledFile)
    }

    func pieces() -> [Piece] {
        var pieces: [Piece] = []
        var pending: [UInt8] = []
        for part in parts {
            pending.append(contentsOf: head(of: part).utf8)
            if let spooled = part.spooled {
                pieces.append(.bytes(pending))
                pieces.append(.file(spooled))
                pending = []
            } else {
                pending.append(contentsOf: part.data)
            }
            pending.append(contentsOf: "\r\n".utf8)
        }
        pending.append(contentsOf: "--\(boundary)--\r\n".utf8)
        pieces.append(.bytes(pending))
        return pieces
    }

    /// The encoded body, produced as it is read (spooled parts in `chunkBytes` reads from their files: an upload
    /// goes upstream without being copied whole into memory), with its length in bytes. The stream can be read
    /// once; call again for a fallback, which starts from the beginning.
    public func encodedBody(
        chunkBytes: Int = 64 * 1024
    ) -> (length: Int, chunks: AsyncThrowingStream<[UInt8], any Error>) {
        let all = pieces()
        let length = all.reduce(0) { total, piece in
            switch piece {
            case .bytes(let bytes): total + bytes.count
            case .file(let file): total + file.length
            }
        }
        // The cursor: the pieces not yet read and the offset in the current file. The stream reads one element
        // at a time, but its closure is `@Sendable`, so the cursor lives behind a lock.
        let cursor = Mutex((remaining: all[...], fileOffset: 0))
        let chunks = AsyncThrowingStream<[UInt8], any Error>(unfolding: {
            try cursor.withLock { cursor -> [UInt8]? in
                while let piece = cursor.remaining.first {
                    switch piece {
                    case .bytes(let bytes):
                        cursor.remaining = cursor.remaining.dropFirst()
                        if !bytes.isEmpty { return bytes }
                    case .file(let file):
                        if cursor.fileOffset >= file.length {
                            cursor.remaining = cursor.remaining.dropFirst()
                            cursor.fileOffset = 0
                            continue
                        }
                        let chunk = try file.read(offset: cursor.fileOffset, count: chunkBytes)
                        cursor.fileOffset += chunk.count
                        return chunk
                    }
                }
                return nil
            }
        })
        return (length, chunks)
    }

    /// A part's delimiter and headers.
    func head(of part: Part) -> String {
        var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(part.name))\""
        if let filename = part.filename { head += "; filename=\"\(Self.quoted(filename))\"" }
        head += "\r\n"
        if let contentType = part.contentType { head += "Content-Type: \(contentType)\r\n" }
        return head + "\r\n"
    }

    /// The encoded body in memory (spooled parts read back from their files; `encodedBody` avoids that).
    public func encoded() throws(SpoolError) -> [UInt8] {
        var out: [UInt8] = []
        for piece in pieces() {
            switch piece {
            case .bytes(let bytes): out += bytes
            case .file(let file): out += try file.read(offset: 0, count: file.length)
            }
        }
        return out
    }

    /// Escapes a parameter value as browsers do (RFC 7578 §4.2): `"`, CR and LF percent-encoded.
    static func quoted(_ value: String) -> String {
        value.replacing("\"", with: "%22").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }
}
