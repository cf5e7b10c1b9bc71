/// The ordered headers of one event-stream message. Names are unique (the decoder rejects duplicates).
public struct EventStreamHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: EventStreamHeaderValue

        public init(name: String, value: EventStreamHeaderValue) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var headers: [Header]

    public init(_ headers: [Header] = []) {
        self.headers = headers
    }

    public init(dictionaryLiteral elements: (String, EventStreamHeaderValue)...) {
        self.headers = elements.map { Header(name: $0.0, value: $0.1) }
    }

    /// The value named `name`; setting replaces it in place or appends it, setting nil removes it.
    public subscript(name: String) -> EventStreamHeaderValue? {
        get { headers.first { $0.name == name }?.value }
        set {
            let index = headers.firstIndex { $0.name == name }
            switch (index, newValue) {
            case (let index?, let value?): headers[index].value = value
            case (let index?, nil): headers.remove(at: index)
            case (nil, let value?): headers.append(Header(name: name, value: value))
            case (nil, nil): break
            }
        }
    }

    /// The text of the string header `name`, nil when absent or of another type.
    public func string(_ name: String) -> String? {
        self[name]?.stringValue
    }

    public var count: Int { headers.count }

    public func makeIterator() -> IndexingIterator<[Header]> {
        headers.makeIterator()
    }
}
