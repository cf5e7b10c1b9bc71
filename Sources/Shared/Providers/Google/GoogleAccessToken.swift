#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An OAuth 2 access token and when it stops working. `description` never shows the token.
public struct GoogleAccessToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var value: String
    public var expiresAt: Date

    public init(value: String, expiresAt: Date) {
        self.value = value
        self.expiresAt = expiresAt
    }

    public var description: String {
        "GoogleAccessToken(expiresAt: \(Int(expiresAt.timeIntervalSince1970)), value: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self, children: ["expiresAt": Int(expiresAt.timeIntervalSince1970), "value": "<redacted>"],
            displayStyle: .struct)
    }
}
