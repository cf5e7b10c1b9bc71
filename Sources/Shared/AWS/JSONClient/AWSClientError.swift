/// A call to an AWS service that got no usable answer: the service could not be reached, did not answer in
/// time, or answered with something that is not the protocol's JSON. Messages never contain headers, URLs
/// with credentials, or request bodies.
public struct AWSClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case transport
        case timeout
        case invalidResponse
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
