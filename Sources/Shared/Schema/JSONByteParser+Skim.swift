/// Skimming: checking that values are valid JSON, with the same rules and depth limit as parsing, without building
/// them. `JSONObjectText` uses it to find a document's top-level members.
extension JSONByteParser {
    /// The top-level members of a document that is one object: each key, with the byte ranges of the key (quotes
    /// included) and of its value. `nil` when the document is valid JSON but not an object, or an object that
    /// repeats a key (the caller parses it instead). Throws for invalid JSON as `parseDocument` would.
    ///
    /// `elementsOf`: the key of a member whose elements are wanted too, when it is an array (`JSONObjectText.elements`).
    mutating func skimObjectDocument(
        elementsOf elementsKey: String? = nil
    ) throws(JSONParseError) -> (members: [JSONObjectText.Member], elements: [JSONObjectText.Element]?)? {
        skipWhitespace()
        guard pos < bytes.count else { throw JSONParseError(.empty, at: pos) }
        guard bytes[pos] == UInt8(ascii: "{") else {
            try skipValue(depth: 0)
            try expectEnd()
            return nil
        }
        let skimmed = try skimObject(depth: 1, elementsOf: elementsKey)
        try expectEnd()
        guard let members = skimmed.members else { return nil }
        return (members, skimmed.elements)
    }

