/// Why an event document could not be read.
public enum LambdaEventError: Error, Sendable, Equatable {
    case invalidJSON
    /// A required field is missing or has the wrong type.
    case missingField(String)
    /// `isBase64Encoded` is true but the body is not base64.
    case invalidBase64Body
}
