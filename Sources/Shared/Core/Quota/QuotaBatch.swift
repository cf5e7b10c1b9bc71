/// Requests over the same counters decided in one atomic step, as if they had consumed one after another in
/// their order: the first `admitted` are admitted, each seeing the counts its predecessors left; the rest are
/// refused on the counts after the admitted ones, and counted nowhere.
public struct QuotaBatch: Sendable, Hashable {
    public var checks: [QuotaCheck]
    public var units: Int
    /// The counters' counts before the batch, in the order of `checks`.
    public var countsBefore: [Int]
    /// How many of the batch's requests, from its first, were admitted.
    public var admitted: Int

    public init(checks: [QuotaCheck], units: Int, countsBefore: [Int], admitted: Int) {
        self.checks = checks
        self.units = units
        self.countsBefore = countsBefore
        self.admitted = admitted
    }

    /// How many of `size` requests the counts admit: as many as every limit has room for (with `units` 0, all or
    /// none: none once a count is over its limit).
    public static func admitted(countsBefore: [Int], limits: [Int], units: Int, size: Int) -> Int {
        guard units > 0 else { return zip(countsBefore, limits).allSatisfy { $0 + units <= $1 } ? size : 0 }
        return zip(countsBefore, limits).reduce(size) { admitted, counter in
            min(admitted, max(0, (counter.1 - counter.0) / units))
        }
    }

    /// The decision for the request at `position` (from 0) in the batch, at `now` (unix seconds).
    public func decision(at position: Int, now: Int) -> QuotaDecision {
        let before = min(position, admitted)
        var counters = zip(checks, countsBefore).map { check, count in
            QuotaCounterState(check: check, used: count + before * units, resetAt: check.window.end(of: now))
        }
        if position >= admitted {
            let exceeded = counters.first { $0.used + units > $0.check.limit } ?? counters.first
            return QuotaDecision(allowed: false, counters: counters, exceeded: exceeded)
        }
        for index in counters.indices { counters[index].used += units }
        return QuotaDecision(allowed: true, counters: counters, exceeded: nil)
    }
}
