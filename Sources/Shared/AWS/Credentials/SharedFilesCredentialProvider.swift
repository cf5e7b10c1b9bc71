#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Static keys from the shared files: `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`) first, then
/// `~/.aws/config` (or `AWS_CONFIG_FILE`, sections `[profile name]`), for the profile `AWS_PROFILE` or `default`.
///
/// Profiles that need assume-role, SSO, web identity or a credential process are reported as `.unsupported`.
public struct SharedFilesCredentialProvider: AWSCredentialProvider {
    static let source = "shared-files"
    static let delegatingKeys = [
        "role_arn", "credential_source", "source_profile", "sso_session", "sso_start_url", "sso_account_id",
        "credential_process", "web_identity_token_file",
    ]

    let environment: [String: String]
    let explicitProfile: String?
    let readFile: @Sendable (String) -> String?

    /// - Parameters:
    ///   - environment: the process environment (`HOME`, `AWS_PROFILE`, `AWS_SHARED_CREDENTIALS_FILE`,
    ///     `AWS_CONFIG_FILE` are read from it).
    ///   - profile: overrides `AWS_PROFILE`.
    ///   - readFile: returns a file's text, nil when it does not exist (injectable for tests).
    public init(
        environment: [String: String], profile: String? = nil,
        readFile: @escaping @Sendable (String) -> String? = Self.readTextFile
    ) {
        self.environment = environment
        self.explicitProfile = profile
        self.readFile = readFile
    }

    /// The profile in use.
    public var profileName: String {
        explicitProfile ?? nonEmpty(environment["AWS_PROFILE"]) ?? "default"
    }

    /// The credentials file path (after `~` expansion), nil when it cannot be determined.
    public var credentialsFilePath: String? {
        path(nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? "~/.aws/credentials")
    }

    /// The config file path (after `~` expansion), nil when it cannot be determined.
    public var configFilePath: String? {
        path(nonEmpty(environment["AWS_CONFIG_FILE"]) ?? "~/.aws/config")
    }

    public func credentials() async throws -> AWSCredentials {
        try resolve()
    }

    /// The synchronous lookup behind `credentials()`.
    public func resolve() throws(AWSCredentialError) -> AWSCredentials {
        let profile = profileName
        let credentialsFile = credentialsFilePath.flatMap { path in readFile(path).map { (path, $0) } }
        let configFile = configFilePath.flatMap { path in readFile(path).map { (path, $0) } }
        let candidates: [(path: String, properties: [String: String])] = [
            credentialsFile.flatMap { file in
                AWSProfileFile.parse(file.1).credentialsProfile(profile).map { (file.0, $0) }
            },
            configFile.flatMap { file in AWSProfileFile.parse(file.1).configProfile(profile).map { (file.0, $0) } },
        ].compactMap { $0 }
        guard !candidates.isEmpty else {
            let chosen = explicitProfile != nil || nonEmpty(environment["AWS_PROFILE"]) != nil
            if chosen && (credentialsFile != nil || configFile != nil) {
                throw AWSCredentialError(
                    .profileNotFound, source: Self.source, message: "profile '\(profile)' is in neither file")
            }
            throw AWSCredentialError(
                .notConfigured, source: Self.source, message: "no profile '\(profile)' in the shared files")
        }
        for candidate in candidates {
            let keyID = nonEmpty(candidate.properties["aws_access_key_id"])
            let secret = nonEmpty(candidate.properties["aws_secret_access_key"])
            switch (keyID, secret) {
            case (let keyID?, let secret?):
                return AWSCredentials(
                    accessKeyID: keyID, secretAccessKey: secret,
                    sessionToken: nonEmpty(candidate.properties["aws_session_token"]))
            case (nil, nil):
                continue
            case (nil, _):
                throw AWSCredentialError(
                    .incomplete, source: Self.source,
                    message:
                        "profile '\(profile)' in \(candidate.path) has aws_secret_access_key but no aws_access_key_id")
            case (_, nil):
                throw AWSCredentialError(
                    .incomplete, source: Self.source,
                    message:
                        "profile '\(profile)' in \(candidate.path) has aws_access_key_id but no aws_secret_access_key")
            }
        }
        let delegating = candidates.flatMap { candidate in
            Self.delegatingKeys.filter { candidate.properties[$0] != nil }
        }
        if let key = delegating.first {
            throw AWSCredentialError(
                .unsupported, source: Self.source,
                message: "profile '\(profile)' uses \(key), which this gateway does not support; use static keys")
        }
        throw AWSCredentialError(
            .notConfigured, source: Self.source, message: "profile '\(profile)' has no static credentials")
    }

    /// Reads a UTF-8 text file; nil when it does not exist or cannot be read.
    @Sendable public static func readTextFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private func path(_ raw: String) -> String? {
        guard raw == "~" || raw.hasPrefix("~/") else { return raw }
        guard let home = nonEmpty(environment["HOME"]) ?? nonEmpty(environment["USERPROFILE"]) else { return nil }
        return home + raw.dropFirst()
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }
}
