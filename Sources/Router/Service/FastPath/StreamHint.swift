import GatewaySchema

/// Tells, from a request body's bytes and without parsing it, that it asks for a stream, so that the fast path
/// leaves it to the server at once instead of reading it twice. A hint: true when a key `"stream"` anywhere is
/// followed by `true`; a body it misjudges (a nested key of that name, say) only loses the fast path, since the
/// body's own reading decides everything else.
enum StreamHint {
    static let key: [UInt8] = Array(#""stream""#.utf8)

    static func asksForStream(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var from = 0
        while let hit = ByteScan.firstIndex(of: key, in: bytes, from: from) {
            var index = hit + key.count
            skipSpace(bytes, &index)
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                index += 1
                skipSpace(bytes, &index)
                if index < bytes.count, bytes[index] == UInt8(ascii: "t") { return true }
            }
            from = hit + 1
        }
        return false
    }

    static func skipSpace(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }
}
