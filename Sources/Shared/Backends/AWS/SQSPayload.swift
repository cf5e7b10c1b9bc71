import GatewayAWS
import GatewayCore
import GatewaySchema

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Queue payloads as SQS message bodies. SQS bodies are text of a restricted character set (tab, line feed,
/// carriage return, U+0020–U+D7FF, U+E000–U+FFFD, U+10000 and above); a payload that is such text (the JSON the
/// gateway publishes) is the body as it is, anything else goes base64-encoded with the message attribute
/// `switchboard-encoding` = `base64`.
public enum SQSPayload {
    public static let encodingAttribute = "switchboard-encoding"

    static func message(id: String, payload: [UInt8]) -> SQSOutgoingMessage {
        if !payload.isEmpty, let text = String(validating: payload, as: UTF8.self),
            text.unicodeScalars.allSatisfy(allowed)
        {
            return SQSOutgoingMessage(id: id, body: text)
        }
        let body = payload.isEmpty ? "-" : Data(payload).base64EncodedString()
        return SQSOutgoingMessage(
            id: id, body: body, attributes: [encodingAttribute: payload.isEmpty ? "empty" : "base64"])
    }

    /// The payload of a received message; nil when its base64 body is damaged.
    static func payload(of message: SQSMessage) -> [UInt8]? {
        payload(body: message.body, encoding: message.attributes[encodingAttribute])
    }

    /// The payload of a message body with its `switchboard-encoding` attribute (nil when absent), however it was
    /// received (`ReceiveMessage`, or an SQS event delivered to a Lambda function); nil when a base64 body is
    /// damaged.
    public static func payload(body: String, encoding: String?) -> [UInt8]? {
        switch encoding {
        case "base64": Data(base64Encoded: body).map { Array($0) }
        case "empty": []
        default: Array(body.utf8)
        }
    }

    static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...: true
        default: false
        }
    }
}
