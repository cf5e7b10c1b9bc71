/// Incremental Server-Sent Events decoder following the WHATWG EventSource parsing rules.
///
/// Feed arbitrary byte chunks (split anywhere, even inside a multi-byte UTF-8 character or between "\r" and
/// "\n"); complete events are returned as soon as their terminating blank line arrives.
///
/// Deviations from / choices within the spec:
/// - `id` and `retry` are reported per event: only values set within that event's block, `nil` otherwise
///   (the spec's persistent last-event-ID is left to the caller). Blocks without data dispatch nothing.
/// - An empty `event:` value is reported as `nil` (the spec's default "message" type).
/// - At end of stream an unterminated final event is discarded, as the spec requires (see `finish()`).
/// - If an event exceeds `maxEventBytes`, `feed` throws after consuming the whole chunk: the oversized event (up
///   to its blank line) is skipped, and the other events completed in that chunk are returned by the next
///   `feed`/`finish` call.
public struct SSEDecoder: Sendable {
    public let maxEventBytes: Int

    /// Bytes of a line not yet terminated by the current chunk.
    private var partialLine: [UInt8] = []
    /// The previous chunk ended with "\r"; a "\n" starting the next chunk belongs to that line break.
    private var pendingCR = false
    private var atStreamStart = true
    /// Skipping the remainder of an oversized event until the next blank line.
    private var discarding = false
    private var dataBuffer: [UInt8] = []
    private var eventType: String?
    private var eventID: String?
    private var retry: Int?
    /// Events completed before an error was thrown; handed out by the next call.
    private var carriedEvents: [SSEEvent] = []

    public init(maxEventBytes: Int = 4 * 1024 * 1024) {
        self.maxEventBytes = maxEventBytes
    }

    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(SSEDecodeError) -> [SSEEvent] {
        let fast = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(SSEDecodeError) in try self.feed(UnsafeRawBufferPointer(buffer)) }
        }
        if let fast { return try fast.get() }
        return try Array(bytes).withUnsafeBytes { raw in
            Result { () throws(SSEDecodeError) in try self.feed(raw) }
        }.get()
    }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(SSEDecodeError) -> [SSEEvent] {
        var events = carriedEvents
        carriedEvents = []
        var overflowed = false
        let count = bytes.count
        var i = 0
        if pendingCR && count > 0 {
            pendingCR = false
            if bytes[0] == 0x0A { i = 1 }
        }
        while i < count {
            var end = i
            while end < count && bytes[end] != 0x0A && bytes[end] != 0x0D { end &+= 1 }
            let segment = UnsafeRawBufferPointer(rebasing: bytes[i..<end])
            guard end < count else {
                appendPartial(segment)
                if !discarding && partialLine.count + dataBuffer.count > maxEventBytes {
                    beginDiscarding()
                    overflowed = true
                }
                break
            }
            if partialLine.isEmpty {
                handleLine(segment, into: &events)
            } else {
                appendPartial(segment)
                var line: [UInt8] = []
                swap(&line, &partialLine)
                line.withUnsafeBytes { handleLine($0, into: &events) }
                line.removeAll(keepingCapacity: true)
                swap(&line, &partialLine)
            }
            if dataBuffer.count > maxEventBytes {
                beginDiscarding()
                overflowed = true
            }
            i = end &+ 1
            if bytes[end] == 0x0D {
                if i < count {
                    if bytes[i] == 0x0A { i &+= 1 }
                } else {
                    pendingCR = true
                }
            }
        }
        if overflowed {
            carriedEvents = events
            throw SSEDecodeError(message: "SSE event exceeds the maximum size of \(maxEventBytes) bytes")
        }
        return events
    }

    /// Ends the stream. Per the spec an unterminated final event (no blank line after it) is discarded, so this
    /// only returns events carried over from a failed `feed`. The decoder is reset for a new stream.
    public mutating func finish() -> [SSEEvent] {
        let events = carriedEvents
        self = SSEDecoder(maxEventBytes: maxEventBytes)
        return events
    }

    // MARK: - Internals

    private mutating func appendPartial(_ segment: UnsafeRawBufferPointer) {
        if discarding {
            // Only remember that the line is non-empty.
            if partialLine.isEmpty && !segment.isEmpty { partialLine.append(0) }
        } else {
            partialLine.append(contentsOf: segment)
        }
    }

    /// Drops the oversized event and skips everything up to the next blank line.
    private mutating func beginDiscarding() {
        let midLine = !partialLine.isEmpty
        partialLine.removeAll()
        if midLine { partialLine.append(0) }
        resetEvent()
        discarding = true
    }

    private mutating func resetEvent() {
        dataBuffer.removeAll(keepingCapacity: dataBuffer.capacity <= 64 * 1024)
        eventType = nil
        eventID = nil
        retry = nil
    }

    private mutating func handleLine(_ rawLine: UnsafeRawBufferPointer, into events: inout [SSEEvent]) {
        var line = rawLine
        if atStreamStart {
            atStreamStart = false
            if line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
                line = UnsafeRawBufferPointer(rebasing: line[3...])
            }
        }
        if line.isEmpty {
            if discarding {
                discarding = false
            } else if let event = dispatch() {
                events.append(event)
            }
            return
        }
        if discarding || line[0] == UInt8(ascii: ":") { return }
        var field = line
        var value = UnsafeRawBufferPointer(rebasing: line[line.count...])
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = UnsafeRawBufferPointer(rebasing: line[..<colon])
            var valueStart = colon &+ 1
            if valueStart < line.count && line[valueStart] == UInt8(ascii: " ") { valueStart &+= 1 }
            value = UnsafeRawBufferPointer(rebasing: line[valueStart...])
        }
        processField(field, value)
    }

    private mutating func processField(_ field: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) {
        if Self.equals(field, "data") {
            dataBuffer.append(contentsOf: value)
            dataBuffer.append(0x0A)
        } else if Self.equals(field, "event") {
            eventType = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        } else if Self.equals(field, "id") {
            if !value.contains(0) { eventID = String(decoding: value, as: UTF8.self) }
        } else if Self.equals(field, "retry") {
            if !value.isEmpty && value.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) {
                retry = Int(String(decoding: value, as: UTF8.self))
            }
        }
    }

    private mutating func dispatch() -> SSEEvent? {
        defer { resetEvent() }
        guard !dataBuffer.isEmpty else { return nil }
        dataBuffer.removeLast()
        return SSEEvent(event: eventType, data: String(decoding: dataBuffer, as: UTF8.self), id: eventID, retry: retry)
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let text = name.utf8Start
        for k in 0..<count where bytes[k] != text[k] {
            return false
        }
        return true
    }
}
