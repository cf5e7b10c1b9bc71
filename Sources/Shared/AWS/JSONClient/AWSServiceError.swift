import GatewaySchema

/// An error answer of an AWS JSON service: the HTTP status, the error code (`NotFoundException`,
/// `ThrottlingException`, …) and the service's message. It never contains request headers or credentials.
public struct AWSServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    /// The error code without its namespace (`com.amazonaws.s3vectors#NotFoundException` → `NotFoundException`).
    public var code: String
    public var message: String
    /// `x-amzn-requestid`, for support cases.
    public var requestID: String?
    /// The error body's other members, which some errors carry for the caller (DynamoDB's
    /// `CancellationReasons` of a `TransactionCanceledException`, the `Item` of a `ConditionalCheckFailedException`
    /// asked for with `ReturnValuesOnConditionCheckFailure`). Never part of `description`.
    public var details: JSONObject

    public init(
        status: Int, code: String, message: String, requestID: String? = nil, details: JSONObject = JSONObject()
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.details = details
    }

    public var description: String { "\(code) (HTTP \(status)): \(message)" }

    /// Messages longer than this are cut (an error body is not a place for payloads).
    public static let maxMessageLength = 512

    /// Decodes an error answer of the AWS JSON protocols (rest-json, awsJson 1.0/1.1): the code from the
    /// `x-amzn-errortype` header, else the body's `__type`, `code` or `Code`; the message from `message` or
    /// `Message`. A code may carry a namespace (`ns#Code`) or a suffix (`Code:http://…`); both are removed.
    /// Without any code the status decides (`HTTP429`, `HTTP503`, …).
    public static func decode(
        status: Int, errorTypeHeader: String?, requestID: String? = nil, body: [UInt8]
    ) -> AWSServiceError {
        let object = (try? JSONParser.parse(body))?.objectValue
        // Some answers come as XML whatever the protocol (moto's and STS-style auth failures).
        let xml = object == nil ? String(decoding: body.prefix(4096), as: UTF8.self) : ""
        let rawCode =
            [
                errorTypeHeader, object?["__type"]?.stringValue, object?["code"]?.stringValue,
                object?["Code"]?.stringValue, xmlElement("Code", in: xml),
            ]
            .compactMap { $0 }.first { !$0.isEmpty }
        let code = rawCode.map(Self.normalizeCode) ?? "HTTP\(status)"
        var message =
            object?["message"]?.stringValue ?? object?["Message"]?.stringValue ?? object?["errorMessage"]?.stringValue
            ?? xmlElement("Message", in: xml) ?? "the service answered HTTP \(status)"
        if message.count > maxMessageLength { message = String(message.prefix(maxMessageLength)) + "…" }
        var details = object ?? JSONObject()
        for member in ["__type", "code", "Code", "message", "Message", "errorMessage"] {
            _ = details.removeValue(forKey: member)
        }
        return AWSServiceError(status: status, code: code, message: message, requestID: requestID, details: details)
    }

    /// The text of the first `<name>…</name>` of an XML error body.
    static func xmlElement(_ name: String, in text: String) -> String? {
        guard !text.isEmpty, let open = text.firstRange(of: "<\(name)>"),
            let close = text[open.upperBound...].firstRange(of: "</\(name)>")
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }

    /// `aws.protocoltests#FooError:http://internal.amazon.com/` → `FooError`.
    static func normalizeCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return String(code).trimmingSpaces
    }
}
