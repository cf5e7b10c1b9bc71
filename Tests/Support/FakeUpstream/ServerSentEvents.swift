import HTTPTypes
import Hummingbird
import NIOCore

/// Builds `text/event-stream` responses from a precomputed list of `data:` events.
struct ServerSentEvents {
    private(set) var events: [ByteBuffer] = []

    /// Appends `data: <json>\n\n`.
    mutating func append(_ json: JSONText) {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(json.bytes.count + 8)
        buffer.writeString("data: ")
        buffer.writeBytes(json.bytes)
        buffer.writeString("\n\n")
        events.append(buffer)
    }

    mutating func appendDone() {
        events.append(ByteBuffer(string: "data: [DONE]\n\n"))
    }

    /// Thrown from the body writer to cut a stream off (connection closed without `[DONE]`).
    struct AbortedStream: Error {}

    /// Streams the events, pausing `delayMilliseconds` between them; with `abortAfter`, only that many
    /// events are sent and the body then fails, which drops the connection mid-response.
    func response(delayMilliseconds: Int, abortAfter: Int? = nil) -> Response {
        let events = self.events
        let body = ResponseBody { writer in
            for (index, event) in events.enumerated() {
                if let abortAfter, index >= abortAfter { throw AbortedStream() }
                if index > 0, delayMilliseconds > 0 {
                    try await Task.sleep(for: .milliseconds(delayMilliseconds))
                }
                try await writer.write(event)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: body)
    }
}
