import AsyncHTTPClient
import Foundation
import GatewayAWS
import Testing

/// Every new credential source against moto with SigV4 checking (`scripts/moto start`): STS AssumeRole and
/// AssumeRoleWithWebIdentity are moto's, and the credentials they yield sign Secrets Manager and STS calls that
/// moto verifies (a wrong secret gets 403 there). moto's IMDS (`/latest/api/token`, `/latest/meta-data/…`) serves
/// fixed credentials moto itself does not accept, so IMDS signing is proven through the test's fake IMDS serving
/// credentials moto issued.
@Suite(.enabled(if: MotoTestServer.isConfigured, "needs SWITCHBOARD_TEST_AWS_URL (scripts/moto start)"))
struct MotoCredentialProviderTests {
    func withClient(_ body: (HTTPClient, String) async throws -> Void) async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(client, MotoTestServer.url ?? "")
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test func webIdentityFromTheEnvironmentSignsRequestsMotoAccepts() async throws {
        try await withClient { client, url in
            let role = MotoTestServer.uniqueName("web")
            let roleARN = try await MotoTestServer.createRole(role, httpClient: client)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let tokenFile = try directory.write("token", "eyJhbGciOiJSUzI1NiJ9.moto-test-token.signature")
            // The standard chain as the gateway builds it, on EKS (IRSA): no keys, a token file and a role.
            let chain = AWSCredentialChain.standard(
                environment: [
                    "HOME": "/nonexistent", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": url,
                    "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_ARN": roleARN, "AWS_ROLE_SESSION_NAME": "pod",
                ], httpClient: client)
            let credentials = try await chain.credentials()
            #expect(credentials.sessionToken != nil && credentials.expiration != nil)
            let arn = try await MotoTestServer.proveSigning(credentials, httpClient: client)
            #expect(arn.hasSuffix(":assumed-role/\(role)/pod"))
            // And through a client that holds the chain, as the AWS backends do.
            let secrets = MotoTestServer.secretsManager(chain, httpClient: client)
            #expect(try await secrets.getSecretString(id: MotoTestServer.uniqueName("absent")) == nil)
        }
    }

