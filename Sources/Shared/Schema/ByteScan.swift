/// Word-at-a-time (SWAR) byte scanning helpers shared by the parser and the serializer.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Index of the first `"`, `\` or control byte (< 0x20) at or after `start`, or `bytes.count`.
    /// Sets bit 7 of `highBits` if any byte before the returned index is non-ASCII.
    @inline(__always)
    static func firstSpecial(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, highBits: inout UInt8) -> Int {
        let count = bytes.count
        var i = start
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            var high: UInt64 = 0
            while i &+ 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let quote = word ^ (ones &* 0x22)
                let backslash = word ^ (ones &* 0x5C)
                let special =
                    ((quote &- ones) & ~quote)
                    | ((backslash &- ones) & ~backslash)
                    | ((word &- ones &* 0x20) & ~word)
                if special & highs != 0 { break }
                high |= word
                i &+= 8
            }
            if high & highs != 0 { highBits |= 0x80 }
        }
        while i < count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return i }
            highBits |= byte
            i &+= 1
        }
        return i
    }

    /// Byte-wise equality of two buffers.
    static func equal(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        guard let left = lhs.baseAddress, let right = rhs.baseAddress else { return true }
        let l = UnsafeRawPointer(left)
        let r = UnsafeRawPointer(right)
        var i = 0
        while i &+ 8 <= lhs.count {
            let leftWord = l.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            guard leftWord == r.loadUnaligned(fromByteOffset: i, as: UInt64.self) else { return false }
            i &+= 8
        }
        while i < lhs.count {
            if left[i] != right[i] { return false }
            i &+= 1
        }
        return true
    }
}
