import GatewaySchema

/// A function error as Lambda reports it: `{errorMessage, errorType, stackTrace}`.
///
/// Throw one from a handler to control exactly what Lambda reports (an authorizer throws `.unauthorized`, whose
/// message API Gateway turns into a 401). Any other error is reported with its type name and description.
public struct LambdaFunctionError: Error, Sendable, Equatable {
    public var errorType: String
    public var errorMessage: String
    public var stackTrace: [String]

    public init(type: String, message: String, stackTrace: [String] = []) {
        self.errorType = type
        self.errorMessage = message
        self.stackTrace = stackTrace
    }

    /// `error` itself when it is a `LambdaFunctionError`, else its type name and description.
    public init(_ error: any Error) {
        if let error = error as? LambdaFunctionError {
            self = error
        } else {
            self.init(type: String(describing: type(of: error)), message: String(describing: error))
        }
    }

    /// What a TOKEN authorizer fails with to make API Gateway answer 401.
    public static let unauthorized = LambdaFunctionError(type: "Unauthorized", message: "Unauthorized")

    /// The body of an `/error` or `/init/error` POST (`application/vnd.aws.lambda.error+json`).
    public var requestBody: [UInt8] {
        let trace = stackTrace.map { JSONValue.string($0).jsonString }.joined(separator: ", ")
        let text =
            "{\"errorMessage\": \(JSONValue.string(errorMessage).jsonString), "
            + "\"errorType\": \(JSONValue.string(errorType).jsonString), \"stackTrace\": [\(trace)]}"
        return Array(text.utf8)
    }

    /// The value of the `Lambda-Runtime-Function-Error-Body` trailer of a stream that failed midway: base64 of
    /// `{"errorType":…,"errorMessage":…}`.
    public var trailerBody: String {
        let object: JSONObject = ["errorType": .string(errorType), "errorMessage": .string(errorMessage)]
        return Base64.encode(JSONValue.object(object).serialized())
    }
}
