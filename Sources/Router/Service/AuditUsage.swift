import GatewayCore
import GatewayProviders

extension AuditRecorder.Fields {
    /// Records a request's token usage.
    mutating func record(_ usage: Usage) {
        promptTokens = usage.promptTokens
        completionTokens = usage.completionTokens
        cachedTokens = usage.cachedTokens
        cacheCreationTokens = usage.cacheCreationTokens
        reasoningTokens = usage.reasoningTokens
    }
}
