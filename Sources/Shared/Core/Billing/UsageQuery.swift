#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A validated usage-report request: whose requests, which UTC days (both ends included), broken down how.
public struct UsageQuery: Sendable, Equatable {
    public enum Dimension: String, Sendable, CaseIterable {
        case day
        case model
        case key
    }

    /// The longest range one report covers.
    public static let maxDays = 366
    /// Without `from`, a report covers this many days up to `to`.
    public static let defaultDays = 30

    /// Nil: every tenant (operator tooling only; the HTTP API always names one).
    public var tenant: String?
    public var from: CalendarDay
    public var to: CalendarDay
    public var groupBy: [Dimension]

    public init(tenant: String?, from: CalendarDay, to: CalendarDay, groupBy: [Dimension] = [.model, .day]) {
        self.tenant = tenant
        self.from = from
        self.to = to
        self.groupBy = groupBy
    }

    /// The first instant of the range.
    public var start: Date { from.start }
    /// The first instant after the range.
    public var end: Date { to.advanced(by: 1).start }
    public var days: StrideThrough<CalendarDay> { stride(from: from, through: to, by: 1) }

    /// Reads `from`, `to` (`YYYY-MM-DD`, UTC) and `group_by` (comma-separated `model`, `day`, `key`; default
    /// `model,day`). `to` defaults to today and `from` to 30 days before `to`.
    public static func parse(
        tenant: String?, from: String?, to: String?, groupBy: String?, today: CalendarDay
    ) throws(GatewayError) -> UsageQuery {
        func day(_ text: String?, _ name: String) throws(GatewayError) -> CalendarDay? {
            guard let text, !text.isEmpty else { return nil }
            guard let value = CalendarDay(text) else {
                throw .invalidRequest(
                    "'\(name)' must be a date in the form YYYY-MM-DD, got '\(text.prefix(40))'.", param: name,
                    code: "invalid_date")
            }
            return value
        }
        let end = try day(to, "to") ?? today
        let start = try day(from, "from") ?? end.advanced(by: -(defaultDays - 1))
        guard start <= end else {
            throw .invalidRequest(
                "'from' (\(start)) must not be after 'to' (\(end)).", param: "from", code: "invalid_date_range")
        }
        guard start.distance(to: end) < maxDays else {
            throw .invalidRequest(
                "The range \(start) to \(end) is \(start.distance(to: end) + 1) days; a report covers at most "
                    + "\(maxDays) days.", param: "from", code: "invalid_date_range")
        }
        var dimensions: [Dimension] = [.model, .day]
        if let groupBy, !groupBy.isEmpty {
            dimensions = []
            for part in groupBy.split(separator: ",") {
                let name = String(part.filter { !$0.isWhitespace }).lowercased()
                let alias = ["date": "day", "alias": "model", "api_key": "key"][name] ?? name
                guard let dimension = Dimension(rawValue: alias) else {
                    throw .invalidRequest(
                        "'group_by' takes a comma-separated list of model, day and key; got '\(part.prefix(40))'.",
                        param: "group_by")
                }
                if !dimensions.contains(dimension) { dimensions.append(dimension) }
            }
        }
        return UsageQuery(tenant: tenant, from: start, to: end, groupBy: dimensions)
    }
}
