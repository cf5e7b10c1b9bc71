import GatewaySchema

/// A tenant's usage over a date range, in the shape the original gateway's `/v1/billing/usage` returned
/// (`tenantId`, `period`, `summary`, `byModel`, `byDate`), with `byKey`, cached tokens, cancelled and
/// unpriced requests added; also as CSV and as terminal tables.
public struct UsageReport: Sendable {
    public struct KeyUsage: Sendable, Equatable {
        public var keyID: String
        public var label: String?
        public var totals: UsageTotals
    }

    /// The model name shown for requests rejected before their model was known.
    public static let noModel = "(no model)"

    public var query: UsageQuery
    public var summary = UsageTotals()
    public var byModel: [(model: String, totals: UsageTotals)] = []
    /// Every day of the range, in order, zero-filled.
    public var byDate: [(day: CalendarDay, totals: UsageTotals)] = []
    public var byKey: [KeyUsage] = []
    public var unpricedModels: [String]
    let rows: [UsageRow]

    public init(query: UsageQuery, data: UsageData) {
        self.query = query
        self.rows = data.rows
        self.unpricedModels = data.unpricedModels
        var models: [String: UsageTotals] = [:]
        var days: [CalendarDay: UsageTotals] = [:]
        var keys: [String: KeyUsage] = [:]
        for row in data.rows {
            summary.add(row.totals)
            models[row.model ?? Self.noModel, default: .init()].add(row.totals)
            days[row.day, default: .init()].add(row.totals)
            let keyID = row.keyID ?? "-"
            keys[keyID, default: KeyUsage(keyID: keyID, label: row.keyLabel, totals: .init())].totals.add(row.totals)
            if let label = row.keyLabel { keys[keyID]?.label = label }
        }
        byModel = models.map { ($0.key, $0.value) }.sorted {
            Self.ranks($0.totals, $0.model, before: $1.totals, $1.model)
        }
        byDate = query.days.map { ($0, days[$0] ?? UsageTotals()) }
        byKey = keys.values.sorted { Self.ranks($0.totals, $0.keyID, before: $1.totals, $1.keyID) }
    }

    /// Most expensive first, then most used, then by name.
    static func ranks(_ a: UsageTotals, _ aName: String, before b: UsageTotals, _ bName: String) -> Bool {
        if a.cost != b.cost { return a.cost > b.cost }
        if a.requests != b.requests { return a.requests > b.requests }
        return aName < bName
    }

    public var tenantID: String { query.tenant ?? "*" }

    // MARK: JSON

    public var json: JSONValue {
        var object = JSONObject()
        object["object"] = .string("billing.usage")
        object["tenantId"] = .string(tenantID)
        object["period"] = .object(["from": .string(query.from.description), "to": .string(query.to.description)])
        object["currency"] = .string("USD")
        var summaryObject = JSONObject()
        summaryObject["totalRequests"] = int(summary.requests)
        summaryObject["successfulRequests"] = int(summary.successful)
        summaryObject["failedRequests"] = int(summary.failed)
        summaryObject["cancelledRequests"] = int(summary.cancelled)
        summaryObject["successRate"] = summary.successRate.map { .number(JSONNumber($0)) } ?? .null
        summaryObject["totalInputTokens"] = int(summary.inputTokens)
        summaryObject["totalOutputTokens"] = int(summary.outputTokens)
        summaryObject["totalCachedInputTokens"] = int(summary.cachedInputTokens)
        summaryObject["estimatedCostUsd"] = summary.cost.json
        summaryObject["unpricedRequests"] = int(summary.unpriced)
        object["summary"] = .object(summaryObject)
        if query.groupBy.contains(.model) {
            object["byModel"] = .array(
                byModel.map { .object(Self.cells($0.totals, leading: ["model": .string($0.model)])) })
        }
        if query.groupBy.contains(.day) {
            object["byDate"] = .array(
                byDate.map { .object(Self.cells($0.totals, leading: ["date": .string($0.day.description)])) })
        }
        if query.groupBy.contains(.key) {
            object["byKey"] = .array(
                byKey.map { key in
                    .object(
                        Self.cells(
                            key.totals,
                            leading: ["keyId": .string(key.keyID), "label": key.label.map(JSONValue.string) ?? .null]))
                })
        }
        object["unpricedModels"] = .array(unpricedModels.map(JSONValue.string))
        return .object(object)
    }

