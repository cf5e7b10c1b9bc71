import AsyncHTTPClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Credentials of a profile of the shared files: `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`) and
/// `~/.aws/config` (or `AWS_CONFIG_FILE`, sections `[profile name]`), for the profile `AWS_PROFILE` or `default`.
///
/// A profile is read from both files (the credentials file wins key by key) and resolved as the AWS SDKs do:
/// 1. `role_arn`: assume the role (STS `AssumeRole`) with the credentials of `source_profile` (a profile naming
///    itself uses its own static keys; a source profile with static keys uses them even if it has a `role_arn`)
///    or of `credential_source` (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`); or, with
///    `web_identity_token_file`, STS `AssumeRoleWithWebIdentity`. `role_session_name`, `external_id` and
///    `duration_seconds` are passed on; `mfa_serial` is refused (a server cannot prompt for a code).
/// 2. Static keys: `aws_access_key_id`, `aws_secret_access_key`, optional `aws_session_token` (credentials file
///    first, then config file).
/// 3. `credential_process`: the command's JSON (`ProcessCredentialProvider`).
/// SSO profiles are reported as `.unsupported`. `resolve()` does that resolution (reading the files only) and
/// `credentials()` carries it out.
public struct SharedFilesCredentialProvider: AWSCredentialProvider {
    static let source = "shared-files"
    static let ssoKeys = ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name"]
    static let credentialSources: [String: AWSProfileCredentialSource] = [
        "Environment": .environment, "Ec2InstanceMetadata": .instanceMetadata, "EcsContainer": .container,
    ]

    let environment: [String: String]
    let explicitProfile: String?
    let httpClient: HTTPClient?
    let readFile: @Sendable (String) -> String?

    /// - Parameters:
    ///   - environment: the process environment (`HOME`, `AWS_PROFILE`, `AWS_SHARED_CREDENTIALS_FILE`,
    ///     `AWS_CONFIG_FILE` are read from it; the STS endpoint and a credential process's environment too).
    ///   - profile: overrides `AWS_PROFILE`.
    ///   - httpClient: for profiles that assume a role or read instance or container credentials; without it
    ///     only static keys and `credential_process` work.
    ///   - readFile: returns a file's text, nil when it does not exist (injectable for tests).
    public init(
        environment: [String: String], profile: String? = nil, httpClient: HTTPClient? = nil,
        readFile: @escaping @Sendable (String) -> String? = Self.readTextFile
    ) {
        self.environment = environment
        self.explicitProfile = profile
        self.httpClient = httpClient
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
        try await provider(for: resolve()).credentials()
    }

    /// The provider that carries out `source`.
    public func provider(
        for source: AWSProfileCredentialSource
    ) throws(AWSCredentialError)
        -> any AWSCredentialProvider
    {
        func http(_ what: String) throws(AWSCredentialError) -> HTTPClient {
            guard let httpClient else {
                throw AWSCredentialError(
                    .unsupported, source: Self.source,
                    message: "\(what) needs HTTP, and this provider was built without an HTTP client")
            }
            return httpClient
        }
        switch source {
        case .staticKeys(_, let credentials):
            return StaticCredentialProvider(credentials)
        case .process(let profile, let command):
            return ProcessCredentialProvider(command: command, origin: "profile '\(profile)'", environment: environment)
        case .webIdentity(let profile, let parameters, let region):
            return WebIdentityCredentialProvider(
                parameters: parameters, origin: "profile '\(profile)'", region: region, environment: environment,
                httpClient: try http("web_identity_token_file of profile '\(profile)'"), readFile: readFile)
        case .environment:
            return EnvironmentCredentialProvider(environment: environment)
        case .instanceMetadata:
            return InstanceMetadataCredentialProvider(
                environment: environment, httpClient: try http("credential_source Ec2InstanceMetadata"))
        case .container:
            return ContainerCredentialProvider(
                environment: environment, httpClient: try http("credential_source EcsContainer"), readFile: readFile)
        case .assumeRole(let profile, let parameters, let region, let inner):
            return AssumeRoleCredentialProvider(
                parameters: parameters, origin: "profile '\(profile)'", source: try provider(for: inner),
                region: region, environment: environment, httpClient: try http("role_arn of profile '\(profile)'"))
        }
    }

