import Synchronization

/// A request body that is a JSON object: the text the client sent (when it came as text), parsed into values only
/// when something asks for all of it.
///
/// A request to an OpenAI-family upstream goes on as the client wrote it with `model` replaced
/// (`JSONObjectText.serialized(replacing:)`): decoding every string of a long conversation into values and
/// escaping them again cost more than the rest of the gateway's work on such a request. Readers of a few members
/// (`subscript`) get them from the text; translating providers read `object`, parsed once and kept.
public final class RequestDocument: Sendable {
    /// The client's text, when the body arrived as one (nil for bodies the gateway built).
    public let text: JSONObjectText?
    let parsed: Mutex<JSONObject?>

    public init(_ object: JSONObject) {
        text = nil
        parsed = Mutex(object)
    }

    public init(text: JSONObjectText) {
        self.text = text
        parsed = Mutex(nil)
    }

    /// The whole object, parsed (once).
    public var object: JSONObject {
        parsed.withLock { parsed in
            if let parsed { return parsed }
            let object = text?.object ?? JSONObject()
            parsed = object
            return object
        }
    }

    /// The value of member `key` (nil if absent), parsed on its own from the text (read a large member that is
    /// wanted more than once from `object`).
    public subscript(key: String) -> JSONValue? {
        if let text { return text[key] }
        return object[key]
    }

    /// Whether the object has a member `key` (`null` included), without parsing its value.
    public func contains(_ key: String) -> Bool {
        if let text { return text.contains(key) }
        return object.contains(key: key)
    }
}
