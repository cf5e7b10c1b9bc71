import GatewayCore
import NIOCore

/// Speech audio that an upstream has started to send: its content type, and a pump that hands the bytes over
/// chunk by chunk as they arrive (nothing is buffered). The pump throws `ProviderError` if the upstream fails
/// midway, and stops (cancelling the upstream) when `write` throws.
public struct AudioStream: Sendable {
    public var contentType: String
    public var pump: @Sendable (_ write: (ByteBuffer) async throws -> Void) async throws -> Void

    public init(
        contentType: String, pump: @escaping @Sendable (_ write: (ByteBuffer) async throws -> Void) async throws -> Void
    ) {
        self.contentType = contentType
        self.pump = pump
    }

    /// All the audio, up to `limit` bytes.
    public func collect(limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        try await pump { chunk in
            guard bytes.count + chunk.readableBytes <= limit else {
                throw ProviderError(.invalidResponse, message: "the audio exceeds the size limit of \(limit) bytes")
            }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }
}

/// An upload's answer (transcripts: `json`, `verbose_json`, `text`, `srt`, `vtt`; image edits): buffered, or
/// for a streamed transcript (`stream=true`, an SSE answer) relayed as it arrives (`stream`, `body` empty).
public struct MediaResult: Sendable {
    public var contentType: String
    public var body: [UInt8]
    public var stream: AudioStream?

    public init(contentType: String, body: [UInt8]) {
        self.contentType = contentType
        self.body = body
    }

    /// A streamed answer.
    public init(streaming stream: AudioStream) {
        self.contentType = stream.contentType
        self.body = []
        self.stream = stream
    }
}
