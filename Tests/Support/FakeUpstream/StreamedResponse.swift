import HTTPTypes
import Hummingbird
import NIOCore

/// A 200 response whose body is written chunk by chunk, pausing `delayMilliseconds` between chunks.
enum StreamedResponse {
    static func make(
        _ chunks: [ByteBuffer], contentType: String, delayMilliseconds: Int, headers: HTTPFields = [:]
    ) -> Response {
        let body = ResponseBody { writer in
            for (index, chunk) in chunks.enumerated() {
                if index > 0, delayMilliseconds > 0 {
                    try await Task.sleep(for: .milliseconds(delayMilliseconds))
                }
                try await writer.write(chunk)
            }
            try await writer.finish(nil)
        }
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: .ok, headers: fields, body: body)
    }
}
