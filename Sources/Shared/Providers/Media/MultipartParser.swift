import GatewaySchema

/// Parses `multipart/form-data` bodies into a `MultipartForm`. Pure; errors name what is wrong without
/// echoing content.
public enum MultipartParser {
    /// Why a body is not a usable form.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The boundary parameter of a `multipart/form-data` content type, or nil if the type is another one.
    public static func boundary(fromContentType contentType: String) -> String? {
        let pieces = HeaderParameters.split(contentType)
        guard let type = pieces.first?.trimmed.lowercased(), type == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let (key, value) = HeaderParameters.keyValue(piece)
            if key == "boundary", !value.isEmpty, value.utf8.count <= 200 { return value }
        }
        return nil
    }

    /// Parses `body` delimited by `boundary`.
    public static func parse(_ body: [UInt8], boundary: String) throws -> MultipartForm {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        guard var position = ByteScan.firstIndex(of: delimiter, in: body, from: 0) else {
            throw ParseError("the multipart body has no part with the declared boundary")
        }
        position += delimiter.count
        var parts: [MultipartForm.Part] = []
        while true {
            if starts(body, with: [0x2D, 0x2D], at: position) { break }  // "--": the closing delimiter
            guard starts(body, with: [0x0D, 0x0A], at: position) else {
                throw ParseError("malformed multipart delimiter")
            }
            position += 2
            guard let headerEnd = ByteScan.firstIndex(of: [0x0D, 0x0A, 0x0D, 0x0A], in: body, from: position) else {
                throw ParseError("a multipart part has no end of headers")
            }
            let headers = String(decoding: body[position..<headerEnd], as: UTF8.self)
            let contentStart = headerEnd + 4
            guard let contentEnd = ByteScan.firstIndex(of: separator, in: body, from: contentStart) else {
                throw ParseError("the multipart body is not terminated")
            }
            parts.append(try part(headers: headers, data: Array(body[contentStart..<contentEnd])))
            position = contentEnd + separator.count
        }
        return MultipartForm(boundary: boundary, parts: parts)
    }

    static func part(headers: String, data: [UInt8]) throws -> MultipartForm.Part {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in headers.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmed.lowercased()
            let value = String(line[line.index(after: colon)...]).trimmed
            if key == "content-type" {
                contentType = value
            } else if key == "content-disposition" {
                for piece in HeaderParameters.split(value).dropFirst() {
                    let (parameter, text) = HeaderParameters.keyValue(piece)
                    if parameter == "name" { name = text }
                    if parameter == "filename" { filename = text }
                }
            }
        }
        guard let name else { throw ParseError("a multipart part has no field name") }
        return MultipartForm.Part(name: name, filename: filename, contentType: contentType, data: data)
    }

    static func starts(_ body: [UInt8], with prefix: [UInt8], at position: Int) -> Bool {
        guard position + prefix.count <= body.count else { return false }
        for offset in prefix.indices where body[position + offset] != prefix[offset] { return false }
        return true
    }

}

/// `;`-separated header parameters with quoted values (`form-data; name="a;b"; filename=x.wav`).
enum HeaderParameters {
    static func split(_ value: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in value {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                current.append(character)
            } else if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        return pieces
    }

    /// `key=value` with the key lowercased and the value unquoted.
    static func keyValue(_ piece: String) -> (String, String) {
        guard let equals = piece.firstIndex(of: "=") else { return (piece.trimmed.lowercased(), "") }
        let key = piece[..<equals].trimmed.lowercased()
        var value = String(piece[piece.index(after: equals)...]).trimmed
        if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") {
            value = String(value.dropFirst().dropLast())
        }
        return (key, value)
    }
}

extension StringProtocol {
    var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
