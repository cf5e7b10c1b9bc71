/// An insertion-ordered JSON object.
///
/// Setting an existing key replaces its value in place; a new key is appended. Lookups are linear for small
/// objects and use a hash index once the object grows past `indexThreshold` entries.
public struct JSONObject: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var key: String
        @usableFromInline var value: JSONValue

        @inlinable
        init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Objects with more entries than this maintain a key → position index.
    @usableFromInline static let indexThreshold = 32

    @usableFromInline var entries: [Entry]
    @usableFromInline var index: [String: Int]?

    @inlinable
    public init() {
        entries = []
        index = nil
    }

    /// Builds an object from pairs; for duplicate keys the last value wins but keeps the first position.
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            self[key] = value
        }
    }

    /// Wraps entries whose keys are already unique (used by the parser).
    init(uniqueEntries: [Entry]) {
        entries = uniqueEntries
        index = nil
        if entries.count > Self.indexThreshold { rebuildIndex() }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }
    public var values: [JSONValue] { entries.map(\.value) }

    @inlinable
    func position(of key: String) -> Int? {
        if let index { return index[key] }
        for i in entries.indices where entries[i].key == key {
            return i
        }
        return nil
    }

    /// `nil` assignment removes the key; assigning to an existing key replaces in place; a new key is appended.
    public subscript(key: String) -> JSONValue? {
        get {
            position(of: key).map { entries[$0].value }
        }
        set {
            if let newValue {
                setValue(newValue, forKey: key)
            } else {
                _ = removeValue(forKey: key)
            }
        }
    }

    public mutating func setValue(_ value: JSONValue, forKey key: String) {
        if let i = position(of: key) {
            entries[i].value = value
            return
        }
        entries.append(Entry(key: key, value: value))
        if index != nil {
            index![key] = entries.count - 1
        } else if entries.count > Self.indexThreshold {
            rebuildIndex()
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = position(of: key) else { return nil }
        let removed = entries.remove(at: i).value
        if index != nil { rebuildIndex() }
        return removed
    }

    public func contains(key: String) -> Bool {
        position(of: key) != nil
    }

    mutating func rebuildIndex() {
        guard entries.count > Self.indexThreshold else {
            index = nil
            return
        }
        var newIndex = [String: Int](minimumCapacity: entries.count)
        for (i, entry) in entries.enumerated() {
            newIndex[entry.key] = i
        }
        index = newIndex
    }
}

extension JSONObject: Sequence {
    public typealias Element = (key: String, value: JSONValue)

    public struct Iterator: IteratorProtocol {
        @usableFromInline var base: IndexingIterator<[Entry]>

        @inlinable
        init(base: IndexingIterator<[Entry]>) {
            self.base = base
        }

        @inlinable
        public mutating func next() -> (key: String, value: JSONValue)? {
            base.next().map { ($0.key, $0.value) }
        }
    }

    @inlinable
    public func makeIterator() -> Iterator {
        Iterator(base: entries.makeIterator())
    }

    public var underestimatedCount: Int { entries.count }
}

extension JSONObject: Hashable {
    /// Equal when both contain the same keys with equal values, regardless of order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for entry in lhs.entries {
            guard let other = rhs[entry.key], other == entry.value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine per-entry hashes commutatively.
        var sum = 0
        for entry in entries {
            var entryHasher = Hasher()
            entryHasher.combine(entry.key)
            entryHasher.combine(entry.value)
            sum = sum &+ entryHasher.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(sum)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}
