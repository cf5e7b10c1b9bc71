import Foundation
import Testing

@testable import GatewayCore

@Suite struct IdentitySignerTests {
    let signer = IdentitySigner(secret: String(repeating: "s", count: 32))!
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let identity = Identity(tenant: "acme", keyID: "key_1", keyLabel: "ci", models: ["fast", "smart"], admin: true)

    func claims(path: String = "/v1/chat/completions", at time: Int = 1_800_000_000) -> IdentityClaims {
        IdentityClaims(identity: identity, requestID: "req_1", method: "POST", path: path, issuedAt: time)
    }

    @Test func aSignedIdentityVerifiesToTheSameClaims() throws {
        let headers = signer.sign(claims())
        let verified = try signer.verify(
            identity: headers.identity, signature: headers.signature, method: "POST", path: "/v1/chat/completions",
            now: now)
        #expect(verified == claims())
        // An unrestricted key (no model list) stays unrestricted on the other side.
        var open = claims()
        open.identity.models = nil
        let openHeaders = signer.sign(open)
        #expect(
            try signer.verify(
                identity: openHeaders.identity, signature: openHeaders.signature, method: "POST",
                path: "/v1/chat/completions", now: now
            ).identity.models == nil)
    }

    @Test func forgedTamperedStaleOrMisdirectedHeadersAreRejected() throws {
        let headers = signer.sign(claims())
        let otherSigner = IdentitySigner(secret: String(repeating: "x", count: 40))!
        let forged = otherSigner.sign(claims())
        // A client's own claims, "signed" with a guessed secret.
        #expect(throws: GatewayError.self) {
            try signer.verify(
                identity: forged.identity, signature: forged.signature, method: "POST", path: "/v1/chat/completions",
                now: now)
        }
        // Claims changed after signing (tenant swapped), signature kept.
        var other = claims()
        other.identity.tenant = "victim"
        let swapped = signer.sign(other).identity
        #expect(throws: GatewayError.self) {
            try signer.verify(
                identity: swapped, signature: headers.signature, method: "POST", path: "/v1/chat/completions",
                now: now)
        }
        // Replayed for another path or method, or too late.
        for (method, path, time) in [
            ("POST", "/v1/embeddings", now), ("GET", "/v1/chat/completions", now),
            ("POST", "/v1/chat/completions", now.addingTimeInterval(61)),
            ("POST", "/v1/chat/completions", now.addingTimeInterval(-61)),
        ] {
            #expect(throws: GatewayError.self) {
                try signer.verify(
                    identity: headers.identity, signature: headers.signature, method: method, path: path, now: time)
            }
        }
        // Missing or malformed.
        for (identity, signature) in [
            (nil, headers.signature), (headers.identity, nil), (headers.identity, "v1=!!"),
            (headers.identity, String(headers.signature.dropFirst(3))), ("%%%", headers.signature),
        ] {
            do {
                _ = try signer.verify(
                    identity: identity, signature: signature, method: "POST", path: "/v1/chat/completions", now: now)
                Issue.record("accepted \(String(describing: identity)) / \(String(describing: signature))")
            } catch {
                #expect(error.status == 401)
                #expect(error.code == "invalid_internal_identity")
            }
        }
    }

    @Test func aRotationAcceptsTheOldSecretUntilItIsDropped() throws {
        let old = IdentitySigner(secret: String(repeating: "o", count: 32))!
        let rotating = IdentitySigner(
            secret: String(repeating: "n", count: 32), previous: String(repeating: "o", count: 32))!
        let rotated = IdentitySigner(secret: String(repeating: "n", count: 32))!
        let fromOld = old.sign(claims())
        let fromNew = rotating.sign(claims())
        for (signer, headers, accepted) in [
            (rotating, fromOld, true), (rotating, fromNew, true), (old, fromNew, false), (rotated, fromNew, true),
            (rotated, fromOld, false),
        ] {
            let result = Result {
                try signer.verify(
                    identity: headers.identity, signature: headers.signature, method: "POST",
                    path: "/v1/chat/completions", now: now)
            }
            #expect(((try? result.get()) != nil) == accepted)
        }
    }

    @Test func shortSecretsAreRefused() {
        #expect(IdentitySigner(secret: String(repeating: "s", count: 31)) == nil)
        #expect(IdentitySigner(secret: "") == nil)
    }
}

@Suite struct InternalServiceTests {
    @Test func eachPathGoesToTheServiceThatAnswersIt() {
        let expected: [String: InternalService?] = [
            "/v1/chat/completions": .router, "/v1/completions": .router, "/v1/embeddings": .router,
            "/v1/responses": .router, "/v1/responses/resp_1": .router, "/v1/models": .router,
            "/v1/models/fast": .router, "/v1/images/generations": .media, "/v1/images/edits": .media,
            "/v1/audio/speech": .media, "/v1/audio/transcriptions": .media, "/v1/rag/ingest": .rag,
            "/v1/rag/query": .rag, "/v1/rag/jobs/job_1": .rag, "/v1/billing/usage": .audit, "/dashboard": .audit,
            "/dashboard/app.js": .audit,
            // Nothing serves these: the edge answers (404).
            "/v1/chat": nil, "/v1/chat/completions/x": nil, "/v1/images": nil, "/v1/rag": nil, "/v1/billing": nil,
            "/v1/embeddings/x": nil, "/v1/files": nil, "/v1/": nil, "/health": nil, "/metrics": nil,
            "/dashboards": nil, "/v1/completions/": nil,
        ]
        for (path, service) in expected {
            #expect(InternalService.forPath(path) == service, "\(path)")
        }
    }
}

