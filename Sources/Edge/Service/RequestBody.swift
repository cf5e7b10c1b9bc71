import GatewayCore
import GatewaySchema
import HTTPTypes
import Hummingbird

/// Reading request bodies with the gateway's limits: 413 over the size limit, 400 for invalid JSON or nesting
/// deeper than the limit.
public struct BodyLimits: Sendable {
    public var maxBytes: Int
    public var maxDepth: Int
    public init(maxBytes: Int, maxDepth: Int) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    public func readBytes(_ request: Request) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
            throw GatewayError.bodyTooLarge(limit: maxBytes)
        }
        do {
            return try await request.body.collect(upTo: maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw GatewayError.bodyTooLarge(limit: maxBytes)
        }
    }

    /// The body as a JSON object.
    public func readJSONObject(_ request: Request) async throws -> JSONObject {
        let buffer = try await readBytes(request)
        let value: JSONValue
        do {
            value = try buffer.withUnsafeReadableBytes { try JSONParser.parse($0, maxDepth: maxDepth) }
        } catch let error as JSONParseError {
            if error.kind == .tooDeep {
                throw GatewayError.invalidRequest(
                    "The request body nests JSON deeper than the limit of \(maxDepth) levels.", code: "json_too_deep")
            }
            throw GatewayError.invalidJSON(error.description)
        }
        guard case .object(let object) = value else {
            throw GatewayError.invalidRequest("The request body must be a JSON object.")
        }
        return object
    }
}