    func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }

    static func cells(_ totals: UsageTotals, leading: JSONObject) -> JSONObject {
        var object = leading
        object["requests"] = .number(JSONNumber(totals.requests))
        object["successfulRequests"] = .number(JSONNumber(totals.successful))
        object["failedRequests"] = .number(JSONNumber(totals.failed))
        object["cancelledRequests"] = .number(JSONNumber(totals.cancelled))
        object["inputTokens"] = .number(JSONNumber(totals.inputTokens))
        object["outputTokens"] = .number(JSONNumber(totals.outputTokens))
        object["cachedInputTokens"] = .number(JSONNumber(totals.cachedInputTokens))
        object["estimatedCostUsd"] = totals.cost.json
        object["unpricedRequests"] = .number(JSONNumber(totals.unpriced))
        return object
    }

    // MARK: CSV and tables

    static let counterHeaders = [
        "requests", "successful_requests", "failed_requests", "cancelled_requests", "input_tokens", "output_tokens",
        "cached_input_tokens", "estimated_cost_usd", "unpriced_requests",
    ]

    static func counters(_ totals: UsageTotals) -> [String] {
        [
            totals.requests, totals.successful, totals.failed, totals.cancelled, totals.inputTokens,
            totals.outputTokens, totals.cachedInputTokens,
        ].map(String.init) + [totals.cost.description, String(totals.unpriced)]
    }

    /// One line per combination of the grouping dimensions (in the order day, model, key), then the counters.
    /// Rows with no requests are left out, except that grouping by day alone lists every day.
    public var table: [[String]] {
        let dimensions = UsageQuery.Dimension.allCases.filter(query.groupBy.contains)
        var header: [String] = []
        for dimension in dimensions {
            switch dimension {
            case .day: header.append("date")
            case .model: header.append("model")
            case .key: header += ["key_id", "key_label"]
            }
        }
        if dimensions == [.day] {
            return [header + Self.counterHeaders] + byDate.map { [$0.day.description] + Self.counters($0.totals) }
        }
        struct Group: Hashable {
            var day: CalendarDay?
            var model: String?
            var keyID: String?
        }
        var groups: [Group: (label: String?, totals: UsageTotals)] = [:]
        for row in rows {
            let group = Group(
                day: dimensions.contains(.day) ? row.day : nil,
                model: dimensions.contains(.model) ? row.model ?? Self.noModel : nil,
                keyID: dimensions.contains(.key) ? row.keyID ?? "-" : nil)
            groups[group, default: (row.keyLabel, UsageTotals())].totals.add(row.totals)
            if let label = row.keyLabel { groups[group]?.label = label }
        }
        let ordered = groups.sorted { a, b in
            (a.key.day?.daysSinceEpoch ?? 0, a.key.model ?? "", a.key.keyID ?? "")
                < (b.key.day?.daysSinceEpoch ?? 0, b.key.model ?? "", b.key.keyID ?? "")
        }
        var lines = [header + Self.counterHeaders]
        for (group, value) in ordered {
            var line: [String] = []
            if let day = group.day { line.append(day.description) }
            if let model = group.model { line.append(model) }
            if let keyID = group.keyID { line += [keyID, value.label ?? ""] }
            lines.append(line + Self.counters(value.totals))
        }
        if dimensions.isEmpty { lines = [Self.counterHeaders, Self.counters(summary)] }
        return lines
    }

    /// RFC 4180 CSV; a cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, CR) is
    /// prefixed with `'` unless it is a number.
    public var csv: String {
        table.map { $0.map(Self.csvCell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func csvCell(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@\t\r".contains(first), USD(text) == nil { text = "'" + text }
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacing("\"", with: "\"\"") + "\""
        }
        return text
    }
}
