#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Rate limits count in fixed calendar minutes. A test that needs all its requests in one window calls this
/// first: when fewer than `seconds` remain in the current minute, it waits for the next one to begin.
public func avoidMinuteBoundary(_ seconds: Double = 15) async throws {
    let intoMinute = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 60)
    if intoMinute > 60 - seconds {
        try await Task.sleep(for: .milliseconds(Int((60 - intoMinute + 0.2) * 1000)))
    }
}
