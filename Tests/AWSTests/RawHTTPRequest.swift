/// The request files of the SigV4 test suites: `METHOD URI HTTP/1.1`, header lines (indented lines continue
/// the previous value and are folded with one space), a blank line, the body.
struct RawHTTPRequest: Equatable {
    var method: String
    /// The URI text exactly as in the file (it may contain raw spaces and UTF-8).
    var uri: String
    var version: String
    var headers: [Pair]
    var body: String

    struct Pair: Equatable, CustomStringConvertible {
        var name: String
        var value: String
        var description: String { "\(name):\(value)" }
    }

    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        let requestLine = lines.removeFirst()
        let firstSpace = requestLine.firstIndex(of: " ")!
        let lastSpace = requestLine.lastIndex(of: " ")!
        method = String(requestLine[..<firstSpace])
        uri = String(requestLine[requestLine.index(after: firstSpace)..<lastSpace])
        version = String(requestLine[requestLine.index(after: lastSpace)...])
        headers = []
        var index = 0
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += " " + line.drop { $0 == " " || $0 == "\t" }
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(Pair(name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
            }
            index += 1
        }
        body = index + 1 < lines.count ? lines[(index + 1)...].joined(separator: "\n") : ""
    }

    var path: String {
        uri.firstIndex(of: "?").map { String(uri[..<$0]) } ?? uri
    }

    /// The query text exactly as written, without the `?`.
    var rawQuery: String {
        uri.firstIndex(of: "?").map { String(uri[uri.index(after: $0)...]) } ?? ""
    }

    /// The query decoded into name/value pairs (a missing `=` means an empty value).
    var queryItems: [(name: String, value: String)] {
        rawQuery.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (percentDecode(parts[0]), parts.count > 1 ? percentDecode(parts[1]) : "")
        }
    }

    /// Headers with lowercased names, for comparing requests.
    var normalizedHeaders: [Pair] {
        headers.map { Pair(name: $0.name.lowercased(), value: $0.value) }
    }

    private func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
