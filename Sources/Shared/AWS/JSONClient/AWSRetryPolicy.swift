/// When and how long an AWS client waits before trying a call again: a bounded number of attempts with
/// full-jitter exponential backoff (`random(0, min(maxDelay, baseDelay × 2^retry))`, as the AWS SDKs do), on
/// throttling, server errors and transport failures.
public struct AWSRetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included (1 = never retry).
    public var maxAttempts: Int
    /// Seconds; the cap of the first backoff.
    public var baseDelay: Double
    /// Seconds; no backoff is longer.
    public var maxDelay: Double

    public init(maxAttempts: Int = 4, baseDelay: Double = 0.05, maxDelay: Double = 5) {
        precondition(maxAttempts >= 1 && baseDelay >= 0 && maxDelay >= 0)
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Error codes that mean "slow down" whatever the HTTP status.
    public static let throttlingCodes: Set<String> = [
        "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException",
        "RequestThrottled", "RequestThrottledException", "ProvisionedThroughputExceededException",
        "RequestLimitExceeded", "SlowDown", "TransactionInProgressException", "PriorRequestNotComplete",
        // DynamoDB: a write that met a transaction in progress; KMS behind SQS/Secrets Manager.
        "TransactionConflictException", "KmsThrottled", "KMSThrottlingException",
    ]

    /// Error codes of transient server-side failures that may come with a 4xx status.
    public static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException"]

    /// Whether a service error is worth another attempt: throttling (429 or a throttling code), a transient
    /// code, or any 5xx.
    public func isRetryable(_ error: AWSServiceError) -> Bool {
        error.status == 429 || error.status >= 500 || Self.throttlingCodes.contains(error.code)
            || Self.transientCodes.contains(error.code)
    }

    /// Seconds to wait before retry number `retry` (0 for the wait after the first attempt). `random` returns a
    /// value in `0..<1`; full jitter scales the exponential cap by it.
    public func delay(beforeRetry retry: Int, random: Double) -> Double {
        let exponent = min(retry, 30)
        let cap = min(maxDelay, baseDelay * Double(1 << exponent))
        return cap * min(max(random, 0), 1)
    }
}
