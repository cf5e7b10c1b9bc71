/// A recorded HTTP/1.1 request taken apart (test helper): request line, headers in order, body chunks (or the
/// whole body when not chunked) and trailers.
struct HTTPRequestBytes: Equatable {
    struct Field: Equatable {
        var name: String
        var value: String
    }

    var requestLine: String
    var headers: [Field]
    var chunks: [[UInt8]]
    var trailers: [Field]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func trailer(_ name: String) -> String? {
        trailers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var body: [UInt8] { chunks.flatMap { $0 } }

    init?(_ bytes: [UInt8]) {
        var index = 0
        func line() -> String? {
            var end = index
            while end + 1 < bytes.count, !(bytes[end] == 13 && bytes[end + 1] == 10) { end += 1 }
            guard end + 1 < bytes.count else { return nil }
            let text = String(decoding: bytes[index..<end], as: UTF8.self)
            index = end + 2
            return text
        }
        func fields() -> [Field]? {
            var out: [Field] = []
            while let text = line() {
                if text.isEmpty { return out }
                guard let colon = text.firstIndex(of: ":") else { return nil }
                out.append(
                    Field(
                        name: String(text[..<colon]),
                        value: String(text[text.index(after: colon)...].drop { $0 == " " })))
            }
            return nil
        }
        guard let requestLine = line(), let headers = fields() else { return nil }
        self.requestLine = requestLine
        self.headers = headers
        chunks = []
        trailers = []
        let chunked = headers.contains { $0.name.lowercased() == "transfer-encoding" && $0.value == "chunked" }
        guard chunked else {
            chunks = [Array(bytes[index...])]
            return
        }
        while let sizeLine = line() {
            guard let size = Int(sizeLine, radix: 16) else { return nil }
            if size == 0 {
                guard let trailers = fields() else { return nil }
                self.trailers = trailers
                return
            }
            guard index + size + 2 <= bytes.count else { return nil }
            chunks.append(Array(bytes[index..<index + size]))
            index += size + 2
        }
        return nil
    }
}
