/// A typed event-stream header value; the wire type ids are in `typeID`.
public enum EventStreamHeaderValue: Sendable, Hashable {
    /// Types 0 (true) and 1 (false); no value bytes.
    case bool(Bool)
    /// Type 2: signed 8-bit.
    case byte(Int8)
    /// Type 3: signed 16-bit, big-endian.
    case short(Int16)
    /// Type 4: signed 32-bit, big-endian.
    case int(Int32)
    /// Type 5: signed 64-bit, big-endian.
    case long(Int64)
    /// Type 6: bytes with a 16-bit length.
    case bytes([UInt8])
    /// Type 7: UTF-8 text with a 16-bit length.
    case string(String)
    /// Type 8: milliseconds since the Unix epoch, signed 64-bit.
    case timestamp(Int64)
    /// Type 9: 16 bytes, read big-endian (the first byte is the most significant).
    case uuid(UInt128)

    /// The wire type id.
    public var typeID: UInt8 {
        switch self {
        case .bool(let value): return value ? 0 : 1
        case .byte: return 2
        case .short: return 3
        case .int: return 4
        case .long: return 5
        case .bytes: return 6
        case .string: return 7
        case .timestamp: return 8
        case .uuid: return 9
        }
    }

    /// The text of a `.string` value.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value of any integer type (`byte`, `short`, `int`, `long`) widened to `Int64`.
    public var integerValue: Int64? {
        switch self {
        case .byte(let value): return Int64(value)
        case .short(let value): return Int64(value)
        case .int(let value): return Int64(value)
        case .long(let value): return value
        default: return nil
        }
    }

    /// The 16 bytes of a `.uuid` value, most significant first.
    public var uuidBytes: [UInt8]? {
        guard case .uuid(let value) = self else { return nil }
        return (0..<16).map { UInt8(truncatingIfNeeded: value >> (8 * (15 - $0))) }
    }
}
