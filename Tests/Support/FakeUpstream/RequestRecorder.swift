import Foundation
import NIOCore
import Synchronization

/// One recorded request; the body is kept as raw bytes and only parsed when the log is read.
struct RecordedRequest: Sendable {
    var method: String
    /// The path as sent on the wire (still percent-encoded), without the query.
    var path: String
    /// The raw query string (after `?`), still percent-encoded.
    var query: String?
    var authorization: String?
    var headers: [(name: String, value: String)]
    var body: ByteBuffer?
}

/// Ring buffer of the last `capacity` requests to the faked APIs (`/v1/*`, `/model/*`, `/token`), served by
/// `GET /_fake/requests`.
final class RequestRecorder: Sendable {
    let capacity: Int
    private let state: Mutex<Ring>

    private struct Ring {
        var items: [RecordedRequest] = []
        /// Index of the oldest item once the buffer is full.
        var start = 0
    }

    init(capacity: Int = 2000) {
        self.capacity = capacity
        self.state = Mutex(Ring())
    }

    func record(_ request: RecordedRequest) {
        state.withLock { ring in
            if ring.items.count < capacity {
                ring.items.append(request)
            } else {
                ring.items[ring.start] = request
                ring.start = (ring.start + 1) % capacity
            }
        }
    }

    func clear() {
        state.withLock { $0 = Ring() }
    }

    /// Recorded requests, oldest first.
    func snapshot() -> [RecordedRequest] {
        state.withLock { ring in
            Array(ring.items[ring.start...] + ring.items[..<ring.start])
        }
    }

    /// The log as a JSON array of `{"method","path","query","authorization","headers","body","raw_body"}`:
    /// `body` is the parsed JSON (or null), `raw_body` the exact body text (or null when empty), so that
    /// signatures over the bytes can be checked; a body that is not UTF-8 appears as `raw_body_base64`.
    func jsonBytes() throws -> Data {
        let entries: [[String: Any]] = snapshot().map { request in
            var headers: [String: String] = [:]
            for (name, value) in request.headers {
                if let existing = headers[name] {
                    headers[name] = existing + ", " + value
                } else {
                    headers[name] = value
                }
            }
            var body: Any = NSNull()
            if let buffer = request.body, buffer.readableBytes > 0,
                let parsed = try? JSONSerialization.jsonObject(
                    with: Data(buffer.readableBytesView), options: [.fragmentsAllowed])
            {
                body = parsed
            }
            var entry: [String: Any] = [
                "method": request.method,
                "path": request.path,
                "query": request.query.map { $0 as Any } ?? NSNull(),
                "authorization": request.authorization.map { $0 as Any } ?? NSNull(),
                "headers": headers,
                "body": body,
                "raw_body": NSNull(),
            ]
            if let buffer = request.body, buffer.readableBytes > 0 {
                let bytes = Array(buffer.readableBytesView)
                if let text = String(validating: bytes, as: UTF8.self) {
                    entry["raw_body"] = text
                } else {
                    entry["raw_body_base64"] = Data(bytes).base64EncodedString()
                }
            }
            return entry
        }
        return try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
