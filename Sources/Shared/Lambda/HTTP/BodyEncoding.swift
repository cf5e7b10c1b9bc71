/// Whether a response body can travel as text in API Gateway's JSON, or must be base64 (`isBase64Encoded`).
public enum BodyEncoding {
    private static let textTypes: Set<String> = [
        "application/json", "application/javascript", "application/xml", "application/x-www-form-urlencoded",
        "application/x-ndjson", "application/yaml", "application/graphql",
    ]

    /// Text when the media type is textual (`text/*`, JSON, XML, form data, `+json`/`+xml` suffixes; or absent) and
    /// the bytes are valid UTF-8; anything else (audio, images, octet streams) is binary.
    public static func isText(contentType: String?, body: [UInt8]) -> Bool {
        guard isTextual(contentType: contentType) else { return false }
        return String(validating: body, as: UTF8.self) != nil
    }

    public static func isTextual(contentType: String?) -> Bool {
        guard let contentType else { return true }
        let media = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let type = media.trimmed().lowercased()
        if type.isEmpty { return true }
        return type.hasPrefix("text/") || textTypes.contains(type) || type.hasSuffix("+json")
            || type.hasSuffix("+xml")
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmed() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
