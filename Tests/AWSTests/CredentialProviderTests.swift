import Foundation
import GatewayAWS
import Testing

@Suite("AWS credential providers: environment and shared files")
struct CredentialProviderTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "FwoGZXIvYXdzEXAMPLETOKEN"

    func expectError<T>(
        _ kind: AWSCredentialError.Kind, secrets: [String] = [], _ body: () throws -> T
    ) {
        do {
            let credentials = try body()
            Issue.record("expected \(kind), got \(credentials)")
        } catch let error as AWSCredentialError {
            #expect(error.kind == kind)
            for secret in secrets { #expect(!error.description.contains(secret)) }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func environmentKeysAndToken() throws {
        let credentials = try EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": Self.token,
        ]).resolve()
        #expect(
            credentials
                == AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: Self.secret, sessionToken: Self.token))
        let noToken = try EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": "",
        ]).resolve()
        #expect(noToken.sessionToken == nil)
    }

    @Test func environmentMissingPieces() {
        expectError(.notConfigured) { try EnvironmentCredentialProvider(environment: [:]).resolve() }
        expectError(.incomplete, secrets: [Self.secret]) {
            try EnvironmentCredentialProvider(environment: ["AWS_SECRET_ACCESS_KEY": Self.secret]).resolve()
        }
        expectError(.incomplete) {
            try EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AKIDENV"]).resolve()
        }
    }

    @Test func sharedFilesProfilesAndPrecedence() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write(
            ".aws/credentials",
            """
            [default]
            aws_access_key_id = AKIDCREDS
            aws_secret_access_key = \(Self.secret)

            [dev]
            aws_access_key_id = AKIDDEV
            aws_secret_access_key = devsecret
            aws_session_token = \(Self.token)
            """)
        _ = try directory.write(
            ".aws/config",
            """
            [default]
            aws_access_key_id = AKIDCONFIGDEFAULT
            aws_secret_access_key = other
            [profile ops]
            aws_access_key_id = AKIDOPS
            aws_secret_access_key = opssecret
            """)
        let home = ["HOME": directory.url.path]
        #expect(try await SharedFilesCredentialProvider(environment: home).credentials().accessKeyID == "AKIDCREDS")
        let dev = SharedFilesCredentialProvider(environment: home.merging(["AWS_PROFILE": "dev"]) { $1 })
        let devKeys = AWSCredentials(accessKeyID: "AKIDDEV", secretAccessKey: "devsecret", sessionToken: Self.token)
        #expect(try dev.resolve() == .staticKeys(profile: "dev", devKeys))
        #expect(try await dev.credentials() == devKeys)
        #expect(
            try await SharedFilesCredentialProvider(environment: home, profile: "ops").credentials().accessKeyID
                == "AKIDOPS")
    }

    @Test func sharedFileLocationsFromTheEnvironment() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let credentials = try directory.write(
            "elsewhere/creds", "[p]\naws_access_key_id = A1\naws_secret_access_key = s1\n")
        let config = try directory.write(
            "elsewhere/conf", "[profile q]\naws_access_key_id = A2\naws_secret_access_key = s2\n")
        let environment = [
            "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config, "HOME": "/nonexistent",
        ]
        let p = SharedFilesCredentialProvider(environment: environment.merging(["AWS_PROFILE": "p"]) { $1 })
        #expect(p.credentialsFilePath == credentials)
        #expect(try await p.credentials().accessKeyID == "A1")
        let q = SharedFilesCredentialProvider(environment: environment.merging(["AWS_PROFILE": "q"]) { $1 })
        #expect(try await q.credentials().accessKeyID == "A2")
        #expect(SharedFilesCredentialProvider(environment: ["HOME": "/h"]).configFilePath == "/h/.aws/config")
    }

    @Test func sharedFilesMissingPieces() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        _ = try directory.write(
            ".aws/credentials",
            """
            [halfsecret]
            aws_secret_access_key = \(Self.secret)
            [halfkey]
            aws_access_key_id = AKIDHALF
            [regiononly]
            region = us-west-2
            [role]
            role_arn = arn:aws:iam::123456789012:role/x
            source_profile = default
            [sso]
            sso_start_url = https://example.awsapps.com/start
            """)
        let home = directory.url.path
        func provider(_ profile: String?) -> SharedFilesCredentialProvider {
            SharedFilesCredentialProvider(environment: ["HOME": home], profile: profile)
        }
        expectError(.incomplete, secrets: [Self.secret]) { try provider("halfsecret").resolve() }
        expectError(.incomplete) { try provider("halfkey").resolve() }
        expectError(.notConfigured) { try provider("regiononly").resolve() }
        expectError(.profileNotFound) { try provider("role").resolve() }
        expectError(.unsupported) { try provider("sso").resolve() }
        expectError(.profileNotFound) { try provider("absent").resolve() }
        expectError(.notConfigured) { try provider(nil).resolve() }
        expectError(.notConfigured) {
            try SharedFilesCredentialProvider(environment: ["HOME": home + "/nothing-here"]).resolve()
        }
        expectError(.notConfigured) { try SharedFilesCredentialProvider(environment: [:]).resolve() }
    }

    @Test func staticProviderAndExpiry() async throws {
        let expiring = AWSCredentials(
            accessKeyID: "A", secretAccessKey: "s", expiration: Date(timeIntervalSince1970: 1000))
        #expect(try await StaticCredentialProvider(expiring).credentials() == expiring)
        #expect(!expiring.isExpired(at: Date(timeIntervalSince1970: 699), margin: 300))
        #expect(expiring.isExpired(at: Date(timeIntervalSince1970: 700), margin: 300))
        #expect(expiring.isExpired(at: Date(timeIntervalSince1970: 1000)))
        #expect(!AWSCredentials(accessKeyID: "A", secretAccessKey: "s").isExpired(at: .distantFuture))
    }
}
