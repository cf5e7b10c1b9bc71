/// Encodes event-stream messages (the inverse of `EventStreamDecoder`).
public enum EventStreamEncoder {
    /// The framed bytes of `message`. Throws when a header name is empty or longer than 255 bytes, a string or
    /// bytes value is longer than 65535 bytes, or the message would not fit the 32-bit length.
    public static func encode(_ message: EventStreamMessage) throws(EventStreamError) -> [UInt8] {
        var headerBytes: [UInt8] = []
        try EventStreamHeaderCodec.encode(message.headers, into: &headerBytes)
        let total = 16 + headerBytes.count + message.payload.count
        guard total <= Int(UInt32.max) else { throw .messageTooLarge(size: total, limit: Int(UInt32.max)) }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        EventStreamHeaderCodec.append(UInt64(total), bytes: 4, to: &out)
        EventStreamHeaderCodec.append(UInt64(headerBytes.count), bytes: 4, to: &out)
        EventStreamHeaderCodec.append(UInt64(CRC32.checksum(out)), bytes: 4, to: &out)
        out += headerBytes
        out += message.payload
        EventStreamHeaderCodec.append(UInt64(CRC32.checksum(out)), bytes: 4, to: &out)
        return out
    }
}
