/// Strict RFC 8259 JSON parser working directly on UTF-8 bytes.
///
/// Recursion depth is bounded by `maxDepth`; numbers keep their source text; strings are UTF-8 validated.
public enum JSONParser {
    public static let defaultMaxDepth = 64

    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        guard !bytes.isEmpty else { throw JSONParseError(.empty, at: 0) }
        let result = bytes.withMemoryRebound(to: UInt8.self) { buffer in
            var parser = JSONByteParser(buffer, maxDepth: maxDepth)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        return try result.get()
    }

    /// Accepts `[UInt8]`, `ArraySlice<UInt8>`, `String.UTF8View`, … (contiguous storage is used without copying).
    public static func parse(
        _ bytes: some Sequence<UInt8>, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        let fast = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth) }
        }
        if let fast { return try fast.get() }
        return try Array(bytes).withUnsafeBytes { raw in
            Result { () throws(JSONParseError) in try parse(raw, maxDepth: maxDepth) }
        }.get()
    }

    public static func parse(_ string: String, maxDepth: Int = defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var string = string
        return try string.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth) }
        }.get()
    }
}