@Suite struct SelfHostedSettingsTests {
    let base = [
        "SWITCHBOARD_POSTGRES_URL": "postgres://sb:pw@db:5432/switchboard",
        "SWITCHBOARD_INTERNAL_SECRET": String(repeating: "k", count: 32),
    ]

    func load(
        _ environment: [String: String], file: String? = nil
    ) throws(SelfHostedSettings.Invalid)
        -> SelfHostedSettings
    {
        try SelfHostedSettings.fromEnvironment(environment) { _ in
            guard let file else { throw CocoaError(.fileNoSuchFile) }
            return file
        }
    }

    @Test func defaultsAndOverrides() throws {
        let settings = try load(base)
        #expect(settings.postgresPoolSize == 10)
        #expect(settings.serviceURLs[.router] == "http://127.0.0.1:8081")
        #expect(settings.serviceURLs[.audit] == "http://127.0.0.1:8084")
        var environment = base
        environment["SWITCHBOARD_POSTGRES_POOL_SIZE"] = "25"
        environment["SWITCHBOARD_MEDIA_URL"] = "http://media:8082"
        let custom = try load(environment)
        #expect(custom.postgresPoolSize == 25)
        #expect(custom.serviceURLs[.media] == "http://media:8082")
    }

    @Test func theSecretMayComeFromAMountedFile() throws {
        var environment = base
        environment["SWITCHBOARD_INTERNAL_SECRET"] = nil
        environment["SWITCHBOARD_INTERNAL_SECRET_FILE"] = "/run/secrets/internal"
        let fromFile = try load(environment, file: String(repeating: "f", count: 32) + "\n")
        // The trailing newline is not part of the key: the edge (env) and a service (file) agree.
        var envOnly = base
        envOnly["SWITCHBOARD_INTERNAL_SECRET"] = String(repeating: "f", count: 32)
        let claims = IdentityClaims(
            identity: Identity(tenant: "t", keyID: "k", keyLabel: "l", models: nil), requestID: "r", method: "GET",
            path: "/v1/models", issuedAt: 1_800_000_000)
        let headers = try #require(try load(envOnly).signer).sign(claims)
        #expect(
            try #require(fromFile.signer).verify(
                identity: headers.identity, signature: headers.signature, method: "GET", path: "/v1/models",
                now: Date(timeIntervalSince1970: 1_800_000_000)) == claims)
        #expect(throws: SelfHostedSettings.Invalid.self) { try load(environment, file: nil) }
    }

    @Test func awsModeNeedsNoDatabaseAndALambdaFunctionNoInternalSecret() throws {
        let bare: [String: String] = [:]
        let lambda = try SelfHostedSettings.fromEnvironment(bare, needs: []) { _ in "" }
        #expect(lambda.postgresURL == nil && lambda.signer == nil)
        let awsServer = try SelfHostedSettings.fromEnvironment(base, needs: .internalSecret) { _ in "" }
        #expect(awsServer.signer != nil)
        #expect(throws: SelfHostedSettings.Invalid.self) {
            try SelfHostedSettings.fromEnvironment(bare, needs: .internalSecret) { _ in "" }
        }
        // A secret that is set is still checked, even where none is needed.
        #expect(throws: SelfHostedSettings.Invalid.self) {
            try SelfHostedSettings.fromEnvironment(["SWITCHBOARD_INTERNAL_SECRET": "short"], needs: []) { _ in "" }
        }
    }

    @Test func missingOrWeakSettingsAreClearErrorsThatNeverShowTheSecret() {
        let weak = "short-secret-value"
        let cases: [([String: String], String)] = [
            (base.filter { $0.key != "SWITCHBOARD_POSTGRES_URL" }, "SWITCHBOARD_POSTGRES_URL"),
            (base.filter { $0.key != "SWITCHBOARD_INTERNAL_SECRET" }, "SWITCHBOARD_INTERNAL_SECRET"),
            (base.merging(["SWITCHBOARD_INTERNAL_SECRET": weak]) { $1 }, "at least 32 bytes"),
            (base.merging(["SWITCHBOARD_POSTGRES_POOL_SIZE": "0"]) { $1 }, "SWITCHBOARD_POSTGRES_POOL_SIZE"),
            (base.merging(["SWITCHBOARD_RAG_URL": "rag:8083"]) { $1 }, "SWITCHBOARD_RAG_URL"),
        ]
        for (environment, mention) in cases {
            do {
                _ = try load(environment)
                Issue.record("accepted \(mention)")
            } catch {
                #expect(error.description.contains(mention))
                #expect(!error.description.contains(weak))
                #expect(!error.description.contains("kkkk"))
            }
        }
    }
}
