#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Wall-clock time, injectable so window and expiry logic can be tested.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

extension Date {
    /// Unix seconds.
    public var unixSeconds: Int { Int(timeIntervalSince1970) }
}

/// Monotonic elapsed-time helper.
public struct Stopwatch: Sendable {
    let start: ContinuousClock.Instant
    public init() { start = ContinuousClock.now }
    public var elapsed: Duration { ContinuousClock.now - start }
    public var elapsedMilliseconds: Double {
        let c = elapsed.components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
