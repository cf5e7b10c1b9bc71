/// Why a service-account key file cannot be used. Messages name fields, never values.
public struct GoogleServiceAccountError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { "Google service account: \(message)" }
}
