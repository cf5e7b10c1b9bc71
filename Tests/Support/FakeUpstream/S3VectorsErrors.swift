import Foundation
import HTTPTypes
import Hummingbird

/// S3 Vectors (rest-json) errors: `{"message":…}` with the code in `x-amzn-ErrorType`, and the statuses of the
/// service model (`ValidationException` 400, `AccessDeniedException` 403, `NotFoundException` 404,
/// `ConflictException` 409, `TooManyRequestsException` 429).
struct S3VectorsError: Error {
    let status: Int
    let code: String
    let message: String

    static func validation(_ message: String) -> S3VectorsError {
        S3VectorsError(status: 400, code: "ValidationException", message: message)
    }

    static let bucketNotFound = S3VectorsError(
        status: 404, code: "NotFoundException", message: "The specified vector bucket could not be found")
    static let indexNotFound = S3VectorsError(
        status: 404, code: "NotFoundException", message: "The specified index could not be found")
    static let bucketExists = S3VectorsError(
        status: 409, code: "ConflictException", message: "A vector bucket with the specified name already exists")
    static let indexExists = S3VectorsError(
        status: 409, code: "ConflictException", message: "An index with the specified name already exists")
    static let unsigned = S3VectorsError(
        status: 403, code: "AccessDeniedException", message: "Missing or malformed SigV4 authentication")

    static func unknownOperation(_ path: String) -> S3VectorsError {
        S3VectorsError(status: 404, code: "UnknownOperationException", message: "Unknown operation \(path)")
    }

    var response: Response {
        var json = JSONText(capacity: 128)
        json.raw("{\"message\":")
        json.string(message)
        json.raw("}")
        let headers: HTTPFields = [
            .contentType: "application/json", BedrockErrors.errorTypeHeader: code,
            BedrockErrors.requestIDHeader: UUID().uuidString.lowercased(),
        ]
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: json.byteBuffer)
        )
    }
}