    /// The object at `pos` (its nesting depth `depth`), checked and passed: its members, or nil when it repeats a
    /// key; and, when it has an array member `elementsKey`, that array's elements.
    mutating func skimObject(
        depth: Int, elementsOf elementsKey: String? = nil
    ) throws(JSONParseError) -> (members: [JSONObjectText.Member]?, elements: [JSONObjectText.Element]?) {
        guard depth <= maxDepth else { throw JSONParseError(.tooDeep, at: pos, maxDepth: maxDepth) }
        pos &+= 1
        skipWhitespace()
        var members: [JSONObjectText.Member] = []
        var elements: [JSONObjectText.Element]?
        var repeated = false
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "}") {
            pos &+= 1
            return (members, nil)
        }
        members.reserveCapacity(8)
        while true {
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw unexpected(at: pos) }
            let keyStart = pos
            let key = try parseString()
            let keyRange = keyStart..<pos
            skipWhitespace()
            guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw unexpected(at: pos) }
            pos &+= 1
            skipWhitespace()
            let valueStart = pos
            if key == elementsKey, pos < bytes.count, bytes[pos] == UInt8(ascii: "[") {
                elements = try skimElements(depth: depth &+ 1)
            } else {
                try skipValue(depth: depth)
            }
            if !repeated && members.contains(where: { $0.key == key }) { repeated = true }
            members.append(JSONObjectText.Member(key: key, keyRange: keyRange, valueRange: valueStart..<pos))
            skipWhitespace()
            guard pos < bytes.count else { throw JSONParseError(.unexpectedEnd, at: pos) }
            if bytes[pos] == UInt8(ascii: ",") {
                pos &+= 1
                skipWhitespace()
            } else if bytes[pos] == UInt8(ascii: "}") {
                pos &+= 1
                break
            } else {
                throw unexpected(at: pos)
            }
        }
        return repeated ? (nil, nil) : (members, elements)
    }

    /// The array at `pos` (its nesting depth `depth`), checked and passed, with each element's range and, for an
    /// object without repeated keys, its members.
    mutating func skimElements(depth: Int) throws(JSONParseError) -> [JSONObjectText.Element] {
        guard depth <= maxDepth else { throw JSONParseError(.tooDeep, at: pos, maxDepth: maxDepth) }
        pos &+= 1
        skipWhitespace()
        var elements: [JSONObjectText.Element] = []
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "]") {
            pos &+= 1
            return elements
        }
        while true {
            guard pos < bytes.count else { throw JSONParseError(.unexpectedEnd, at: pos) }
            let start = pos
            var members: [JSONObjectText.Member]?
            if bytes[pos] == UInt8(ascii: "{") {
                members = try skimObject(depth: depth &+ 1).members
            } else {
                try skipValue(depth: depth)
            }
            elements.append(JSONObjectText.Element(range: start..<pos, members: members))
            skipWhitespace()
            guard pos < bytes.count else { throw JSONParseError(.unexpectedEnd, at: pos) }
            if bytes[pos] == UInt8(ascii: ",") {
                pos &+= 1
                skipWhitespace()
            } else if bytes[pos] == UInt8(ascii: "]") {
                pos &+= 1
                return elements
            } else {
                throw unexpected(at: pos)
            }
        }
    }

    mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        guard pos == bytes.count else { throw JSONParseError(.trailingData, at: pos, byte: bytes[pos]) }
    }

    /// Checks one value at `pos` and moves past it. `depth`: the nesting depth of the container holding it.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard pos < bytes.count else { throw JSONParseError(.unexpectedEnd, at: pos) }
        switch bytes[pos] {
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipContainer(depth: depth &+ 1)
        case UInt8(ascii: "t"):
            try expectLiteral("true")
        case UInt8(ascii: "f"):
            try expectLiteral("false")
        case UInt8(ascii: "n"):
            try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            pos = try numberEnd(from: pos)
        default:
            throw unexpected(at: pos)
        }
    }

    /// An object or array (nested ones recursively, up to `maxDepth`).
    mutating func skipContainer(depth: Int) throws(JSONParseError) {
        guard depth <= maxDepth else { throw JSONParseError(.tooDeep, at: pos, maxDepth: maxDepth) }
        let isObject = bytes[pos] == UInt8(ascii: "{")
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        pos &+= 1
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == close {
            pos &+= 1
            return
        }
        while true {
            if isObject {
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw unexpected(at: pos) }
                try skipString()
                skipWhitespace()
                guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw unexpected(at: pos) }
                pos &+= 1
                skipWhitespace()
            }
            try skipValue(depth: depth)
            skipWhitespace()
            guard pos < bytes.count else { throw JSONParseError(.unexpectedEnd, at: pos) }
            if bytes[pos] == UInt8(ascii: ",") {
                pos &+= 1
                skipWhitespace()
            } else if bytes[pos] == close {
                pos &+= 1
                return
            } else {
                throw unexpected(at: pos)
            }
        }
    }

    /// A string is checked in place, its escapes as parsing checks them and its UTF-8 only where it has non-ASCII
    /// bytes, without building it.
    mutating func skipString() throws(JSONParseError) {
        let start = pos &+ 1
        var highBits: UInt8 = 0
        let end = scanPlain(from: start, highBits: &highBits)
        guard end < bytes.count else { throw JSONParseError(.unexpectedEnd, at: end) }
        if bytes[end] == UInt8(ascii: "\"") {
            guard highBits < 0x80 || UTF8Validation.isValid(UnsafeBufferPointer(rebasing: bytes[start..<end])) else {
                throw JSONParseError(.invalidString, at: start)
            }
            pos = end &+ 1
            return
        }
        try skipEscapedString(start: start, firstSpecial: end, prefixIsASCII: highBits < 0x80)
    }

    /// `parseEscapedString`'s checks, in its order, without decoding; invalid UTF-8 is reported at the string's
    /// start, as parsing reports it. The UTF-8 of the whole text is checked at once: escapes are ASCII, and an
    /// escape decodes to whole characters, so the text is valid exactly when the decoded string is.
    mutating func skipEscapedString(start: Int, firstSpecial: Int, prefixIsASCII: Bool) throws(JSONParseError) {
        let (end, nonASCII) = try scanEscapedString(from: firstSpecial, decoding: false)
        if !prefixIsASCII || nonASCII {
            guard UTF8Validation.isValid(UnsafeBufferPointer(rebasing: bytes[start..<end])) else {
                throw JSONParseError(.invalidString, at: start)
            }
        }
        pos = end &+ 1
    }
}
