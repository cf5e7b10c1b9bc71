import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where and how to connect: a libpq-style URL (`postgres://user:password@host:5432/database?sslmode=require`)
/// and the pool's size. Its `description` never shows the password.
///
/// `sslmode`: `disable`, `prefer` (the default: TLS when the server offers it) or `require` (TLS with
/// certificate and host name verification; `verify-full` is accepted as a synonym).
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var tls: TLSMode
    /// The most connections the pool opens.
    public var poolSize: Int

    public enum TLSMode: String, Sendable {
        case disable
        case prefer
        case require
    }

    public struct InvalidURL: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { "invalid PostgreSQL URL: \(reason)" }
    }

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String? = nil,
        tls: TLSMode = .prefer, poolSize: Int = 10
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
        self.poolSize = poolSize
    }

    /// Parses `postgres://` or `postgresql://` URLs. Errors never quote the URL (it may hold a password).
    public init(url: String, poolSize: Int = 10) throws(InvalidURL) {
        guard let components = URLComponents(string: url) else { throw InvalidURL(reason: "not a URL") }
        guard let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme) else {
            throw InvalidURL(reason: "the scheme must be postgres:// or postgresql://")
        }
        guard let host = components.host, !host.isEmpty else { throw InvalidURL(reason: "no host") }
        guard let username = components.user, !username.isEmpty else { throw InvalidURL(reason: "no user name") }
        guard poolSize > 0 else { throw InvalidURL(reason: "the pool size must be positive") }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] where item.name == "sslmode" {
            switch item.value {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer
            case "require", "verify-ca", "verify-full": tls = .require
            default: throw InvalidURL(reason: "sslmode must be disable, prefer or require")
            }
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.init(
            host: host, port: components.port ?? 5432, username: username, password: components.password,
            database: path.isEmpty ? nil : path, tls: tls, poolSize: poolSize)
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        let credentials = password == nil ? username : "\(username):***"
        return "postgres://\(credentials)@\(host):\(port)/\(database ?? "")?sslmode=\(tls.rawValue)"
    }

    var client: PostgresClient.Configuration {
        let tlsConfiguration: PostgresClient.Configuration.TLS =
            switch tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tlsConfiguration)
        configuration.options.maximumConnections = poolSize
        return configuration
    }
}
