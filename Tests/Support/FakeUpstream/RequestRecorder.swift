import Foundation
import NIOCore
import Synchronization

/// One recorded request; the body is kept as raw bytes and only parsed when the log is read.
struct RecordedRequest: Sendable {
    var method: String
    var path: String
    var authorization: String?
    var headers: [(name: String, value: String)]
    var body: ByteBuffer?
}

/// Ring buffer of the last `capacity` requests to `/v1/*`, served by `GET /_fake/requests`.
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

    /// The log as a JSON array of `{"method","path","authorization","headers","body"}`.
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
            return [
                "method": request.method,
                "path": request.path,
                "authorization": request.authorization.map { $0 as Any } ?? NSNull(),
                "headers": headers,
                "body": body,
            ]
        }
        return try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
