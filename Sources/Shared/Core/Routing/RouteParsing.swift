import GatewaySchema

/// Validates route definitions from any source (config file, SQLite, DynamoDB item JSON) with precise messages.
public enum RouteParsing {
    /// Parse one alias definition given as JSON:
    /// `{"targets":[{"provider","model","weight","endpoint_mode","key_id"}],"fallbacks":[…],"enabled":true,"kind":"chat"}`.
    /// Problems are reported as `path: message` strings relative to `path`.
    public static func parse(alias: String, definition: JSONValue, path: String) -> Result<Route, RouteProblems> {
        var problems: [String] = []
        guard case .object(let object) = definition else {
            return .failure(RouteProblems([path + ": must be a mapping with 'targets'"]))
        }
        let known: Set<String> = ["targets", "fallbacks", "enabled", "kind"]
        for key in object.keys where !known.contains(key) {
            problems.append("\(path).\(key): unknown field (expected one of: targets, fallbacks, enabled, kind)")
        }
        if alias.isEmpty || alias.count > 128 || alias.contains(where: { $0.isWhitespace }) {
            problems.append("\(path): alias must be 1–128 characters without whitespace")
        }
        var kind = Route.Kind.chat
        if let value = object["kind"] {
            if let text = value.stringValue, let parsed = Route.Kind(rawValue: text) {
                kind = parsed
            } else {
                problems.append(
                    "\(path).kind: must be one of \(Route.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var enabled = true
        if let value = object["enabled"] {
            if let flag = value.boolValue {
                enabled = flag
            } else {
                problems.append("\(path).enabled: must be true or false")
            }
        }
        var fallbacks: [String] = []
        if let value = object["fallbacks"] {
            if let items = value.arrayValue {
                for (index, item) in items.enumerated() {
                    if let text = item.stringValue, !text.isEmpty {
                        fallbacks.append(text)
                    } else {
                        problems.append("\(path).fallbacks[\(index)]: must be an alias name")
                    }
                }
            } else {
                problems.append("\(path).fallbacks: must be a list of alias names")
            }
        }
        var targets: [RouteTarget] = []
        if let items = object["targets"]?.arrayValue, !items.isEmpty {
            for (index, item) in items.enumerated() {
                switch parseTarget(item, path: "\(path).targets[\(index)]") {
                case .success(let target): targets.append(target)
                case .failure(let failure): problems.append(contentsOf: failure.messages)
                }
            }
        } else {
            problems.append("\(path).targets: must be a non-empty list of targets")
        }
        if !problems.isEmpty { return .failure(RouteProblems(problems)) }
        return .success(Route(alias: alias, kind: kind, targets: targets, fallbacks: fallbacks, enabled: enabled))
    }

    static func parseTarget(_ value: JSONValue, path: String) -> Result<RouteTarget, RouteProblems> {
        guard case .object(let object) = value else {
            return .failure(RouteProblems(["\(path): must be a mapping with provider and model"]))
        }
        var problems: [String] = []
        let known: Set<String> = ["provider", "model", "weight", "endpoint_mode", "key_id"]
        for key in object.keys where !known.contains(key) {
            problems.append(
                "\(path).\(key): unknown field (expected one of: provider, model, weight, endpoint_mode, key_id)")
        }
        var provider: ProviderRef?
        if let text = object["provider"]?.stringValue {
            provider = ProviderRef(text)
            if provider == nil {
                problems.append(
                    "\(path).provider: unknown provider '\(text)' (expected openai, openai_compatible:<profile> or mock)"
                )
            }
        } else {
            problems.append("\(path).provider: required")
        }
        let model = object["model"]?.stringValue ?? ""
        if model.isEmpty { problems.append("\(path).model: required, a non-empty string") }
        var weight = 1.0
        if let value = object["weight"] {
            if let number = value.doubleValue, number > 0, number.isFinite {
                weight = number
            } else {
                problems.append("\(path).weight: must be a positive number")
            }
        }
        var mode = EndpointMode.chat
        if let value = object["endpoint_mode"] {
            if let text = value.stringValue, let parsed = EndpointMode(rawValue: text) {
                mode = parsed
            } else {
                problems.append("\(path).endpoint_mode: must be chat, completions or auto")
            }
        }
        var keyID: String?
        if let value = object["key_id"], !value.isNull {
            if let text = value.stringValue, !text.isEmpty {
                keyID = text
            } else {
                problems.append("\(path).key_id: must be a non-empty string")
            }
        }
        guard problems.isEmpty, let provider else { return .failure(RouteProblems(problems)) }
        return .success(
            RouteTarget(provider: provider, model: model, weight: weight, endpointMode: mode, keyID: keyID))
    }

    /// Serialize a route back to its JSON definition (the inverse of `parse`).
    public static func definition(of route: Route) -> JSONValue {
        var object = JSONObject()
        object["kind"] = .string(route.kind.rawValue)
        object["targets"] = .array(
            route.targets.map { target in
                var item = JSONObject()
                item["provider"] = .string(target.provider.description)
                item["model"] = .string(target.model)
                item["weight"] = .number(JSONNumber(target.weight))
                item["endpoint_mode"] = .string(target.endpointMode.rawValue)
                if let keyID = target.keyID { item["key_id"] = .string(keyID) }
                return .object(item)
            })
        object["fallbacks"] = .array(route.fallbacks.map(JSONValue.string))
        object["enabled"] = .bool(route.enabled)
        return .object(object)
    }
}

public struct RouteProblems: Error, Sendable, Equatable {
    public var messages: [String]
    public init(_ messages: [String]) { self.messages = messages }
}
