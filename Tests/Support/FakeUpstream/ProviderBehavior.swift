import Foundation

/// Behaviours of the Anthropic and Bedrock fakes, selected by words found anywhere in the model name (or
/// Bedrock model id / ARN), so that realistic ids such as `anthropic.claude-tool-v1:0` work too.
///
/// - `status-NNN`: answer HTTP NNN with the provider's error shape; `notready` (Bedrock): 429
///   ModelNotReadyException.
/// - `slow-MS`: wait MS milliseconds first; `flaky-N`: the first N requests for that model fail (529 for
///   Anthropic, 503 for Bedrock).
/// - `tool` / `tools2`: when tools are offered, a short text then one / two tool calls to the first tool;
///   `noargs`: the calls' input is `{}`, streamed (as the real APIs do) as a single empty input delta.
/// - `thinking` (or `reasoning`): a thinking / reasoning block before the answer.
/// - `cache`: non-zero cache read / write token counts.
/// - `maxtokens`: the answer stops after 3 words with stop reason max_tokens.
/// - `stop`: stop reason stop_sequence (the request's first stop sequence, or `STOP`).
/// - `midstream-error`: streams fail after two words (Anthropic `overloaded_error`, Bedrock
///   `throttlingException`); `midstream-modelerror`: Bedrock `modelStreamErrorException`.
struct ProviderBehavior {
    var forcedStatus: Int?
    var delayMilliseconds: Int?
    var flakyFailures: Int?
    var toolCallCount: Int
    var toolArgumentsEmpty: Bool
    var thinks: Bool
    var usesCache: Bool
    var hitsMaxTokens: Bool
    var hitsStopSequence: Bool
    var midstream: Midstream?
    var notReady: Bool

    enum Midstream {
        case throttled
        case modelError
    }

    init(model: String) {
        forcedStatus = Self.number(after: "status-", in: model).flatMap { (100...599).contains($0) ? $0 : nil }
        delayMilliseconds = Self.number(after: "slow-", in: model)
        flakyFailures = Self.number(after: "flaky-", in: model)
        toolCallCount = model.contains("tools2") ? 2 : (model.contains("tool") ? 1 : 0)
        toolArgumentsEmpty = model.contains("noargs")
        thinks = model.contains("thinking") || model.contains("reasoning")
        usesCache = model.contains("cache")
        hitsMaxTokens = model.contains("maxtokens")
        hitsStopSequence = model.contains("stop")
        midstream =
            model.contains("midstream-error")
            ? .throttled : (model.contains("midstream-modelerror") ? .modelError : nil)
        notReady = model.contains("notready")
    }

    /// The integer directly following the first occurrence of `prefix` in `model`.
    private static func number(after prefix: String, in model: String) -> Int? {
        guard let range = model.range(of: prefix) else { return nil }
        let digits = model[range.upperBound...].prefix(while: { $0.isASCII && $0.isNumber })
        return Int(digits)
    }
}
