/// Strict UTF-8 decoding without generic stdlib entry points.
enum UTF8Validation {
    /// Builds a `String` from bytes, or `nil` if they are not valid UTF-8.
    ///
    /// Decodes once with the stdlib's repairing fast path, then detects repairs by comparing the result with the
    /// input (any U+FFFD substitution changes the bytes at the first invalid position).
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> String? {
        var string = String(decoding: bytes, as: UTF8.self)
        if isASCII { return string }
        let unchanged = string.withUTF8 { ByteScan.equal($0, bytes) }
        return unchanged ? string : nil
    }
}

extension UTF8Validation {
    /// Whether `bytes` are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
    /// U+10FFFF), without building a string.
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        var i = 0
        while i < count {
            let lead = bytes[i]
            if lead < 0x80 {
                i &+= 1
                // Runs of ASCII eight bytes at a time.
                while i &+ 8 <= count,
                    UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080
                        == 0
                {
                    i &+= 8
                }
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                high = 0x9F
            case 0xF0:
                length = 4
                low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F
            default: return false
            }
            guard i &+ length <= count else { return false }
            let second = bytes[i &+ 1]
            guard second >= low && second <= high else { return false }
            var k = 2
            while k < length {
                guard bytes[i &+ k] & 0xC0 == 0x80 else { return false }
                k &+= 1
            }
            i &+= length
        }
        return true
    }
}
