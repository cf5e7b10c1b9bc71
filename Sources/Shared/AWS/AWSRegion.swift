/// The AWS region a client talks to, from configuration or the standard environment variables.
public struct AWSRegion: Sendable, Hashable, CustomStringConvertible {
    public var name: String

    public init(_ name: String) { self.name = name }

    /// `AWS_REGION`, then `AWS_DEFAULT_REGION`.
    public static func fromEnvironment(_ environment: [String: String]) -> AWSRegion? {
        for variable in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let value = environment[variable], !value.isEmpty { return AWSRegion(value) }
        }
        return nil
    }

    public var description: String { name }
}
