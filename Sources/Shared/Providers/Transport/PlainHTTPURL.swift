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
        guard url.utf8.count > 7, url.utf8.starts(with: "http://".utf8) else { return nil }
        let rest = url.dropFirst(7)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var target = String(rest[authorityEnd...])
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        if target.isEmpty || target.first == "?" { target = "/" + target }
        let host: Substring
        var port = 80
        if authority.first == "[" {
            // An IPv6 literal: [::1] or [::1]:8080.
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":", let value = Int(after.dropFirst()), (1...65535).contains(value) else {
                    return nil
                }
                port = value
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65535).contains(value) else {
                return nil
            }
            port = value
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        self.origin = Origin(host: String(host), port: port)
        self.hostHeader = String(authority)
        self.target = target
    }
}
