/// The INI dialect of `~/.aws/credentials` and `~/.aws/config`, parsed without I/O.
///
/// - `[name]` starts a section (`[profile name]` in the config file); text after the `]` is ignored.
/// - `key = value` lines; keys are lowercased and trimmed, values trimmed. A `#` or `;` preceded by whitespace
///   starts a comment in a value; lines starting with `#` or `;` are comments.
/// - An indented `key = value` line under a property with an empty value is a sub-property, stored as
///   `parent.key` (the `s3 =` block style); other indented lines continue the previous value.
/// - Repeated sections merge; a later key replaces an earlier one.
public struct AWSProfileFile: Sendable, Equatable {
    /// Section name as written between the brackets (trimmed) → properties.
    public var sections: [String: [String: String]]

    public init(sections: [String: [String: String]] = [:]) {
        self.sections = sections
    }

    public static func parse(_ text: String) -> AWSProfileFile {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var parentKey: String?
        var lastKey: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = String(rawLine).trimmingSuffixCR
            let trimmed = line.trimmingSpaces
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"
            if !indented, trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
                let name = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close]).trimmingSpaces
                current = name
                sections[name, default: [:]] = sections[name, default: [:]]
                parentKey = nil
                lastKey = nil
                continue
            }
            guard let section = current else { continue }
            if indented, let lastKey {
                if let parentKey, let equals = trimmed.firstIndex(of: "=") {
                    let key = String(trimmed[..<equals]).trimmingSpaces.lowercased()
                    let value = stripComment(String(trimmed[trimmed.index(after: equals)...])).trimmingSpaces
                    sections[section]?["\(parentKey).\(key)"] = value
                } else if parentKey == nil {
                    let previous = sections[section]?[lastKey] ?? ""
                    sections[section]?[lastKey] = previous + "\n" + stripComment(trimmed).trimmingSpaces
                }
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = String(trimmed[..<equals]).trimmingSpaces.lowercased()
            guard !key.isEmpty else { continue }
            let value = stripComment(String(trimmed[trimmed.index(after: equals)...])).trimmingSpaces
            sections[section]?[key] = value
            lastKey = key
            parentKey = value.isEmpty ? key : nil
        }
        return AWSProfileFile(sections: sections)
    }

    /// The properties of profile `name` in a credentials file (`[name]`).
    public func credentialsProfile(_ name: String) -> [String: String]? {
        sections[name]
    }

    /// The properties of profile `name` in a config file: `[profile name]`, or `[default]` for the default
    /// profile (`[profile default]` wins over `[default]` when both exist).
    public func configProfile(_ name: String) -> [String: String]? {
        if let section = sections.first(where: { Self.profileName(ofConfigSection: $0.key) == name }) {
            return section.value
        }
        return name == "default" ? sections["default"] : nil
    }

    static func profileName(ofConfigSection section: String) -> String? {
        guard section.hasPrefix("profile ") || section.hasPrefix("profile\t") else { return nil }
        let name = String(section.dropFirst("profile".count)).trimmingSpaces
        return name.isEmpty ? nil : name
    }

    static func stripComment(_ value: String) -> String {
        var previousWasSpace = true
        for index in value.indices {
            let character = value[index]
            if (character == "#" || character == ";") && previousWasSpace && index != value.startIndex {
                return String(value[..<index])
            }
            previousWasSpace = character == " " || character == "\t"
        }
        return value
    }
}
