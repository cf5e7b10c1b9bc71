import GatewayCore
import GatewaySchema

/// The generation options of an OpenAI chat request, read once for providers that spell them differently.
public struct ChatOptions: Sendable, Equatable {
    /// `max_completion_tokens`, else the deprecated `max_tokens`.
    public var maxTokens: Int?
    public var stopSequences: [String]
    public var temperature: JSONValue?
    public var topP: JSONValue?
    /// `user` (or `safety_identifier`): an end-user id for abuse monitoring.
    public var user: String?
    public var reasoningEffort: String?
    /// The schema `response_format` asks for (see `JSONModeTool`).
    public var jsonSchema: JSONValue?

    /// Reads the options; requests for several choices or for logprobs are refused, since the providers
    /// translated this way cannot honour them.
    public init(_ body: JSONObject, provider: String) throws {
        if let n = body["n"]?.intValue, n != 1 {
            throw ProviderError(.badRequest, message: "\(provider) models return one choice; n must be 1")
        }
        if body["logprobs"]?.boolValue == true {
            throw ProviderError(.badRequest, message: "\(provider) models do not return logprobs")
        }
        maxTokens = body["max_completion_tokens"]?.intValue ?? body["max_tokens"]?.intValue
        switch body["stop"] {
        case .string(let text)?: stopSequences = [text]
        case .array(let items)?: stopSequences = items.compactMap(\.stringValue)
        default: stopSequences = []
        }
        temperature = body["temperature"].flatMap { $0.isNull ? nil : $0 }
        topP = body["top_p"].flatMap { $0.isNull ? nil : $0 }
        user = body["user"]?.stringValue ?? body["safety_identifier"]?.stringValue
        reasoningEffort = body["reasoning_effort"]?.stringValue
        jsonSchema = JSONModeTool.schema(body["response_format"])
    }

    /// Claude's extended-thinking budget for `reasoning_effort` (nil for none or unknown efforts).
    public var thinkingBudget: Int? {
        switch reasoningEffort {
        case "minimal", "low": return 1024
        case "medium": return 4096
        case "high": return 16384
        default: return nil
        }
    }

    /// `max_tokens` and the thinking budget for a Claude model: Anthropic wants 1024 <= budget < max_tokens;
    /// without a client limit, room for the answer is added on top of the budget. Thinking is left off when
    /// the client's limit leaves no room for it.
    public func claudeLimits(defaultMaxTokens: Int, thinkingAllowed: Bool) -> (maxTokens: Int, thinking: Int?) {
        var limit = maxTokens ?? defaultMaxTokens
        guard thinkingAllowed, let budget = thinkingBudget else { return (limit, nil) }
        if maxTokens == nil { limit = max(limit, budget + defaultMaxTokens) }
        let fitted = min(budget, limit - 1)
        return (limit, fitted >= 1024 ? fitted : nil)
    }
}
