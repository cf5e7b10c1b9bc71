import Foundation
import GatewayAWS
import Testing

/// `SharedFilesCredentialProvider.resolve()`: which mechanism a profile uses, read from the files only.
@Suite("AWS shared-files profile resolution")
struct ProfileResolutionTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let roleA = "arn:aws:iam::123456789012:role/a"
    static let roleB = "arn:aws:iam::123456789012:role/b"

    /// A provider over in-memory files for `profile`.
    func provider(credentials: String = "", config: String, profile: String? = nil) -> SharedFilesCredentialProvider {
        let files = ["/home/u/.aws/credentials": credentials, "/home/u/.aws/config": config]
        return SharedFilesCredentialProvider(
            environment: ["HOME": "/home/u"], profile: profile,
            readFile: { path in files[path].flatMap { $0.isEmpty ? nil : $0 } })
    }

    func expectError(
        _ kind: AWSCredentialError.Kind, mentioning words: [String] = [],
        _ provider: SharedFilesCredentialProvider, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            let source = try provider.resolve()
            Issue.record("expected \(kind), got \(source)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            for word in words {
                #expect(error.message.contains(word), "\(error.message)", sourceLocation: sourceLocation)
            }
            #expect(!error.description.contains(Self.secret), sourceLocation: sourceLocation)
        }
    }

    static let keys = AWSCredentials(accessKeyID: "AKIDBASE", secretAccessKey: secret)

    @Test func roleWithSourceProfileUsesTheSourcesStaticKeys() throws {
        let config = """
            [profile base]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = \(Self.secret)
            [profile ops]
            role_arn = \(Self.roleA)
            source_profile = base
            role_session_name = ops-session
            external_id = ext-1
            duration_seconds = 900
            region = eu-west-1
            """
        #expect(
            try provider(config: config, profile: "ops").resolve()
                == .assumeRole(
                    profile: "ops",
                    AssumeRoleCredentialProvider.Parameters(
                        roleARN: Self.roleA, sessionName: "ops-session", externalID: "ext-1", durationSeconds: 900),
                    region: AWSRegion("eu-west-1"), source: .staticKeys(profile: "base", Self.keys)))
    }

    @Test func roleChainsResolveThroughSourceProfiles() throws {
        // b assumes role B with a's credentials; a assumes role A with base's keys.
        let config = """
            [profile base]
            credential_process = /usr/bin/get-creds --base
            [profile a]
            role_arn = \(Self.roleA)
            source_profile = base
            [profile b]
            role_arn = \(Self.roleB)
            source_profile = a
            """
        #expect(
            try provider(config: config, profile: "b").resolve()
                == .assumeRole(
                    profile: "b", AssumeRoleCredentialProvider.Parameters(roleARN: Self.roleB), region: nil,
                    source: .assumeRole(
                        profile: "a", AssumeRoleCredentialProvider.Parameters(roleARN: Self.roleA), region: nil,
                        source: .process(profile: "base", command: "/usr/bin/get-creds --base"))))
    }

    @Test func aSourceProfilesStaticKeysWinOverItsOwnRole() throws {
        // As the SDKs do: static keys end a source_profile chain; the profile in use prefers its role.
        let config = """
            [profile base]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = \(Self.secret)
            role_arn = \(Self.roleB)
            credential_source = Environment
            [profile ops]
            role_arn = \(Self.roleA)
            source_profile = base
            """
        #expect(
            try provider(config: config, profile: "ops").resolve()
                == .assumeRole(
                    profile: "ops", AssumeRoleCredentialProvider.Parameters(roleARN: Self.roleA), region: nil,
                    source: .staticKeys(profile: "base", Self.keys)))
        guard
            case .assumeRole(let profile, let parameters, _, _) = try provider(config: config, profile: "base")
                .resolve()
        else {
            Issue.record("the profile in use assumes its role")
            return
        }
        #expect(profile == "base" && parameters.roleARN == Self.roleB)
    }

    @Test func aProfileThatIsItsOwnSourceUsesItsStaticKeys() throws {
        let credentials = """
            [self]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = \(Self.secret)
            """
        let config = """
            [profile self]
            role_arn = \(Self.roleA)
            source_profile = self
            """
        #expect(
            try provider(credentials: credentials, config: config, profile: "self").resolve()
                == .assumeRole(
                    profile: "self", AssumeRoleCredentialProvider.Parameters(roleARN: Self.roleA), region: nil,
                    source: .staticKeys(profile: "self", Self.keys)))
        expectError(.incomplete, mentioning: ["own source_profile"], provider(config: config, profile: "self"))
    }

    @Test func credentialSourcesAndWebIdentity() throws {
        let config = """
            [profile env]
            role_arn = \(Self.roleA)
            credential_source = Environment
            [profile ec2]
            role_arn = \(Self.roleA)
            credential_source = Ec2InstanceMetadata
            [profile ecs]
            role_arn = \(Self.roleA)
            credential_source = EcsContainer
            [profile web]
            role_arn = \(Self.roleB)
            web_identity_token_file = ~/token
            role_session_name = web-session
            region = us-west-2
            [profile bogus]
            role_arn = \(Self.roleA)
            credential_source = Laptop
            """
        for (profile, source) in [
            ("env", AWSProfileCredentialSource.environment), ("ec2", .instanceMetadata), ("ecs", .container),
        ] {
            #expect(
                try provider(config: config, profile: profile).resolve()
                    == .assumeRole(
                        profile: profile, AssumeRoleCredentialProvider.Parameters(roleARN: Self.roleA), region: nil,
                        source: source))
        }
        #expect(
            try provider(config: config, profile: "web").resolve()
                == .webIdentity(
                    profile: "web",
                    WebIdentityCredentialProvider.Parameters(
                        tokenFile: "/home/u/token", roleARN: Self.roleB, sessionName: "web-session"),
                    region: AWSRegion("us-west-2")))
        expectError(
            .unsupported, mentioning: ["Laptop", "Ec2InstanceMetadata"], provider(config: config, profile: "bogus"))
    }

    @Test func precedenceWithinAProfile() throws {
        // role_arn beats static keys, static keys beat credential_process, and the credentials file's keys beat
        // the config file's.
        let credentials = """
            [both]
            aws_access_key_id = AKIDCREDS
            aws_secret_access_key = s1
            [keysandprocess]
            aws_access_key_id = AKIDKEYS
            aws_secret_access_key = s2
            """
        let config = """
            [profile both]
            aws_access_key_id = AKIDCONFIG
            aws_secret_access_key = s3
            [profile keysandprocess]
            credential_process = /bin/never
            [profile rolekeys]
            aws_access_key_id = AKIDROLEKEYS
            aws_secret_access_key = s4
            role_arn = \(Self.roleA)
            credential_source = Environment
            [profile process]
            credential_process = /usr/local/bin/creds --json
            """
        func resolved(_ profile: String) throws -> AWSProfileCredentialSource {
            try provider(credentials: credentials, config: config, profile: profile).resolve()
        }
        #expect(
            try resolved("both")
                == .staticKeys(profile: "both", AWSCredentials(accessKeyID: "AKIDCREDS", secretAccessKey: "s1")))
        #expect(
            try resolved("keysandprocess")
                == .staticKeys(
                    profile: "keysandprocess", AWSCredentials(accessKeyID: "AKIDKEYS", secretAccessKey: "s2")))
        guard case .assumeRole = try resolved("rolekeys") else {
            Issue.record("role_arn wins over the profile's own keys")
            return
        }
        #expect(try resolved("process") == .process(profile: "process", command: "/usr/local/bin/creds --json"))
    }

    @Test func misconfiguredProfilesNameWhatIsWrong() {
        let config = """
            [profile noSource]
            role_arn = \(Self.roleA)
            [profile twoSources]
            role_arn = \(Self.roleA)
            source_profile = base
            credential_source = Environment
            [profile mfa]
            role_arn = \(Self.roleA)
            source_profile = base
            mfa_serial = arn:aws:iam::123456789012:mfa/u
            [profile badDuration]
            role_arn = \(Self.roleA)
            source_profile = base
            duration_seconds = an hour
            [profile loopA]
            role_arn = \(Self.roleA)
            source_profile = loopB
            [profile loopB]
            role_arn = \(Self.roleB)
            source_profile = loopA
            [profile dangling]
            role_arn = \(Self.roleA)
            source_profile = nowhere
            [profile emptySource]
            role_arn = \(Self.roleA)
            source_profile = regionOnly
            [profile regionOnly]
            region = us-east-2
            [profile tokenNoRole]
            web_identity_token_file = /var/run/token
            [profile sourceNoRole]
            source_profile = base
            [profile halfKeys]
            aws_secret_access_key = \(Self.secret)
            role_arn = \(Self.roleA)
            credential_source = Environment
            [profile base]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = \(Self.secret)
            """
        func p(_ name: String) -> SharedFilesCredentialProvider { provider(config: config, profile: name) }
        expectError(.incomplete, mentioning: ["noSource", "source_profile", "credential_source"], p("noSource"))
        expectError(.incomplete, mentioning: ["source_profile, credential_source"], p("twoSources"))
        expectError(.unsupported, mentioning: ["mfa_serial"], p("mfa"))
        expectError(.incomplete, mentioning: ["duration_seconds"], p("badDuration"))
        expectError(.incomplete, mentioning: ["loopA → loopB → loopA"], p("loopA"))
        expectError(.profileNotFound, mentioning: ["source_profile 'nowhere' of profile 'dangling'"], p("dangling"))
        expectError(.incomplete, mentioning: ["source_profile 'regionOnly'", "no credentials"], p("emptySource"))
        expectError(.incomplete, mentioning: ["web_identity_token_file", "no role_arn"], p("tokenNoRole"))
        expectError(.incomplete, mentioning: ["source_profile", "no role_arn"], p("sourceNoRole"))
        expectError(.incomplete, mentioning: ["aws_access_key_id"], p("halfKeys"))
        expectError(.notConfigured, mentioning: ["regionOnly"], p("regionOnly"))
    }

    @Test func ssoProfilesAreRejectedWithAWayOut() {
        let config = """
            [profile sso]
            sso_session = corp
            sso_account_id = 123456789012
            sso_role_name = Admin
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            """
        expectError(
            .unsupported, mentioning: ["sso_session", "IAM Identity Center", "credential_process"],
            provider(config: config, profile: "sso"))
    }

    @Test func aRoleProfileNeedsAnHTTPClient() throws {
        let config = "[profile ops]\nrole_arn = \(Self.roleA)\ncredential_source = Environment\n"
        let provider = provider(config: config, profile: "ops")
        #expect {
            _ = try provider.provider(for: provider.resolve())
        } throws: { error in
            (error as? AWSCredentialError)?.kind == .unsupported
        }
    }
}
