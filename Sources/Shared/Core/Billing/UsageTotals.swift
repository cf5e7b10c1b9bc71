/// Counters of a set of requests: the cells of every usage report.
public struct UsageTotals: Sendable, Equatable {
    public var requests = 0
    public var successful = 0
    /// Error responses and streams that failed after they started.
    public var failed = 0
    /// Requests the client abandoned before the response was complete.
    public var cancelled = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cachedInputTokens = 0
    /// The sum of the priced requests' costs.
    public var cost = USD.zero
    /// Requests that could not be priced (their cost is not in `cost`).
    public var unpriced = 0

    public init() {}

    public mutating func add(_ other: UsageTotals) {
        requests += other.requests
        successful += other.successful
        failed += other.failed
        cancelled += other.cancelled
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        cachedInputTokens += other.cachedInputTokens
        cost = cost + other.cost
        unpriced += other.unpriced
    }

    public mutating func add(_ event: AuditEvent) {
        requests += 1
        switch event.outcome {
        case .success: successful += 1
        case .error, .streamError: failed += 1
        case .clientDisconnect: cancelled += 1
        }
        inputTokens += event.promptTokens ?? 0
        outputTokens += event.completionTokens ?? 0
        cachedInputTokens += event.cachedTokens ?? 0
        if let value = event.cost { cost = cost + value } else { unpriced += 1 }
    }

    /// Successful requests as a share of all, nil when there were none.
    public var successRate: Double? { requests == 0 ? nil : Double(successful) / Double(requests) }
}

/// One cell of usage as a store aggregates it: a tenant's requests on one day, for one model alias and key.
public struct UsageRow: Sendable, Equatable {
    public var day: CalendarDay
    /// The alias the client asked for; nil for requests rejected before a model was known.
    public var model: String?
    public var keyID: String?
    public var keyLabel: String?
    public var totals: UsageTotals

    public init(day: CalendarDay, model: String?, keyID: String?, keyLabel: String?, totals: UsageTotals) {
        self.day = day
        self.model = model
        self.keyID = keyID
        self.keyLabel = keyLabel
        self.totals = totals
    }
}

/// What a request log returns for a usage query.
public struct UsageData: Sendable, Equatable {
    public var rows: [UsageRow]
    /// `provider/model` of requests that could not be priced, so an operator knows which prices to add.
    public var unpricedModels: [String]

    public init(rows: [UsageRow], unpricedModels: [String]) {
        self.rows = rows
        self.unpricedModels = unpricedModels
    }

    /// Whether an event counts in usage reports: the model calls (POST) of the query's tenant and days.
    /// Reads of the API (GET, DELETE) are in the request log but are not usage.
    public static func counts(_ event: AuditEvent, in query: UsageQuery) -> Bool {
        event.method == "POST" && (query.tenant == nil || event.tenant == query.tenant)
            && event.timestamp >= query.start && event.timestamp < query.end
    }

    /// Aggregates events the way every store does in its query language (for stores without one).
    public static func aggregate(_ events: some Sequence<AuditEvent>, query: UsageQuery) -> UsageData {
        var cells: [UsageCell: UsageRow] = [:]
        var unpriced = Set<String>()
        for event in events where counts(event, in: query) {
            let cell = UsageCell(day: CalendarDay(event.timestamp), model: event.alias, keyID: event.keyID)
            cells[
                cell,
                default: UsageRow(day: cell.day, model: cell.model, keyID: cell.keyID, keyLabel: nil, totals: .init())
            ]
            .totals.add(event)
            if let label = event.keyLabel { cells[cell]?.keyLabel = label }
            if event.cost == nil {
                unpriced.insert([event.provider, event.providerModel].compactMap { $0 }.joined(separator: "/"))
            }
        }
        return UsageData(
            rows: cells.values.sorted {
                ($0.day, $0.model ?? "", $0.keyID ?? "") < ($1.day, $1.model ?? "", $1.keyID ?? "")
            }, unpricedModels: unpriced.filter { !$0.isEmpty }.sorted())
    }
}

/// The grouping key of `UsageData.aggregate`.
private struct UsageCell: Hashable {
    var day: CalendarDay
    var model: String?
    var keyID: String?
}
