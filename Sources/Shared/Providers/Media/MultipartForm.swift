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
        public var data: [UInt8]

        public init(name: String, filename: String? = nil, contentType: String? = nil, data: [UInt8]) {
            self.name = name
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }

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

    /// The encoded body.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(64) { $0 + $1.data.count + 160 })
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(part.name))\""
            if let filename = part.filename { head += "; filename=\"\(Self.quoted(filename))\"" }
            head += "\r\n"
            if let contentType = part.contentType { head += "Content-Type: \(contentType)\r\n" }
            head += "\r\n"
            out.append(contentsOf: head.utf8)
            out.append(contentsOf: part.data)
            out.append(contentsOf: "\r\n".utf8)
        }
        out.append(contentsOf: "--\(boundary)--\r\n".utf8)
        return out
    }

    /// Escapes a parameter value as browsers do (RFC 7578 §4.2): `"`, CR and LF percent-encoded.
    static func quoted(_ value: String) -> String {
        value.replacing("\"", with: "%22").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }
}
