/// Incremental decoder for the AWS event-stream framing.
///
/// Each message is `total length (u32) | headers length (u32) | prelude CRC (u32) | headers | payload |
/// message CRC (u32)`, big-endian, CRC-32 (IEEE) over the first 8 bytes and over everything before the last 4.
/// Feed bytes split anywhere; complete messages are returned as soon as their last byte arrives. The prelude CRC
/// and lengths are checked as soon as 12 bytes are buffered, so a corrupted length fails at once instead of
/// waiting for bytes that never come.
///
/// After an error the stream cannot be resynchronised: every later call throws the same error. When a chunk
/// completes some messages before the corruption, those messages are returned and the error is thrown by the
/// next `feed` or `finish`.
public struct EventStreamDecoder: Sendable {
    /// 16 MiB.
    public static let defaultMaxMessageSize = 16 * 1024 * 1024
    static let preludeLength = 12
    static let minimumMessageLength = 16

    public let maxMessageSize: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var failure: EventStreamError?

    public init(maxMessageSize: Int = defaultMaxMessageSize) {
        self.maxMessageSize = maxMessageSize
    }

    /// Bytes received but not yet part of a returned message.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Appends `bytes` and returns every message completed by them.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(EventStreamError) -> [EventStreamMessage] {
        if let failure { throw failure }
        buffer.append(contentsOf: bytes)
        var messages: [EventStreamMessage] = []
        do throws(EventStreamError) {
            while let message = try nextMessage() { messages.append(message) }
        } catch {
            failure = error
            if messages.isEmpty { throw error }
        }
        compact()
        return messages
    }

    /// Call at the end of the stream: throws if it ended inside a message or after a decoding error.
    public func finish() throws(EventStreamError) {
        if let failure { throw failure }
        if bufferedByteCount > 0 { throw .truncated(bufferedBytes: bufferedByteCount) }
    }

    private mutating func nextMessage() throws(EventStreamError) -> EventStreamMessage? {
        let available = buffer.count - start
        guard available >= Self.preludeLength else { return nil }
        let total = readUInt32(at: start)
        let headersLength = readUInt32(at: start + 4)
        let preludeCRC = readUInt32(at: start + 8)
        let computedPrelude = CRC32.checksum(buffer[start..<(start + 8)])
        guard computedPrelude == preludeCRC else {
            throw .preludeChecksumMismatch(expected: preludeCRC, computed: computedPrelude)
        }
        guard total >= UInt32(Self.minimumMessageLength), UInt64(headersLength) + 16 <= UInt64(total) else {
            throw .invalidLengths(total: total, headers: headersLength)
        }
        guard UInt64(total) <= UInt64(maxMessageSize) else {
            throw .messageTooLarge(size: Int(total), limit: maxMessageSize)
        }
        let length = Int(total)
        guard available >= length else { return nil }
        let end = start + length
        let messageCRC = readUInt32(at: end - 4)
        let computedMessage = CRC32.checksum(buffer[start..<(end - 4)])
        guard computedMessage == messageCRC else {
            throw .messageChecksumMismatch(expected: messageCRC, computed: computedMessage)
        }
        let headersStart = start + Self.preludeLength
        let payloadStart = headersStart + Int(headersLength)
        let headers = try EventStreamHeaderCodec.decode(buffer[headersStart..<payloadStart])
        let message = EventStreamMessage(headers: headers, payload: Array(buffer[payloadStart..<(end - 4)]))
        start = end
        return message
    }

    private func readUInt32(at offset: Int) -> UInt32 {
        UInt32(buffer[offset]) << 24 | UInt32(buffer[offset + 1]) << 16 | UInt32(buffer[offset + 2]) << 8
            | UInt32(buffer[offset + 3])
    }

    private mutating func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
        } else if start > 4096 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
    }
}
