import Foundation
import GatewayAWS
import TestSupport
import Testing

@Suite("AWS credential_process")
struct ProcessCredentialProviderTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "IQoJb3JpZ2luX2VjEXAMPLEPROCESSTOKEN"

    func expectInvalid(_ json: String, mentioning word: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let credentials = try ProcessCredentialProvider.parse(Array(json.utf8), origin: "profile 'p'")
            Issue.record("expected an error, got \(credentials)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == .invalidResponse, sourceLocation: sourceLocation)
            #expect(error.message.contains(word), "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.contains("profile 'p'"), sourceLocation: sourceLocation)
            #expect(!error.description.contains(Self.secret), sourceLocation: sourceLocation)
            #expect(!error.description.contains(Self.token), sourceLocation: sourceLocation)
        }
    }

    @Test func versionOneOutput() throws {
        let full = """
            {"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "\(Self.secret)",
             "SessionToken": "\(Self.token)", "Expiration": "2030-01-01T00:00:00Z"}
            """
        #expect(
            try ProcessCredentialProvider.parse(Array(full.utf8), origin: "profile 'p'")
                == AWSCredentials(
                    accessKeyID: "ASIAPROCESS", secretAccessKey: Self.secret, sessionToken: Self.token,
                    expiration: Date(timeIntervalSince1970: 1_893_456_000)))
        let longTerm = #"{"Version":1,"AccessKeyId":"AKIDPROCESS","SecretAccessKey":"s","Extra":true}"#
        #expect(
            try ProcessCredentialProvider.parse(Array(longTerm.utf8), origin: "profile 'p'")
                == AWSCredentials(accessKeyID: "AKIDPROCESS", secretAccessKey: "s"))
    }

    @Test func unusableOutputNamesTheFieldNotTheValue() {
        expectInvalid(#"{"AccessKeyId":"A","SecretAccessKey":"\#(Self.secret)"}"#, mentioning: "no Version")
        expectInvalid(#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"\#(Self.secret)"}"#, mentioning: "Version 2")
        expectInvalid(#"{"Version":1,"SessionToken":"\#(Self.token)"}"#, mentioning: "AccessKeyId and SecretAccessKey")
        expectInvalid(#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":""}"#, mentioning: "SecretAccessKey")
        expectInvalid(
            #"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"\#(Self.secret)","Expiration":"soon"}"#,
            mentioning: "Expiration")
        expectInvalid("AccessKeyId=A SecretAccessKey=\(Self.secret)", mentioning: "not the process credential JSON")
        expectInvalid(#"{"Version":"1","AccessKeyId":"A","SecretAccessKey":"\#(Self.secret)"}"#, mentioning: "JSON")
    }

    @Test func runsTheCommandWithTheGivenEnvironment() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.write(
            "creds.sh",
            """
            printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s"}' \\
              "$PROCESS_KEY_ID" "$PROCESS_SECRET" "$1"
            echo "this goes to stderr and is dropped" >&2
            """)
        let provider = ProcessCredentialProvider(
            command: "/bin/sh '\(script)' '\(Self.token)'", origin: "profile 'p'",
            environment: ["PROCESS_KEY_ID": "ASIAFROMENV", "PROCESS_SECRET": Self.secret])
        #expect(
            try await provider.credentials()
                == AWSCredentials(accessKeyID: "ASIAFROMENV", secretAccessKey: Self.secret, sessionToken: Self.token))
    }

    @Test func aFailingCommandReportsItsStatusOnly() async throws {
        let provider = ProcessCredentialProvider(
            command: "echo '{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"\(Self.secret)\"}'; "
                + "echo '\(Self.secret)' >&2; exit 3", origin: "profile 'p'", environment: [:])
        await #expect {
            _ = try await provider.credentials()
        } throws: { error in
            guard let error = error as? AWSCredentialError else { return false }
            return error.kind == .unavailable && error.message.contains("exited with status 3")
                && error.message.contains("profile 'p'") && !error.description.contains(Self.secret)
        }
        let missing = ProcessCredentialProvider(
            command: "/nonexistent/credential-helper", origin: "profile 'p'", environment: [:])
        await #expect {
            _ = try await missing.credentials()
        } throws: { error in
            (error as? AWSCredentialError)?.message.contains("exited with status 127") == true
        }
    }

    @Test func aCommandThatHangsIsStopped() async throws {
        let provider = ProcessCredentialProvider(
            command: "exec sleep 60", origin: "profile 'p'", environment: ["PATH": "/usr/bin:/bin"],
            timeoutSeconds: 0.5)
        await #expect {
            _ = try await provider.credentials()
        } throws: { error in
            guard let error = error as? AWSCredentialError else { return false }
            return error.kind == .unavailable && error.message.contains("did not finish")
        }
    }

    @Test func outputIsBounded() async throws {
        let provider = ProcessCredentialProvider(
            command: "head -c 200000 /dev/zero", origin: "profile 'p'", environment: ["PATH": "/usr/bin:/bin"])
        await #expect {
            _ = try await provider.credentials()
        } throws: { error in
            (error as? AWSCredentialError)?.message.contains("printed more than") == true
        }
    }

    @Test func theChainRunsTheCommandAgainOnlyWhenExpirationNears() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clock = ManualClock()
        let expiration = AWSTimestamp.iso8601(clock.now().addingTimeInterval(3600))
        let counter = directory.url.appendingPathComponent("count").path
        let script = try directory.write(
            "creds.sh",
            """
            n=$(( $(cat '\(counter)' 2>/dev/null || echo 0) + 1 ))
            echo "$n" > '\(counter)'
            printf '{"Version":1,"AccessKeyId":"K%s","SecretAccessKey":"s","SessionToken":"t","Expiration":"%s"}' \\
              "$n" '\(expiration)'
            """)
        _ = try directory.write(
            "config", "[profile proc]\ncredential_process = /bin/sh '\(script)'\nregion = us-east-1\n")
        let chain = AWSCredentialChain(
            providers: [
                SharedFilesCredentialProvider(
                    environment: ["AWS_CONFIG_FILE": directory.url.appendingPathComponent("config").path],
                    profile: "proc")
            ], clock: clock)
        #expect(try await chain.credentials().accessKeyID == "K1")
        clock.advance(by: 3000)
        #expect(try await chain.credentials().accessKeyID == "K1")
        clock.advance(by: 400)
        #expect(try await chain.credentials().accessKeyID == "K2", "5 minutes before Expiration it runs again")
    }
}
