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
