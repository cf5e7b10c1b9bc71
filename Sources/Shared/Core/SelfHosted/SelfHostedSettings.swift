/// What a self-hosted service process needs beyond the shared configuration file, from its environment:
///
/// - `SWITCHBOARD_POSTGRES_URL` (required) and `SWITCHBOARD_POSTGRES_POOL_SIZE` (default 10 connections);
/// - `SWITCHBOARD_INTERNAL_SECRET` or `SWITCHBOARD_INTERNAL_SECRET_FILE` (required, at least 32 bytes): the key
///   that signs the identity headers from the edge to the internal services; during a rotation,
///   `SWITCHBOARD_INTERNAL_SECRET_PREVIOUS` names the old one, still accepted but no longer used to sign;
/// - on the edge, `SWITCHBOARD_ROUTER_URL`, `SWITCHBOARD_MEDIA_URL`, `SWITCHBOARD_RAG_URL`,
///   `SWITCHBOARD_AUDIT_URL` (default `http://127.0.0.1:<8081…8084>`).
///
/// AWS mode (`SWITCHBOARD_BACKEND=aws`) needs no database URL, and a Lambda function no internal secret (API
/// Gateway's authorizer vouches for the caller): `needs` says which of the two are required.
public struct SelfHostedSettings: Sendable {
    /// nil only when not needed.
    public var postgresURL: String?
    public var postgresPoolSize: Int
    /// nil only when not needed.
    public var signer: IdentitySigner?
    public var serviceURLs: [InternalService: String]

    public struct Needs: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let postgres = Needs(rawValue: 1)
        public static let internalSecret = Needs(rawValue: 2)
        public static let all: Needs = [.postgres, .internalSecret]
    }

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// `readFile` reads a secret file (given the path); it is only called for `SWITCHBOARD_INTERNAL_SECRET_FILE`.
    public static func fromEnvironment(
        _ environment: [String: String], needs: Needs = .all, readFile: (String) throws -> String
    ) throws(Invalid) -> SelfHostedSettings {
        let url = environment["SWITCHBOARD_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if url == nil, needs.contains(.postgres) {
            throw Invalid(
                description:
                    "SWITCHBOARD_POSTGRES_URL is not set: name the PostgreSQL database (postgres://user:password@host:5432/database)"
            )
        }
        var poolSize = 10
        if let text = environment["SWITCHBOARD_POSTGRES_POOL_SIZE"] {
            guard let size = Int(text), (1...1000).contains(size) else {
                throw Invalid(description: "SWITCHBOARD_POSTGRES_POOL_SIZE must be a whole number from 1 to 1000")
            }
            poolSize = size
        }
        var secret = environment["SWITCHBOARD_INTERNAL_SECRET"]
        if secret == nil, let path = environment["SWITCHBOARD_INTERNAL_SECRET_FILE"] {
            do {
                secret = try readFile(path)
            } catch {
                throw Invalid(description: "cannot read SWITCHBOARD_INTERNAL_SECRET_FILE (\(path))")
            }
            // A mounted secret file usually ends with a newline that is not part of the secret.
            while let last = secret?.last, last.isNewline || last == " " { secret?.removeLast() }
        }
        var signer: IdentitySigner?
        if let secret {
            guard
                let made = IdentitySigner(secret: secret, previous: environment["SWITCHBOARD_INTERNAL_SECRET_PREVIOUS"])
            else {
                throw Invalid(
                    description:
                        "SWITCHBOARD_INTERNAL_SECRET (or _PREVIOUS) is too short: it must be at least \(IdentitySigner.minimumSecretLength) bytes (for example: openssl rand -hex 32)"
                )
            }
            signer = made
        } else if needs.contains(.internalSecret) {
            throw Invalid(
                description:
                    "SWITCHBOARD_INTERNAL_SECRET (or SWITCHBOARD_INTERNAL_SECRET_FILE) is not set: every service needs the same secret, at least \(IdentitySigner.minimumSecretLength) bytes (for example: openssl rand -hex 32)"
            )
        }
        var urls: [InternalService: String] = [:]
        for service in InternalService.allCases {
            let name = "SWITCHBOARD_\(service.rawValue.uppercased())_URL"
            let url = environment[name] ?? "http://127.0.0.1:\(service.defaultPort)"
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw Invalid(description: "\(name) must be an http:// or https:// URL")
            }
            urls[service] = url
        }
        return SelfHostedSettings(postgresURL: url, postgresPoolSize: poolSize, signer: signer, serviceURLs: urls)
    }
}
