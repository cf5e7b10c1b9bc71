import NIOCore

/// Minimal, allocation-light JSON text builder used for all responses.
///
/// Responses are written by hand (rather than via `JSONEncoder`) so that field order matches the real
/// OpenAI wire format exactly and explicit `null`s can be emitted cheaply.
struct JSONText {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    /// Appends raw, already valid JSON (or punctuation).
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends raw, already valid JSON held in a runtime string.
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func int(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func float(_ value: Float) {
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Appends `value` as a quoted, escaped JSON string.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [
                    0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)],
                ])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a JSON string or `null`.
    mutating func stringOrNull(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    var byteBuffer: ByteBuffer { ByteBuffer(bytes: bytes) }
}

extension JSONText {
    /// The JSON text of a single string value, e.g. for embedding into precomputed templates.
    static func quoted(_ value: String) -> String {
        var text = JSONText(capacity: value.utf8.count + 2)
        text.string(value)
        return String(decoding: text.bytes, as: UTF8.self)
    }
}
