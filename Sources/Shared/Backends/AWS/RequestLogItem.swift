import GatewayAWS
import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How an audit event is kept in the request-log table: partition `tenant`, sort `sk` =
/// `<timestamp in ms, 13 digits>#<request id>`, and the attributes the indexes use (`requestId`, `alias`, `day`,
/// `providerStatus` = `provider#httpStatus`), `provider`, `status` (HTTP status), `outcome`, the event itself
/// (`event`, `AuditCodec` JSON) and `expiresAt` (TTL, Unix seconds). An event without a tenant is filed under
/// `noTenant`; attributes of absent values are left out (so the event is absent from that index).
enum RequestLogItem {
    static let noTenant = "#none"

    /// Index names, shared with the table's definition.
    static let byRequestID = "byRequestId"
    static let byAlias = "byAlias"
    static let byProviderStatus = "byProviderStatus"
    static let byDay = "byDay"

    /// The event's time as `AuditCodec` keeps it: whole milliseconds (never negative here).
    static func milliseconds(_ date: Date) -> Int { max(0, Int((date.timeIntervalSince1970 * 1000).rounded())) }

    static func sortKey(milliseconds: Int, requestID: String = "") -> String {
        let digits = String(milliseconds)
        let padded = String(repeating: "0", count: max(0, 13 - digits.count)) + digits
        return requestID.isEmpty ? padded : padded + "#" + requestID
    }

    /// `YYYY-MM-DD` (UTC) of a millisecond timestamp.
    static func day(milliseconds: Int) -> String {
        CalendarDay(Date(timeIntervalSince1970: Double(milliseconds / 1000))).description
    }

    static func item(_ event: AuditEvent, ttlDays: Int) throws -> DynamoDBItem {
        let ms = milliseconds(event.timestamp)
        var item: DynamoDBItem = [
            "tenant": .s(event.tenant ?? noTenant), "sk": .s(sortKey(milliseconds: ms, requestID: event.requestID)),
            "requestId": .s(event.requestID), "day": .s(day(milliseconds: ms)),
            "status": .number(event.httpStatus), "outcome": .s(event.outcome.rawValue),
            "event": .s(String(decoding: try AuditCodec.encode(event), as: UTF8.self)),
            "expiresAt": .number(ms / 1000 + ttlDays * 86_400),
        ]
        if let alias = event.alias, !alias.isEmpty { item["alias"] = .s(alias) }
        if let provider = event.provider, !provider.isEmpty {
            item["provider"] = .s(provider)
            item["providerStatus"] = .s("\(provider)#\(event.httpStatus)")
        }
        return item
    }

    static func event(_ item: DynamoDBItem) -> AuditEvent? {
        guard let text = item["event"]?.stringValue else { return nil }
        return try? AuditCodec.decode(Array(text.utf8))
    }
}
