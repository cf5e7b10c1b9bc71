import GatewaySchema
import Yams

/// A YAML document read into `JSONValue`s, remembering the line of every path for precise messages.
public struct YAMLTree: Sendable {
    public var root: JSONValue
    /// `routes.fast.targets[0].weight` → 1-based line.
    public var lines: [String: Int]

    public static func parse(_ text: String) throws(ConfigError) -> YAMLTree {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(["\(error)"])
        } catch {
            throw ConfigError(["invalid YAML: \(error)"])
        }
        guard let node else { return YAMLTree(root: .object([:]), lines: [:]) }
        var lines: [String: Int] = [:]
        let root = try convert(node, path: "", lines: &lines)
        return YAMLTree(root: root, lines: lines)
    }

    static func convert(_ node: Node, path: String, lines: inout [String: Int]) throws(ConfigError) -> JSONValue {
        if let mark = node.mark { lines[path] = mark.line }
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if node.null != nil { return .null }
                if let bool = node.bool { return .bool(bool) }
                if let int = node.int { return .number(JSONNumber(int)) }
                if let double = node.float, double.isFinite { return .number(JSONNumber(double)) }
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, path: "\(path)[\(index)]", lines: &lines))
            }
            return .array(items)
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw ConfigError(["\(path.isEmpty ? "<root>" : path): mapping keys must be strings"])
                }
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                object[name] = try convert(value, path: childPath, lines: &lines)
            }
            return .object(object)
        case .alias:
            throw ConfigError(["\(path): YAML aliases are not supported"])
        }
    }
}

/// Configuration problems, each naming the file, the key path and what is wrong.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var description: String { problems.joined(separator: "\n") }
}
