extension String {
    /// Without leading and trailing spaces, tabs, CR and LF.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}

extension String {
    /// Without one trailing carriage return.
    var trimmingSuffixCR: String {
        hasSuffix("\r") ? String(dropLast()) : self
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
