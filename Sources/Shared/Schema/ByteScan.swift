#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte scanning: word-at-a-time (SWAR) helpers shared by the parser and the serializer, and substring search.
public enum ByteScan {
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

    /// The index of the first occurrence of `needle` in `bytes` at or after `start`; nil when there is none or
    /// `needle` is empty. Candidates are found with the C library's vectorised `memchr` and checked with `memcmp`:
    /// the standard library's `firstRange(of:)` runs unspecialised on byte buffers (generic metadata per element)
    /// and cost a streamed request a third of its CPU.
    public static func firstIndex(of needle: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int = 0) -> Int? {
        guard let first = needle.first, start >= 0, bytes.count - start >= needle.count, let base = bytes.baseAddress
        else { return nil }
        let lastStart = bytes.count - needle.count
        return needle.withUnsafeBytes { needle -> Int? in
            guard let needleBase = needle.baseAddress else { return nil }
            var position = start
            while position <= lastStart {
                guard let hit = memchr(base + position, Int32(first), lastStart + 1 - position) else { return nil }
                let index = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(hit, needleBase, needle.count) == 0 { return index }
                position = index + 1
            }
            return nil
        }
    }

    /// `firstIndex(of:in:from:)` in an array.
    public static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int = 0) -> Int? {
        bytes.withUnsafeBytes { firstIndex(of: needle, in: $0, from: start) }
    }
}
