/// The recursive-descent engine behind `JSONParser`. Recursion depth is bounded by `maxDepth`.
struct JSONByteParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var pos = 0
    /// Reused buffer for strings containing escapes.
    private var scratch: [UInt8] = []
    /// Shared stacks holding the members of the containers currently being parsed.
    private var valueStack: [JSONValue] = []
    private var entryStack: [JSONObject.Entry] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard pos < bytes.count else { throw JSONParseError(.empty, at: pos) }
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard pos == bytes.count else { throw JSONParseError(.trailingData, at: pos, byte: bytes[pos]) }
        return value
    }

    // MARK: - Helpers

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < bytes.count && Self.isWhitespace(bytes[pos]) { pos &+= 1 }
    }

    /// JSON's insignificant whitespace: space, tab, line feed, carriage return.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x0A, 0x0D, 0x09: true
        default: false
        }
    }

    @inline(__always)
    func unexpected(at offset: Int) -> JSONParseError {
        offset < bytes.count
            ? JSONParseError(.unexpectedCharacter, at: offset, byte: bytes[offset])
            : JSONParseError(.unexpectedEnd, at: bytes.count)
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard pos < bytes.count else { throw JSONParseError(.unexpectedEnd, at: pos) }
        switch bytes[pos] {
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "{"):
            return .object(try parseObject(depth: depth &+ 1))
        case UInt8(ascii: "["):
            return .array(try parseArray(depth: depth &+ 1))
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw unexpected(at: pos)
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let text = literal.utf8Start
        for k in 0..<count {
            let offset = pos &+ k
            guard offset < bytes.count, bytes[offset] == text[k] else { throw unexpected(at: offset) }
        }
        pos &+= count
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> [JSONValue] {
        guard depth <= maxDepth else { throw JSONParseError(.tooDeep, at: pos, maxDepth: maxDepth) }
        pos &+= 1
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "]") {
            pos &+= 1
            return []
        }
        // Elements are collected on a shared stack and copied out once, sized exactly.
        let mark = valueStack.count
        while true {
            let element = try parseValue(depth: depth)
            valueStack.append(element)
            skipWhitespace()
            guard pos < bytes.count else { throw JSONParseError(.unexpectedEnd, at: pos) }
            switch bytes[pos] {
            case UInt8(ascii: ","):
                pos &+= 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                pos &+= 1
                let array = Array(valueStack[mark...])
                valueStack.removeSubrange(mark...)
                return array
            default:
                throw unexpected(at: pos)
            }
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONObject {
        guard depth <= maxDepth else { throw JSONParseError(.tooDeep, at: pos, maxDepth: maxDepth) }
        pos &+= 1
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "}") {
            pos &+= 1
            return JSONObject()
        }
        // Members are collected on a shared stack; duplicates (last value wins, first position kept) are found
        // by linear search while small, then through a per-object index.
        let mark = entryStack.count
        var keyIndex: [String: Int]?
        while true {
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw unexpected(at: pos) }
            let key = try parseString()
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw unexpected(at: pos) }
            pos &+= 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            if let existing = position(of: key, from: mark, keyIndex: &keyIndex) {
                entryStack[existing].value = value
            } else {
                entryStack.append(JSONObject.Entry(key: key, value: value))
                keyIndex?[key] = entryStack.count &- 1
            }
            skipWhitespace()
            guard pos < bytes.count else { throw JSONParseError(.unexpectedEnd, at: pos) }
            switch bytes[pos] {
            case UInt8(ascii: ","):
                pos &+= 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                pos &+= 1
                let object = JSONObject(uniqueEntries: Array(entryStack[mark...]))
                entryStack.removeSubrange(mark...)
                return object
            default:
                throw unexpected(at: pos)
            }
        }
    }

    /// Stack position of `key` among the current object's members (those at or after `mark`).
    private func position(of key: String, from mark: Int, keyIndex: inout [String: Int]?) -> Int? {
        if let keyIndex { return keyIndex[key] }
        let end = entryStack.count
        if end &- mark < JSONObject.indexThreshold {
            var i = mark
            while i < end {
                if entryStack[i].key == key { return i }
                i &+= 1
            }
            return nil
        }
        var index = [String: Int](minimumCapacity: (end &- mark) * 2)
        for i in mark..<end { index[entryStack[i].key] = i }
        keyIndex = index
        return index[key]
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = pos
        pos = try numberEnd(from: pos)
        return JSONNumber(raw: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self))
    }

    /// The index after the number starting at `start` (RFC 8259 grammar).
    func numberEnd(from start: Int) throws(JSONParseError) -> Int {
        var i = start
        if bytes[i] == UInt8(ascii: "-") { i &+= 1 }
        try requireDigit(at: i)
        if bytes[i] == UInt8(ascii: "0") {
            i &+= 1
            if i < bytes.count && Self.isDigit(bytes[i]) { throw JSONParseError(.invalidNumber, at: i) }
        } else {
            i = skipDigits(from: i)
        }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i &+= 1
            try requireDigit(at: i)
            i = skipDigits(from: i)
        }
        if i < bytes.count && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            i &+= 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i &+= 1 }
            try requireDigit(at: i)
            i = skipDigits(from: i)
        }
        return i
    }

    @inline(__always)
    func requireDigit(at i: Int) throws(JSONParseError) {
        guard i < bytes.count else { throw JSONParseError(.unexpectedEnd, at: i) }
        guard Self.isDigit(bytes[i]) else { throw JSONParseError(.invalidNumber, at: i) }
    }

    @inline(__always)
    func skipDigits(from start: Int) -> Int {
        var i = start
        while i < bytes.count && Self.isDigit(bytes[i]) { i &+= 1 }
        return i
    }

    // MARK: - Strings

    @inline(__always)
    func scanPlain(from start: Int, highBits: inout UInt8) -> Int {
        ByteScan.firstSpecial(in: bytes, from: start, highBits: &highBits)
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let start = pos &+ 1
        var highBits: UInt8 = 0
        let end = scanPlain(from: start, highBits: &highBits)
        guard end < bytes.count else { throw JSONParseError(.unexpectedEnd, at: end) }
        if bytes[end] == UInt8(ascii: "\"") {
            let run = UnsafeBufferPointer(rebasing: bytes[start..<end])
            guard let string = UTF8Validation.string(run, isASCII: highBits < 0x80)
            else { throw JSONParseError(.invalidString, at: start) }
            pos = end &+ 1
            return string
        }
        return try parseEscapedString(start: start, firstSpecial: end)
    }

    mutating func parseEscapedString(start: Int, firstSpecial: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<firstSpecial]))
        let end = try scanEscapedString(from: firstSpecial, decoding: true).end
        let decoded = scratch.withUnsafeBufferPointer { UTF8Validation.string($0, isASCII: false) }
        guard let string = decoded else { throw JSONParseError(.invalidString, at: start) }
        pos = end &+ 1
        return string
    }

    /// Checks a string with escapes from `start` (just after its unescaped beginning) to its closing quote, whose
    /// index it returns. `decoding`: appends the decoded rest to `scratch`; otherwise only checks, and `nonASCII`
    /// tells whether the unescaped bytes from `start` on include non-ASCII ones (whose UTF-8 the caller checks).
    @inline(__always)
    mutating func scanEscapedString(
        from start: Int, decoding: Bool
    ) throws(JSONParseError) -> (end: Int, nonASCII: Bool) {
        var i = start
        var highBits: UInt8 = 0
        while true {
            guard i < bytes.count else { throw JSONParseError(.unexpectedEnd, at: i) }
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") { return (i, highBits >= 0x80) }
            if byte < 0x20 { throw JSONParseError(.invalidString, at: i) }
            if byte == UInt8(ascii: "\\") {
                i = try decodeEscape(at: i, decoding: decoding)
            } else {
                let end = scanPlain(from: i, highBits: &highBits)
                if decoding { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<end])) }
                i = end
            }
        }
    }

    /// Checks the escape starting at the backslash at `i` (and, when `decoding`, decodes it into `scratch`);
    /// returns the index after it.
    @inline(__always)
    private mutating func decodeEscape(at i: Int, decoding: Bool) throws(JSONParseError) -> Int {
        guard i &+ 1 < bytes.count else { throw JSONParseError(.unexpectedEnd, at: bytes.count) }
        let decoded: UInt8
        switch bytes[i &+ 1] {
        case UInt8(ascii: "\""): decoded = 0x22
        case UInt8(ascii: "\\"): decoded = 0x5C
        case UInt8(ascii: "/"): decoded = 0x2F
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"): return try decodeUnicodeEscape(at: i, decoding: decoding)
        default: throw JSONParseError(.invalidEscape, at: i)
        }
        if decoding { scratch.append(decoded) }
        return i &+ 2
    }

    @inline(__always)
    private mutating func decodeUnicodeEscape(at i: Int, decoding: Bool) throws(JSONParseError) -> Int {
        let unit = try hex4(at: i &+ 2)
        var next = i &+ 6
        var scalarValue = UInt32(unit)
        switch unit {
        case 0xD800...0xDBFF:
            for k in 0..<2 {
                guard next &+ k < bytes.count else { throw JSONParseError(.unexpectedEnd, at: bytes.count) }
                guard bytes[next &+ k] == (k == 0 ? UInt8(ascii: "\\") : UInt8(ascii: "u")) else {
                    throw JSONParseError(.invalidUnicode, at: i)
                }
            }
            let low = try hex4(at: next &+ 2)
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONParseError(.invalidUnicode, at: i) }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            next &+= 6
        case 0xDC00...0xDFFF:
            throw JSONParseError(.invalidUnicode, at: i)
        default:
            break
        }
        if decoding { appendUTF8(scalarValue) }
        return next
    }

    /// Appends a (non-surrogate) scalar value as UTF-8.
    private mutating func appendUTF8(_ value: UInt32) {
        switch value {
        case ..<0x80:
            scratch.append(UInt8(value))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | value >> 6))
            scratch.append(UInt8(0x80 | value & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | value >> 12))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | value >> 18))
            scratch.append(UInt8(0x80 | value >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | value >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | value & 0x3F))
        }
    }

    private func hex4(at start: Int) throws(JSONParseError) -> UInt16 {
        guard start &+ 4 <= bytes.count else { throw JSONParseError(.unexpectedEnd, at: bytes.count) }
        var value: UInt16 = 0
        for k in 0..<4 {
            let byte = bytes[start &+ k]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: throw JSONParseError(.invalidEscape, at: start &+ k)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
