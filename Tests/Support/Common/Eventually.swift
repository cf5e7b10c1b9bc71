/// Waits until `condition` holds (checking `every` 200 ms unless told), up to `timeout`; returns whether it did. For results of
/// work done off the request's path (the request log, a broker), instead of a fixed sleep that a slow machine
/// outlasts.
public func eventually(
    timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(200),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
