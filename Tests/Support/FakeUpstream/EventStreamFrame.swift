import NIOCore

/// Encodes one AWS event-stream message (`application/vnd.amazon.eventstream`):
/// total length (4) · headers length (4) · prelude CRC32 (4) · headers · payload · message CRC32 (4),
/// big-endian, every header a string (type 7): name length (1) · name · 7 · value length (2) · value.
enum EventStreamFrame {
    static func encode(headers: [(name: String, value: String)], payload: [UInt8]) -> ByteBuffer {
        var headerBytes: [UInt8] = []
        for (name, value) in headers {
            headerBytes.append(UInt8(name.utf8.count))
            headerBytes.append(contentsOf: name.utf8)
            headerBytes.append(7)
            appendBigEndian(UInt16(value.utf8.count), to: &headerBytes)
            headerBytes.append(contentsOf: value.utf8)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 + headerBytes.count + payload.count)
        appendBigEndian(UInt32(16 + headerBytes.count + payload.count), to: &bytes)
        appendBigEndian(UInt32(headerBytes.count), to: &bytes)
        appendBigEndian(CRC32.checksum(bytes), to: &bytes)
        bytes.append(contentsOf: headerBytes)
        bytes.append(contentsOf: payload)
        appendBigEndian(CRC32.checksum(bytes), to: &bytes)
        return ByteBuffer(bytes: bytes)
    }

    /// An `event` message with a JSON payload.
    static func event(_ type: String, json: JSONText) -> ByteBuffer {
        encode(
            headers: [(":event-type", type), (":content-type", "application/json"), (":message-type", "event")],
            payload: json.bytes)
    }

    /// An `exception` message (a modelled error in the middle of a stream) with a JSON payload.
    static func exception(_ type: String, json: JSONText) -> ByteBuffer {
        encode(
            headers: [
                (":exception-type", type), (":content-type", "application/json"), (":message-type", "exception"),
            ],
            payload: json.bytes)
    }

    private static func appendBigEndian<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
