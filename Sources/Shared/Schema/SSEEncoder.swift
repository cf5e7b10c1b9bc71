/// Writes Server-Sent Events in the wire format.
public enum SSEEncoder {
    /// `data: [DONE]\n\n`, the OpenAI end-of-stream marker.
    public static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)

    /// Writes `event:`, `id:` and `retry:` lines when set, then one `data:` line per line of the payload
    /// (split at "\r\n", "\n" or "\r"), then the blank line that dispatches the event.
    /// - Precondition: `event` and `id` contain no line breaks (checked in debug builds).
    public static func encode(_ event: SSEEvent, into bytes: inout [UInt8]) {
        if let name = event.event {
            assert(!containsLineBreak(name.utf8), "SSE event name must not contain line breaks")
            appendField("event: ", name, into: &bytes)
        }
        if let id = event.id {
            assert(!containsLineBreak(id.utf8), "SSE id must not contain line breaks")
            appendField("id: ", id, into: &bytes)
        }
        if let retry = event.retry {
            appendField("retry: ", String(retry), into: &bytes)
        }
        var data = event.data
        data.withUTF8 { utf8 in
            var lineStart = 0
            var i = 0
            while i < utf8.count {
                let byte = utf8[i]
                guard byte == 0x0A || byte == 0x0D else {
                    i &+= 1
                    continue
                }
                appendDataLine(UnsafeBufferPointer(rebasing: utf8[lineStart..<i]), into: &bytes)
                i &+= (byte == 0x0D && i &+ 1 < utf8.count && utf8[i &+ 1] == 0x0A) ? 2 : 1
                lineStart = i
            }
            appendDataLine(UnsafeBufferPointer(rebasing: utf8[lineStart...]), into: &bytes)
        }
        bytes.append(0x0A)
    }

    /// Fast path: `data: ` + payload + `\n\n`.
    /// - Precondition: `payload` contains no "\n" or "\r" (checked in debug builds).
    public static func data(_ payload: [UInt8], into bytes: inout [UInt8]) {
        assert(!containsLineBreak(payload), "SSE data payload must not contain line breaks")
        bytes.reserveCapacity(bytes.count + payload.count + 8)
        bytes.append(contentsOf: dataPrefix)
        bytes.append(contentsOf: payload)
        bytes.append(0x0A)
        bytes.append(0x0A)
    }

    /// Fast path for named events: `event: ` + name + `\ndata: ` + payload + `\n\n` (the Responses API's
    /// stream events).
    /// - Precondition: neither `name` nor `payload` contains "\n" or "\r" (checked in debug builds).
    public static func event(_ name: String, data payload: [UInt8], into bytes: inout [UInt8]) {
        assert(!containsLineBreak(name.utf8), "SSE event name must not contain line breaks")
        bytes.append(contentsOf: eventPrefix)
        bytes.append(contentsOf: name.utf8)
        bytes.append(0x0A)
        data(payload, into: &bytes)
    }

    private static let eventPrefix: [UInt8] = Array("event: ".utf8)
    private static let dataPrefix: [UInt8] = Array("data: ".utf8)

    private static func appendDataLine(_ line: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: dataPrefix)
        bytes.append(contentsOf: line)
        bytes.append(0x0A)
    }

    private static func appendField(_ prefix: StaticString, _ value: String, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        bytes.append(contentsOf: value.utf8)
        bytes.append(0x0A)
    }

    /// Whether `bytes` has a line break, which one `data:` line cannot carry. Inlinable, so that a caller in
    /// another module gets a loop over its own buffer type rather than unspecialised generic iteration.
    @inlinable
    public static func containsLineBreak(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.contains { $0 == 0x0A || $0 == 0x0D }
    }
}
