import GatewayBackends
import GatewayCore
import TestSupport
import Testing

/// A batch's decisions (`QuotaBatch`, what `PostgresQuotaStore` answers for requests it sent as one statement) are
/// those of the same requests consuming one after another, as `MemoryQuotaStore` decides them.
@Suite struct QuotaBatchTests {
    @Test(arguments: 0..<300)
    func aBatchDecidesAsTheSameRequestsOneAfterAnother(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        let now = 1_800_000_030
        let checks = (0..<Int(random.next() % 3 + 1)).map { index in
            QuotaCheck(scope: "s\(index)", limit: Int(random.next() % 12), window: index % 2 == 0 ? .minute : .day)
        }
        let countsBefore = checks.map { _ in Int(random.next() % 10) }
        let units = Int(random.next() % 4)
        let size = Int(random.next() % 8 + 1)

        let memory = MemoryQuotaStore()
        // The counts before the batch, put there by earlier requests that were admitted.
        for (check, count) in zip(checks, countsBefore) where count > 0 {
            let unlimited = QuotaCheck(scope: check.scope, limit: .max, window: check.window)
            _ = memory.consumeNow([unlimited], units: count, now: now)
        }
        let sequential = (0..<size).map { _ in memory.consumeNow(checks, units: units, now: now) }

        let admitted = QuotaBatch.admitted(
            countsBefore: countsBefore, limits: checks.map(\.limit), units: units, size: size)
        #expect(admitted == sequential.filter(\.allowed).count)
        let batch = QuotaBatch(checks: checks, units: units, countsBefore: countsBefore, admitted: admitted)
        for position in 0..<size {
            #expect(batch.decision(at: position, now: now) == sequential[position], "position \(position)")
        }
    }
}
