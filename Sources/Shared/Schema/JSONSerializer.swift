/// Compact JSON serialization (no whitespace, object keys in stored order, numbers from their raw text).
///
/// String escaping is the minimal JSONSerialization/OpenAI-compatible form: `"` and `\` are backslash-escaped,
/// `\n \r \t \b \f` use short escapes, other bytes below 0x20 use `\u00xx` (lowercase hex); everything else,
/// including `/`, non-ASCII and U+2028/U+2029, is written as raw UTF-8.
extension JSONValue {
    public func serialize(into bytes: inout [UInt8]) {
        switch self {
        case .null:
            bytes.append(contentsOf: JSONSerializer.nullBytes)
        case .bool(let value):
            bytes.append(contentsOf: value ? JSONSerializer.trueBytes : JSONSerializer.falseBytes)
        case .number(let number):
            JSONSerializer.appendRaw(number.raw, into: &bytes)
        case .string(let string):
            JSONSerializer.appendString(string, into: &bytes)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            var first = true
            for element in array {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                element.serialize(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for entry in object.entries {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                JSONSerializer.appendString(entry.key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                entry.value.serialize(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        serialize(into: &bytes)
        return bytes
    }

    /// Compact JSON text.
    public var jsonString: String {
        String(decoding: serialized(), as: UTF8.self)
    }
}

enum JSONSerializer {
    static let nullBytes: [UInt8] = Array("null".utf8)
    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    @inline(__always)
    static func appendRaw(_ text: String, into bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    static func appendString(_ string: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { appendEscaped($0, into: &bytes) }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        var runStart = 0
        var i = 0
        var highBits: UInt8 = 0
        while true {
            i = ByteScan.firstSpecial(in: utf8, from: i, highBits: &highBits)
            guard i < utf8.count else { break }
            let byte = utf8[i]
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            default:
                bytes.append(UInt8(ascii: "u"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(UInt8(ascii: "0"))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0xF)])
            }
            i &+= 1
            runStart = i
        }
        if runStart < utf8.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }
}
