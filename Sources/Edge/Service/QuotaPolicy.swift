import GatewayCore
import HTTPTypes

/// Which request limits apply to a key: the tenant's defaults from configuration and the key's own.
public struct QuotaPolicy: Sendable {
    public var tenantRPM: Int?
    public var tenantRPD: Int?

    public init(tenantRPM: Int?, tenantRPD: Int?) {
        self.tenantRPM = tenantRPM
        self.tenantRPD = tenantRPD
    }

    public func checks(for key: AuthorizedKey) -> [QuotaCheck] {
        let keyID = key.identity.keyID
        let tenant = key.identity.tenant
        var checks: [QuotaCheck] = []
        if let rpm = key.rpm { checks.append(QuotaCheck(scope: "key:\(keyID):rpm", limit: rpm, window: .minute)) }
        if let rpd = key.rpd { checks.append(QuotaCheck(scope: "key:\(keyID):rpd", limit: rpd, window: .day)) }
        if let rpm = tenantRPM {
            checks.append(QuotaCheck(scope: "tenant:\(tenant):rpm", limit: rpm, window: .minute))
        }
        if let rpd = tenantRPD {
            checks.append(QuotaCheck(scope: "tenant:\(tenant):rpd", limit: rpd, window: .day))
        }
        return checks
    }

    /// OpenAI's `x-ratelimit-*-requests` headers for the tightest limit.
    public static func headers(_ decision: QuotaDecision, now: Int, into fields: inout HTTPFields) {
        guard let tightest = decision.tightest else { return }
        fields[HTTPField.Name("x-ratelimit-limit-requests")!] = String(tightest.check.limit)
        fields[HTTPField.Name("x-ratelimit-remaining-requests")!] = String(tightest.remaining)
        fields[HTTPField.Name("x-ratelimit-reset-requests")!] = durationText(max(0, tightest.resetAt - now))
    }

    /// `1h2m3s` style, as OpenAI sends it.
    public static func durationText(_ seconds: Int) -> String {
        let h = seconds / 3600
        let m = (seconds % 3600) / 60
        let s = seconds % 60
        var text = ""
        if h > 0 { text += "\(h)h" }
        if m > 0 || h > 0 { text += "\(m)m" }
        return text + "\(s)s"
    }
}