    /// Resolves the profile in use (reading the files, nothing else).
    public func resolve() throws(AWSCredentialError) -> AWSProfileCredentialSource {
        let files = ProfileFiles(
            credentials: credentialsFilePath.flatMap { path in
                readFile(path).map { (path, AWSProfileFile.parse($0)) }
            },
            config: configFilePath.flatMap { path in readFile(path).map { (path, AWSProfileFile.parse($0)) } })
        let profile = profileName
        guard files.hasProfile(profile) else {
            let chosen = explicitProfile != nil || nonEmpty(environment["AWS_PROFILE"]) != nil
            if chosen && (files.credentials != nil || files.config != nil) {
                throw AWSCredentialError(
                    .profileNotFound, source: Self.source, message: "profile '\(profile)' is in neither file")
            }
            throw AWSCredentialError(
                .notConfigured, source: Self.source, message: "no profile '\(profile)' in the shared files")
        }
        return try resolve(profile, files: files, chain: [])
    }

    struct ProfileFiles {
        var credentials: (path: String, file: AWSProfileFile)?
        var config: (path: String, file: AWSProfileFile)?

        func hasProfile(_ name: String) -> Bool {
            credentials?.file.credentialsProfile(name) != nil || config?.file.configProfile(name) != nil
        }

        /// The profile's properties in each file that has it, the credentials file first.
        func candidates(_ name: String) -> [(path: String, properties: [String: String])] {
            [
                credentials.flatMap { file in file.file.credentialsProfile(name).map { (file.path, $0) } },
                config.flatMap { file in file.file.configProfile(name).map { (file.path, $0) } },
            ].compactMap { $0 }
        }
    }

