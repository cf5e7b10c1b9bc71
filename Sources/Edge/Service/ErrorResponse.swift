import GatewayCore
import GatewaySchema
import HTTPTypes
import Hummingbird

extension GatewayError {
    /// The OpenAI error envelope with this error's status and headers.
    public var response: Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        for header in self.headers {
            if let name = HTTPField.Name(header.name) { headers[name] = header.value }
        }
        let body = envelope.serialized()
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Maps any error thrown below the edge to what the client sees.
    public static func from(_ error: any Error, path: String, method: String) -> GatewayError {
        if let error = error as? GatewayError { return error }
        if let error = error as? HTTPError {
            switch error.status {
            case .notFound: return .notFound(path)
            case .methodNotAllowed: return .methodNotAllowed(method, path)
            case .contentTooLarge:
                return GatewayError(
                    status: 413, type: "invalid_request_error", code: "request_too_large",
                    message: "The request body is too large.")
            default:
                return GatewayError(
                    status: Int(error.status.code), type: "invalid_request_error", code: nil,
                    message: error.body ?? error.status.reasonPhrase)
            }
        }
        return .internalError()
    }
}
