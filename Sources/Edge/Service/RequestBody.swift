import GatewayCore
import GatewaySchema
import HTTPTypes
import Hummingbird
import NIOHTTP1

/// Reading request bodies with the gateway's limits: 413 over the size limit, 400 for invalid JSON or nesting
/// deeper than the limit, 499 (`client_closed_request`) when the client leaves before its body ends.
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
        } catch let error as HTTPParserError where error != .invalidEOFState {
            // Bad framing (a malformed chunk): the codec answers 400 and closes; the audit says so too.
            throw GatewayError.invalidRequest("The request body is malformed: \(error).", code: "malformed_body")
        } catch {
            // The connection ended before the body did (`invalidEOFState`), or the server is cancelling the read.
            throw GatewayError.clientClosedRequest()
        }
    }

    /// The body as a JSON object.
    public func readJSONObject(_ request: Request) async throws -> JSONObject {
        let buffer = try await readBytes(request)
        return try object(parsing: buffer.withUnsafeReadableBytes { try JSONParser.parse($0, maxDepth: maxDepth) })
    }

    /// The body as a JSON object kept as its text (`RequestDocument`), with the elements of the array member
    /// `elementsOf` located too; the same errors as `readJSONObject`.
    public func readJSONDocument(_ request: Request, elementsOf key: String? = nil) async throws -> RequestDocument {
        let bytes = Array(buffer: try await readBytes(request))
        let skimmed = try mapped { () throws(JSONParseError) in
            try JSONObjectText.skim(bytes, maxDepth: maxDepth, elementsOf: key)
        }
        if let skimmed { return RequestDocument(text: skimmed) }
        // Valid JSON, but not an object, or an object that repeats a key: parsed.
        return RequestDocument(try object(parsing: JSONParser.parse(bytes, maxDepth: maxDepth)))
    }

    func object(parsing parse: @autoclosure () throws -> JSONValue) throws -> JSONObject {
        guard case .object(let object) = try mapped(parse) else {
            throw GatewayError.invalidRequest("The request body must be a JSON object.")
        }
        return object
    }

    /// `body`'s result, its parse errors as the client's 400s.
    func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as JSONParseError {
            if error.kind == .tooDeep {
                throw GatewayError.invalidRequest(
                    "The request body nests JSON deeper than the limit of \(maxDepth) levels.", code: "json_too_deep")
            }
            throw GatewayError.invalidJSON(error.description)
        }
    }
}
