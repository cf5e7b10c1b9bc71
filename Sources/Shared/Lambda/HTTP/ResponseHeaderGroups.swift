import NIOHTTP1

/// Response headers split the way API Gateway's Lambda formats want them: names seen once as single values, names
/// seen more than once as lists (first spelling and first-seen order kept), `Set-Cookie` apart when asked.
struct ResponseHeaderGroups: Sendable, Equatable {
    var single: [(name: String, value: String)] = []
    var multiple: [(name: String, values: [String])] = []
    var cookies: [String] = []

    init(_ headers: HTTPHeaders, separatingCookies: Bool) {
        var order: [String] = []
        var grouped: [String: (name: String, values: [String])] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            if separatingCookies && key == "set-cookie" {
                cookies.append(value)
                continue
            }
            if grouped[key] == nil {
                order.append(key)
                grouped[key] = (name, [value])
            } else {
                grouped[key]!.values.append(value)
            }
        }
        for key in order {
            let group = grouped[key]!
            if group.values.count == 1 {
                single.append((group.name, group.values[0]))
            } else {
                multiple.append(group)
            }
        }
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.single.map { [$0.name, $0.value] } == rhs.single.map { [$0.name, $0.value] }
            && lhs.multiple.map { [$0.name] + $0.values } == rhs.multiple.map { [$0.name] + $0.values }
            && lhs.cookies == rhs.cookies
    }
}