    @Test func assumeRoleWithASourceProfileSignsRequestsMotoAccepts() async throws {
        try await withClient { client, url in
            let role = MotoTestServer.uniqueName("ops")
            let roleARN = try await MotoTestServer.createRole(role, httpClient: client)
            let user = MotoTestServer.userCredentials
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            _ = try directory.write(
                ".aws/credentials",
                "[base]\naws_access_key_id = \(user.accessKeyID)\naws_secret_access_key = \(user.secretAccessKey)\n")
            _ = try directory.write(
                ".aws/config",
                """
                [profile ops]
                role_arn = \(roleARN)
                source_profile = base
                role_session_name = ops-session
                region = us-east-1
                """)
            let chain = AWSCredentialChain.standard(
                environment: [
                    "HOME": directory.url.path, "AWS_PROFILE": "ops", "AWS_ENDPOINT_URL_STS": url,
                    "AWS_EC2_METADATA_DISABLED": "true",
                ], httpClient: client)
            let credentials = try await chain.credentials()
            #expect(credentials.accessKeyID != user.accessKeyID)
            let arn = try await MotoTestServer.proveSigning(credentials, httpClient: client)
            #expect(arn.hasSuffix(":assumed-role/\(role)/ops-session"))

            // The same profile with a wrong source secret: moto refuses the AssumeRole signature.
            _ = try directory.write(
                ".aws/credentials",
                "[base]\naws_access_key_id = \(user.accessKeyID)\naws_secret_access_key = wrong-secret-EXAMPLE\n")
            let refused = SharedFilesCredentialProvider(
                environment: ["HOME": directory.url.path, "AWS_ENDPOINT_URL_STS": url], profile: "ops",
                httpClient: client)
            await #expect {
                _ = try await refused.credentials()
            } throws: { error in
                guard let error = error as? AWSCredentialError else { return false }
                return error.kind == .denied && error.message.contains("SignatureDoesNotMatch")
                    && !error.description.contains("wrong-secret-EXAMPLE")
            }
        }
    }

    @Test func credentialProcessAndARoleOnTopOfItSignRequestsMotoAccepts() async throws {
        try await withClient { client, url in
            let role = MotoTestServer.uniqueName("proc")
            let roleARN = try await MotoTestServer.createRole(role, httpClient: client)
            let user = MotoTestServer.userCredentials
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // The helper prints the key from its environment (the test's secret stays out of the files).
            let helper = try directory.write(
                "helper.sh",
                """
                printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}' "$HELPER_KEY_ID" "$HELPER_SECRET"
                """)
            _ = try directory.write(
                ".aws/config",
                """
                [profile helper]
                credential_process = /bin/sh '\(helper)'
                [profile onTop]
                role_arn = \(roleARN)
                source_profile = helper
                role_session_name = on-top
                """)
            let environment = [
                "HOME": directory.url.path, "AWS_ENDPOINT_URL": url, "HELPER_KEY_ID": user.accessKeyID,
                "HELPER_SECRET": user.secretAccessKey,
            ]
            let plain = try await SharedFilesCredentialProvider(environment: environment, profile: "helper")
                .credentials()
            #expect(plain == user)
            #expect(
                try await MotoTestServer.proveSigning(plain, httpClient: client).hasSuffix(":user/switchboard-tests"))
            let assumed = try await SharedFilesCredentialProvider(
                environment: environment, profile: "onTop", httpClient: client
            ).credentials()
            #expect(
                try await MotoTestServer.proveSigning(assumed, httpClient: client)
                    .hasSuffix(":assumed-role/\(role)/on-top"))
        }
    }

    @Test func motoInstanceMetadataServesTheIMDSv2Flow() async throws {
        try await withClient { client, url in
            let provider = InstanceMetadataCredentialProvider(
                environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": url, "AWS_METADATA_SERVICE_TIMEOUT": "10"],
                httpClient: client)
            let credentials = try await provider.credentials()
            // moto's fixed instance credentials (moto/instance_metadata/responses.py), valid for a day.
            #expect(credentials.accessKeyID == "test-key")
            #expect(credentials.sessionToken == "test-session-token")
            #expect(credentials.expiration.map { $0 > Date() } == true)
        }
    }

    @Test func instanceCredentialsThatMotoIssuedSignRequestsMotoAccepts() async throws {
        try await withClient { client, url in
            let role = MotoTestServer.uniqueName("ec2")
            let roleARN = try await MotoTestServer.createRole(role, httpClient: client)
            let sts = STSClient(
                region: MotoTestServer.region, environment: ["AWS_ENDPOINT_URL": url], httpClient: client)
            let issued = try await sts.assumeRole(
                roleARN: roleARN, sessionName: "i-0123456789", credentials: MotoTestServer.userCredentials)
            let answer = """
                {"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"\(issued.accessKeyID)",\
                "SecretAccessKey":"\(issued.secretAccessKey)","Token":"\(issued.sessionToken ?? "")",\
                "Expiration":"\(AWSTimestamp.iso8601(issued.expiration ?? Date()))"}
                """
            let imds = try await LocalHTTPServer.start(route: { request in
                switch (request.method, request.uri) {
                case ("PUT", "/latest/api/token"): .init(status: 200, body: "imds-token")
                case ("GET", "/latest/meta-data/iam/security-credentials/"): .init(status: 200, body: role)
                case ("GET", "/latest/meta-data/iam/security-credentials/\(role)"): .init(status: 200, body: answer)
                default: .init(status: 404, body: "")
                }
            })
            let chain = AWSCredentialChain.standard(
                environment: [
                    "HOME": "/nonexistent", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(imds.port)",
                    "AWS_METADATA_SERVICE_TIMEOUT": "10",
                ], httpClient: client)
            let credentials: AWSCredentials
            do {
                credentials = try await chain.credentials()
            } catch {
                await imds.stop()
                throw error
            }
            await imds.stop()
            #expect(credentials.accessKeyID == issued.accessKeyID && credentials.sessionToken == issued.sessionToken)
            #expect(
                try await MotoTestServer.proveSigning(credentials, httpClient: client)
                    .hasSuffix(":assumed-role/\(role)/i-0123456789"))
        }
    }
}
