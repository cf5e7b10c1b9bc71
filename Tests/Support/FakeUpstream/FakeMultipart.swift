import Foundation

/// A minimal `multipart/form-data` reader for the fake's upload endpoints (independent of the gateway's).
struct FakeMultipart {
    struct Part {
        var name: String
        var filename: String?
        var contentType: String?
        var data: [UInt8]
    }

    var parts: [Part]

    init?(contentType: String, body: [UInt8]) {
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let range = contentType.range(of: "boundary=")
        else { return nil }
        var boundary = String(contentType[range.upperBound...])
        if let semicolon = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semicolon]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let data = Data(body)
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [Part] = []
        var cursor = data.startIndex
        while let start = data.range(of: delimiter, in: cursor..<data.endIndex) {
            let afterDelimiter = start.upperBound
            if data[afterDelimiter...].starts(with: Data("--".utf8)) { break }
            guard let headerEnd = data.range(of: Data("\r\n\r\n".utf8), in: afterDelimiter..<data.endIndex),
                let next = data.range(of: Data("\r\n--\(boundary)".utf8), in: headerEnd.upperBound..<data.endIndex)
            else { return nil }
            let headers = String(decoding: data[afterDelimiter..<headerEnd.lowerBound], as: UTF8.self)
            var part = Part(name: "", data: Array(data[headerEnd.upperBound..<next.lowerBound]))
            for line in headers.components(separatedBy: "\r\n") {
                let lower = line.lowercased()
                if lower.hasPrefix("content-type:") {
                    part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                } else if lower.hasPrefix("content-disposition:") {
                    part.name = Self.parameter("name", in: line) ?? ""
                    part.filename = Self.parameter("filename", in: line)
                }
            }
            parts.append(part)
            cursor = next.lowerBound + 2
        }
        self.parts = parts
    }

    static func parameter(_ name: String, in line: String) -> String? {
        for piece in line.components(separatedBy: ";") {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix(name + "=") else { continue }
            return String(trimmed.dropFirst(name.count + 1)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    func field(_ name: String) -> String? {
        parts.first { $0.name == name && $0.filename == nil }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    var file: Part? { parts.first { $0.filename != nil } }
}