    /// `chain` holds the profiles whose `source_profile` led here (the first is the one in use).
    func resolve(
        _ profile: String, files: ProfileFiles, chain: [String]
    ) throws(AWSCredentialError)
        -> AWSProfileCredentialSource
    {
        let candidates = files.candidates(profile)
        let referrer = chain.last.map { "source_profile '\(profile)' of profile '\($0)'" }
        guard !candidates.isEmpty else {
            throw AWSCredentialError(
                .profileNotFound, source: Self.source,
                message: "\(referrer ?? "profile '\(profile)'") is in neither file")
        }
        // One view of the profile; the credentials file wins key by key.
        var merged: [String: String] = [:]
        for candidate in candidates.reversed() {
            for (key, value) in candidate.properties { merged[key] = value }
        }
        func value(_ key: String) -> String? { nonEmpty(merged[key]) }
        let keys = try staticKeys(profile, candidates: candidates)
        if let keys, !chain.isEmpty { return .staticKeys(profile: profile, keys) }

        if let roleARN = value("role_arn") {
            let sources = ["source_profile", "credential_source", "web_identity_token_file"].filter { value($0) != nil }
            guard sources.count <= 1 else {
                throw AWSCredentialError(
                    .incomplete, source: Self.source,
                    message: "profile '\(profile)' has role_arn with \(sources.joined(separator: ", ")); keep only one")
            }
            if value("mfa_serial") != nil {
                throw AWSCredentialError(
                    .unsupported, source: Self.source,
                    message: "profile '\(profile)' needs an MFA code (mfa_serial), which this gateway cannot prompt "
                        + "for; use a credential_process or temporary keys")
            }
            let durationSeconds: Int?
            if let text = value("duration_seconds") {
                guard let seconds = Int(text), seconds > 0 else {
                    throw AWSCredentialError(
                        .incomplete, source: Self.source,
                        message: "duration_seconds of profile '\(profile)' is not a positive whole number")
                }
                durationSeconds = seconds
            } else {
                durationSeconds = nil
            }
            let region = value("region").map(AWSRegion.init)
            if let tokenFile = value("web_identity_token_file") {
                return .webIdentity(
                    profile: profile,
                    WebIdentityCredentialProvider.Parameters(
                        tokenFile: path(tokenFile) ?? tokenFile, roleARN: roleARN,
                        sessionName: value("role_session_name"), durationSeconds: durationSeconds),
                    region: region)
            }
            let inner: AWSProfileCredentialSource
            if let sourceProfile = value("source_profile") {
                if sourceProfile == profile {
                    guard let keys else {
                        throw AWSCredentialError(
                            .incomplete, source: Self.source,
                            message: "profile '\(profile)' is its own source_profile but has no static keys")
                    }
                    inner = .staticKeys(profile: profile, keys)
                } else if (chain + [profile]).contains(sourceProfile) {
                    throw AWSCredentialError(
                        .incomplete, source: Self.source,
                        message: "source_profile loops: \((chain + [profile, sourceProfile]).joined(separator: " → "))")
                } else {
                    inner = try resolve(sourceProfile, files: files, chain: chain + [profile])
                }
            } else if let credentialSource = value("credential_source") {
                guard let source = Self.credentialSources[credentialSource] else {
                    throw AWSCredentialError(
                        .unsupported, source: Self.source,
                        message: "credential_source '\(credentialSource)' of profile '\(profile)' is not one of "
                            + "Environment, Ec2InstanceMetadata, EcsContainer")
                }
                inner = source
            } else {
                throw AWSCredentialError(
                    .incomplete, source: Self.source,
                    message: "profile '\(profile)' has role_arn but no source_profile, credential_source or "
                        + "web_identity_token_file")
            }
            return .assumeRole(
                profile: profile,
                AssumeRoleCredentialProvider.Parameters(
                    roleARN: roleARN, sessionName: value("role_session_name"), externalID: value("external_id"),
                    durationSeconds: durationSeconds),
                region: region, source: inner)
        }
        if let keys { return .staticKeys(profile: profile, keys) }
        if let command = value("credential_process") { return .process(profile: profile, command: command) }
        if let key = Self.ssoKeys.first(where: { value($0) != nil }) {
            throw AWSCredentialError(
                .unsupported, source: Self.source,
                message: "profile '\(profile)' uses \(key) (IAM Identity Center), which this gateway does not "
                    + "support; use static keys, a role, or credential_process = aws configure export-credentials "
                    + "--profile \(profile) --format process")
        }
        for key in ["web_identity_token_file", "source_profile", "credential_source"] where value(key) != nil {
            throw AWSCredentialError(
                .incomplete, source: Self.source, message: "profile '\(profile)' has \(key) but no role_arn")
        }
        if let referrer {
            throw AWSCredentialError(.incomplete, source: Self.source, message: "\(referrer) has no credentials")
        }
        throw AWSCredentialError(
            .notConfigured, source: Self.source, message: "profile '\(profile)' has no credentials")
    }

    /// The profile's static keys (the first file that has both wins), nil when neither file has any; a lone key
    /// id or secret is `.incomplete`.
    func staticKeys(
        _ profile: String, candidates: [(path: String, properties: [String: String])]
    ) throws(AWSCredentialError) -> AWSCredentials? {
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
        return nil
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

/// How a profile's credentials are obtained: the result of `SharedFilesCredentialProvider.resolve()`.
public indirect enum AWSProfileCredentialSource: Sendable, Equatable {
    /// Keys written in the profile.
    case staticKeys(profile: String, AWSCredentials)
    /// The profile's `credential_process`.
    case process(profile: String, command: String)
    /// `role_arn` with `web_identity_token_file`; the region is the profile's.
    case webIdentity(profile: String, WebIdentityCredentialProvider.Parameters, region: AWSRegion?)
    /// `credential_source = Environment`.
    case environment
    /// `credential_source = Ec2InstanceMetadata`.
    case instanceMetadata
    /// `credential_source = EcsContainer`.
    case container
    /// `role_arn` with `source_profile` or `credential_source`: the role assumed with `source`'s credentials.
    case assumeRole(
        profile: String, AssumeRoleCredentialProvider.Parameters, region: AWSRegion?, source: AWSProfileCredentialSource
    )
}
