/// The small XML subset the AWS query protocol answers in (STS, IAM): elements, text, the five predefined
/// entities and numeric character references, CDATA, comments and the `<?xml …?>` declaration. Namespace
/// prefixes are dropped from names and attributes are ignored. No DTDs. Parsing is pure and never echoes the input
/// in its errors (answers carry credentials).
public struct AWSXMLElement: Sendable, Equatable {
    /// The local name (`Credentials`; a `ns:` prefix is removed).
    public var name: String
    /// The element's own text (entities decoded), joined across child elements and trimmed.
    public var text: String
    public var children: [AWSXMLElement]

    public init(name: String, text: String = "", children: [AWSXMLElement] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first child named `name`.
    public func child(_ name: String) -> AWSXMLElement? {
        children.first { $0.name == name }
    }

    /// The element at `path` below this one (`["AssumeRoleResult", "Credentials"]`).
    public func descendant(_ path: [String]) -> AWSXMLElement? {
        var element = self
        for name in path {
            guard let next = element.child(name) else { return nil }
            element = next
        }
        return element
    }

    /// The first element named `name` anywhere below this one (depth first).
    public func first(named name: String) -> AWSXMLElement? {
        for child in children {
            if child.name == name { return child }
            if let found = child.first(named: name) { return found }
        }
        return nil
    }

    /// Parses a document and returns its root element, or nil when the text is not well-formed XML of this subset.
    public static func parse(_ bytes: [UInt8]) -> AWSXMLElement? {
        var parser = Parser(bytes: bytes)
        return parser.document()
    }

    public static func parse(_ text: String) -> AWSXMLElement? {
        parse(Array(text.utf8))
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0
        static let maxDepth = 64

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func document() -> AWSXMLElement? {
            skipMisc()
            guard peek(UInt8(ascii: "<")), let root = element(depth: 0) else { return nil }
            skipMisc()
            return index == bytes.count ? root : nil
        }

        /// Whitespace, the declaration, processing instructions and comments between elements.
        mutating func skipMisc() {
            while true {
                skipSpaces()
                if starts(with: "<?") {
                    guard skip(past: "?>") else { return }
                } else if starts(with: "<!--") {
                    guard skip(past: "-->") else { return }
                } else {
                    return
                }
            }
        }

        mutating func element(depth: Int) -> AWSXMLElement? {
            guard depth < Self.maxDepth, consume(UInt8(ascii: "<")), let name = name() else { return nil }
            // Attributes are skipped (quoted values may contain `>`).
            var selfClosing = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    index += 1
                    while index < bytes.count, bytes[index] != byte { index += 1 }
                    guard index < bytes.count else { return nil }
                    index += 1
                } else if byte == UInt8(ascii: "/") {
                    index += 1
                    guard consume(UInt8(ascii: ">")) else { return nil }
                    selfClosing = true
                    break
                } else if byte == UInt8(ascii: ">") {
                    index += 1
                    break
                } else {
                    index += 1
                }
            }
            var element = AWSXMLElement(name: Self.localName(name))
            if selfClosing { return element }
            var text: [UInt8] = []
            while index < bytes.count {
                if starts(with: "</") {
                    index += 2
                    guard let closing = self.name(), closing == name else { return nil }
                    skipSpaces()
                    guard consume(UInt8(ascii: ">")) else { return nil }
                    guard let decoded = Self.decodeEntities(text) else { return nil }
                    element.text = decoded.trimmingSpaces
                    return element
                } else if starts(with: "<!--") {
                    guard skip(past: "-->") else { return nil }
                } else if starts(with: "<![CDATA[") {
                    index += 9
                    let start = index
                    guard skip(past: "]]>") else { return nil }
                    // CDATA is literal: escape `&` so that entity decoding leaves it as it is.
                    for byte in bytes[start..<(index - 3)] {
                        if byte == UInt8(ascii: "&") { text += Array("&amp;".utf8) } else { text.append(byte) }
                    }
                } else if starts(with: "<?") {
                    guard skip(past: "?>") else { return nil }
                } else if peek(UInt8(ascii: "<")) {
                    guard let child = self.element(depth: depth + 1) else { return nil }
                    element.children.append(child)
                } else {
                    text.append(bytes[index])
                    index += 1
                }
            }
            return nil
        }

        mutating func name() -> String? {
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
                    || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/")
                {
                    break
                }
                index += 1
            }
            return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }

        static func localName(_ name: String) -> String {
            name.lastIndex(of: ":").map { String(name[name.index(after: $0)...]) } ?? name
        }

        /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&#NN;` `&#xHH;`; nil for any other `&`.
        static func decodeEntities(_ bytes: [UInt8]) -> String? {
            guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
            var out: [UInt8] = []
            var i = 0
            while i < bytes.count {
                guard bytes[i] == UInt8(ascii: "&") else {
                    out.append(bytes[i])
                    i += 1
                    continue
                }
                guard let semicolon = bytes[i...].firstIndex(of: UInt8(ascii: ";")), semicolon - i <= 10 else {
                    return nil
                }
                let entity = String(decoding: bytes[(i + 1)..<semicolon], as: UTF8.self)
                switch entity {
                case "amp": out.append(UInt8(ascii: "&"))
                case "lt": out.append(UInt8(ascii: "<"))
                case "gt": out.append(UInt8(ascii: ">"))
                case "quot": out.append(UInt8(ascii: "\""))
                case "apos": out.append(UInt8(ascii: "'"))
                default:
                    let scalar: UInt32?
                    if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                        scalar = UInt32(entity.dropFirst(2), radix: 16)
                    } else if entity.hasPrefix("#") {
                        scalar = UInt32(entity.dropFirst(), radix: 10)
                    } else {
                        scalar = nil
                    }
                    guard let scalar, let character = Unicode.Scalar(scalar) else { return nil }
                    out += Array(String(character).utf8)
                }
                i = semicolon + 1
            }
            return String(decoding: out, as: UTF8.self)
        }

        func peek(_ byte: UInt8) -> Bool {
            index < bytes.count && bytes[index] == byte
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard peek(byte) else { return false }
            index += 1
            return true
        }

        func starts(with prefix: StaticString) -> Bool {
            let count = prefix.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            return prefix.withUTF8Buffer { buffer in
                for offset in 0..<count where bytes[index + offset] != buffer[offset] { return false }
                return true
            }
        }

        /// Moves past the next `terminator`; false (at the end) when there is none.
        mutating func skip(past terminator: StaticString) -> Bool {
            while index < bytes.count {
                if starts(with: terminator) {
                    index += terminator.utf8CodeUnitCount
                    return true
                }
                index += 1
            }
            return false
        }

        mutating func skipSpaces() {
            while index < bytes.count,
                bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")
                    || bytes[index] == UInt8(ascii: "\n") || bytes[index] == UInt8(ascii: "\r")
            {
                index += 1
            }
        }
    }
}
