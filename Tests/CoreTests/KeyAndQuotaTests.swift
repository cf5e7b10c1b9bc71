import Foundation
import Testing

@testable import GatewayCore

@Suite struct APIKeyTests {
    @Test func hashIsLowercaseHexSHA256() {
        // FIPS 180-2 test vector.
        #expect(APIKey.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func generatedKeysHaveThePrefixAndAreUnique() {
        let keys = (0..<1000).map { _ in APIKey.generate() }
        #expect(Set(keys).count == 1000)
        for key in keys {
            #expect(key.hasPrefix("sb_sk_"))
            #expect(key.count == 46)
            #expect(key.dropFirst(6).allSatisfy { $0.isLetter || $0.isNumber })
        }
    }

    @Test func keyIDIsAHashPrefixNotTheKey() {
        let key = APIKey.generate()
        let id = APIKey.keyID(forHash: APIKey.hash(key))
        #expect(id.hasPrefix("key_"))
        #expect(id.count == 16)
        #expect(!key.contains(id.dropFirst(4)))
    }

    @Test func statusAndExpiryAreEnforced() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var record = APIKeyRecord(hash: "h", tenant: "t", label: "l", createdAt: now)
        #expect(record.rejection(at: now) == nil)
        record.expiresAt = now.addingTimeInterval(1)
        #expect(record.rejection(at: now) == nil)
        record.expiresAt = now
        #expect(record.rejection(at: now) == "This API key has expired.")
        record.expiresAt = nil
        record.status = .disabled
        #expect(record.rejection(at: now) == "This API key has been disabled.")
    }

    @Test func modelAllowList() {
        let open = Identity(tenant: "t", keyID: "k", keyLabel: "l", models: nil)
        let limited = Identity(tenant: "t", keyID: "k", keyLabel: "l", models: ["fast"])
        #expect(open.allows(model: "anything"))
        #expect(limited.allows(model: "fast"))
        #expect(!limited.allows(model: "smart"))
    }
}

@Suite struct QuotaWindowTests {
    @Test func windowsAlignToUTCBoundaries() {
        let t = 1_800_000_123  // 2027-01-15T08:02:03Z
        #expect(QuotaWindow.minute.start(of: t) == 1_800_000_120)
        #expect(QuotaWindow.minute.end(of: t) == 1_800_000_180)
        #expect(QuotaWindow.day.start(of: t) % 86_400 == 0)
        #expect(QuotaWindow.day.end(of: t) - QuotaWindow.day.start(of: t) == 86_400)
        #expect(QuotaWindow.minute.start(of: 1_800_000_120) == 1_800_000_120)
    }

    @Test func tightestCounterDrivesTheHeaders() {
        let minute = QuotaCounterState(
            check: QuotaCheck(scope: "t:rpm", limit: 60, window: .minute), used: 10, resetAt: 100)
        let day = QuotaCounterState(
            check: QuotaCheck(scope: "t:rpd", limit: 1000, window: .day), used: 995, resetAt: 5000)
        let decision = QuotaDecision(allowed: true, counters: [minute, day], exceeded: nil)
        #expect(decision.tightest == day)
        #expect(QuotaDecision(allowed: false, counters: [], exceeded: day).retryAfter(now: 4000) == 1000)
    }
}

@Suite struct ProviderErrorTests {
    @Test(arguments: [
        (400, ProviderError.Kind.badRequest, false), (401, .authentication, false), (403, .permissionDenied, false),
        (404, .notFound, false), (408, .timeout, true), (413, .requestTooLarge, false), (429, .rateLimited, true),
        (500, .upstreamServerError, true), (502, .upstreamServerError, true), (503, .upstreamServerError, true),
        (529, .overloaded, true),
    ])
    func statusClassification(status: Int, kind: ProviderError.Kind, retryable: Bool) {
        #expect(ProviderError.kind(forStatus: status) == kind)
        #expect(ProviderError(kind, message: "x").isRetryable == retryable)
    }

    @Test func clientFacingStatuses() {
        #expect(
            ProviderError(.rateLimited, message: "x", retryAfterSeconds: 7).gatewayError(provider: "openai").headers
                == [.init("retry-after", "7")])
        #expect(ProviderError(.timeout, message: "x").gatewayError(provider: "p").status == 504)
        #expect(ProviderError(.upstreamServerError, message: "x").gatewayError(provider: "p").status == 502)
        #expect(ProviderError(.notFound, message: "x").gatewayError(provider: "p").status == 404)
    }
}
