/// An `http://` URL taken apart for `HTTP1Pool`: the origin to connect to, the `Host` header and the request
/// target. Anything else (`https://`, user info, a malformed authority) is nil, and goes through AsyncHTTPClient.
struct PlainHTTPURL: Equatable, Sendable {
    struct Origin: Hashable, Sendable {
        var host: String
        var port: Int
    }

    var origin: Origin
    /// The `Host` header: the authority as written.
    var hostHeader: String
    /// Path and query, at least "/"; a fragment is dropped, as clients do.
    var target: String

    init?(_ url: String) {
        // Every delimiter is ASCII, so the URL is taken apart on its UTF-8 bytes (per call on the hot path;
        // Character-wise it cost a percent of a proxied request's CPU).
        let bytes = url.utf8
        guard bytes.count > 7, bytes.starts(with: "http://".utf8) else { return nil }
        let rest = bytes[bytes.index(bytes.startIndex, offsetBy: 7)...]
        let authorityEnd =
            rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains(UInt8(ascii: "@")) else { return nil }
        var targetBytes = rest[authorityEnd...]
        if let hash = targetBytes.firstIndex(of: UInt8(ascii: "#")) { targetBytes = targetBytes[..<hash] }
        var target = String(Substring(targetBytes))
        if target.isEmpty || targetBytes.first == UInt8(ascii: "?") { target = "/" + target }
        let host: Substring.UTF8View
        var port = 80
        if authority.first == UInt8(ascii: "[") {
            // An IPv6 literal: [::1] or [::1]:8080.
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":"), let value = Self.port(after.dropFirst()) else { return nil }
                port = value
            }
        } else if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
            host = authority[..<colon]
            guard let value = Self.port(authority[authority.index(after: colon)...]) else { return nil }
            port = value
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        self.origin = Origin(host: String(Substring(host)), port: port)
        self.hostHeader = String(Substring(authority))
        self.target = target
    }

    /// A port number 1...65535 (as `Int(_:)` reads it).
    static func port(_ digits: Substring.UTF8View) -> Int? {
        guard let value = Int(Substring(digits)), (1...65535).contains(value) else { return nil }
        return value
    }
}
