/// A JSON object kept as the text it arrived in, with where each top-level member is.
///
/// A proxy passes most of an upstream's answer on unchanged and replaces a few members (a completion's `id`,
/// `created` and `model`). Parsing the whole answer into values and serialising it again costs more than the rest
/// of that work; `JSONObjectText` checks the text is valid JSON (`skim`, the parser's rules without building
/// values), reads only the members asked for, and writes the answer back with the original bytes of every member
/// it does not replace.
public struct JSONObjectText: Sendable {
    public struct Member: Sendable {
        public let key: String
        /// The key as written, quotes included.
        let keyRange: Range<Int>
        let valueRange: Range<Int>
    }

    /// One element of the array member named when skimming: where it is and, when it is an object that repeats no
    /// key, its members.
    struct Element: Sendable {
        let range: Range<Int>
        let members: [Member]?
    }

    /// An element of an array member (`elements(of:)`): an object as text, or any other value parsed.
    public enum ElementText: Sendable {
        case object(JSONObjectText)
        /// Not an object, or an object that repeats a key (parsed, as `JSONParser` reads it).
        case other(JSONValue)
    }

    public let bytes: [UInt8]
    public let members: [Member]
    /// The member named when skimming (`elementsOf`) and, when it is an array, its elements.
    let elementsKey: String?
    let elements: [Element]?
    let maxDepth: Int

    /// The object in `bytes`; `nil` when they are valid JSON but not an object, or an object that repeats a key
    /// (parse those with `JSONParser`). Throws `JSONParseError` for invalid JSON, as `JSONParser.parse` would.
    /// `elementsOf`: a member whose elements `elements(of:)` should give without parsing them (a request's
    /// `messages`).
    public static func skim(
        _ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth, elementsOf key: String? = nil
    ) throws(JSONParseError) -> JSONObjectText? {
        guard !bytes.isEmpty else { throw JSONParseError(.empty, at: 0) }
        let skimmed = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONByteParser(buffer, maxDepth: maxDepth)
            return Result { () throws(JSONParseError) in try parser.skimObjectDocument(elementsOf: key) }
        }
        guard let skimmed = try skimmed.get() else { return nil }
        return JSONObjectText(
            bytes: bytes, members: skimmed.members, elementsKey: key, elements: skimmed.elements, maxDepth: maxDepth)
    }

    init(bytes: [UInt8], members: [Member], elementsKey: String? = nil, elements: [Element]? = nil, maxDepth: Int) {
        self.bytes = bytes
        self.members = members
        self.elementsKey = elementsKey
        self.elements = elements
        self.maxDepth = maxDepth
    }

    /// Whether the object has a member `key` (of any value, `null` included).
    public func contains(_ key: String) -> Bool { members.contains { $0.key == key } }

    /// The elements of the array member `key`, which must be the one named as `elementsOf` when skimming; nil when
    /// it is absent or not an array (or another member).
    public func elements(of key: String) -> [ElementText]? {
        guard key == elementsKey, let elements else { return nil }
        return elements.map { element in
            if let members = element.members {
                return .object(JSONObjectText(bytes: bytes, members: members, maxDepth: maxDepth - 2))
            }
            // Checked by `skim`; parsing applies the same rules at the element's depth.
            let value = try? JSONParser.parse(bytes[element.range], maxDepth: max(0, maxDepth - 2))
            return .other(value ?? .null)
        }
    }

    /// The value of the member `key`, parsed (nil if absent).
    public subscript(key: String) -> JSONValue? {
        guard let member = members.first(where: { $0.key == key }) else { return nil }
        return value(of: member)
    }

    func value(of member: Member) -> JSONValue {
        // The range was checked by `skim`, and parsing it applies the same rules.
        let value = try? JSONParser.parse(bytes[member.valueRange], maxDepth: max(0, maxDepth - 1))
        return value ?? .null
    }

    /// The whole object, parsed.
    public var object: JSONObject {
        JSONObject(members.map { ($0.key, value(of: $0)) })
    }

    /// Whether the member `key` is an empty array (`[]`, with or without spaces inside), read from the text.
    public func isEmptyArray(_ key: String) -> Bool {
        guard let member = members.first(where: { $0.key == key }) else { return false }
        let value = bytes[member.valueRange]
        guard value.first == UInt8(ascii: "[") else { return false }
        return value.dropFirst().first(where: { !JSONByteParser.isWhitespace($0) }) == UInt8(ascii: "]")
    }

    /// The object's text with the members of `replacements` given new values (in place; those it lacks are added
    /// at the end, in the order given), the members named in `removing` left out, and every other member exactly
    /// as it arrived.
    public func serialized(
        replacing replacements: [(key: String, value: JSONValue)], removing: [String] = []
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        out.append(UInt8(ascii: "{"))
        var used = [Bool](repeating: false, count: replacements.count)
        for member in members where !removing.contains(member.key) {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: bytes[member.keyRange])
            out.append(UInt8(ascii: ":"))
            if let index = replacements.firstIndex(where: { $0.key == member.key }) {
                used[index] = true
                replacements[index].value.serialize(into: &out)
            } else {
                out.append(contentsOf: bytes[member.valueRange])
            }
        }
        for (index, replacement) in replacements.enumerated() where !used[index] {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            JSONValue.string(replacement.key).serialize(into: &out)
            out.append(UInt8(ascii: ":"))
            replacement.value.serialize(into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
