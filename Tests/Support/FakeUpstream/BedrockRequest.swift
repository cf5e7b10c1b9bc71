/// The few fields of a Bedrock Converse / ConverseStream request the fake needs (the model id is in the path).
struct BedrockConverseRequest: Decodable {
    var messages: [BedrockMessage]?
    var system: [BedrockContentBlock]?
    var inferenceConfig: InferenceConfig?
    var toolConfig: ToolConfig?
    var additionalModelRequestFields: AdditionalFields?

    struct InferenceConfig: Decodable {
        var maxTokens: Int?
        var stopSequences: [String]?
    }

    struct ToolConfig: Decodable {
        struct Tool: Decodable {
            struct Spec: Decodable {
                var name: String
            }
            var toolSpec: Spec?
        }
        var tools: [Tool]
    }

    /// Claude's extended thinking passed through `additionalModelRequestFields.thinking`.
    struct AdditionalFields: Decodable {
        var thinking: AnthropicThinking?
    }

    var replyInput: ReplyInput {
        let messages = messages ?? []
        let systemWords = (system ?? []).reduce(0) { $0 + WordText.count($1.allText) }
        let words = messages.reduce(systemWords) { total, message in
            message.content.reduce(total) { $0 + WordText.count($1.allText) }
        }
        let lastUser = messages.last { $0.role == "user" }
        return ReplyInput(
            lastUserText: lastUser?.content.compactMap(\.text).joined(separator: " ") ?? "", inputTokens: words,
            toolNames: toolConfig?.tools.compactMap(\.toolSpec?.name) ?? [], maxTokens: inferenceConfig?.maxTokens,
            stopSequences: inferenceConfig?.stopSequences ?? [],
            wantsThinking: additionalModelRequestFields?.thinking.map { $0.type != "disabled" } ?? false)
    }
}

struct BedrockMessage: Decodable {
    var role: String
    var content: [BedrockContentBlock]
}

/// A content block (a union): only `text` and `toolResult` carry words the fake counts.
struct BedrockContentBlock: Decodable {
    var text: String?
    var toolResult: ToolResult?

    struct ToolResult: Decodable {
        var content: [BedrockContentBlock]?
    }

    var allText: String {
        if let text { return text }
        return toolResult?.content?.map(\.allText).joined(separator: " ") ?? ""
    }
}
