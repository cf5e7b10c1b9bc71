import Foundation
import GatewayCore
import GatewaySchema

/// Classifies an OpenAI-family error response without echoing its body.
enum OpenAIErrors {
    static func error(status: Int, body: [UInt8], retryAfter: String?) -> ProviderError {
        let parsed = try? JSONParser.parse(body)
        let upstreamMessage = parsed?["error"]?["message"]?.stringValue ?? parsed?["message"]?.stringValue
        var kind = ProviderError.kind(forStatus: status)
        if status == 404 || status == 400 || status == 405, let text = upstreamMessage?.lowercased(),
            isEndpointCompatibilityMessage(text)
        {
            kind = .endpointNotSupported
        }
        let message = upstreamMessage.map(Sanitizer.clientSafe) ?? "HTTP \(status)"
        return ProviderError(
            kind, upstreamStatus: status, message: message, retryAfterSeconds: retryAfter.flatMap { Int($0) })
    }

    /// OpenAI and compatible servers say a model is not for this endpoint in these words.
    static func isEndpointCompatibilityMessage(_ text: String) -> Bool {
        text.contains("not a chat model") || text.contains("not supported in the v1/chat/completions")
            || text.contains("did you mean to use v1/completions") || text.contains("only supported in v1/completions")
            || text.contains("does not support chat") || text.contains("chat template")
    }
}

/// Upstream error messages shown to clients: truncated, single line, with anything that looks like a key masked.
public enum Sanitizer {
    public static func clientSafe(_ text: String) -> String {
        var words: [Substring] = []
        for word in text.prefix(400).split(separator: " ", omittingEmptySubsequences: false) {
            let looksLikeKey =
                word.count >= 20
                && (word.hasPrefix("sk-") || word.hasPrefix("sb_sk_") || word.hasPrefix("gw_sk_")
                    || word.hasPrefix("AIza") || word.contains("Bearer"))
            words.append(looksLikeKey ? "[redacted]" : word)
        }
        return words.joined(separator: " ").replacingOccurrences(of: "\n", with: " ")
    }
}
