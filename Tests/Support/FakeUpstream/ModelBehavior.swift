/// Special behaviours selected by the requested model name.
///
/// - `status-NNN`: answer HTTP NNN with an OpenAI error envelope.
/// - `slow-MS[-rest]`: wait MS milliseconds before answering, then behave normally.
/// - `flaky-N`: the first N requests for that exact model name answer 503.
/// - `nochat`: not usable on /v1/chat/completions (404, like OpenAI's completion-only models).
/// - `midstream-error`: streams break off after two words without `[DONE]`.
/// - contains `tool` (and the request has tools): reply with one tool call; `tools2`: two calls; with `noargs`
///   the calls have no arguments (`{}`, streamed in one piece).
///
/// A `publisher/model` name (Vertex AI's OpenAI-compatible naming, `google/status-429`) behaves like `model`.
struct ModelBehavior {
    var forcedStatus: Int?
    var delayMilliseconds: Int?
    var flakyFailures: Int?
    var isNoChat: Bool
    var breaksMidstream: Bool
    var toolCallCount: Int
    var toolArgumentsEmpty: Bool

    init(model fullName: String) {
        let model = fullName.split(separator: "/").last.map(String.init) ?? fullName
        forcedStatus = Self.number(after: "status-", in: model).flatMap { (100...599).contains($0) ? $0 : nil }
        delayMilliseconds = Self.number(after: "slow-", in: model)
        flakyFailures = Self.number(after: "flaky-", in: model)
        isNoChat = model == "nochat"
        breaksMidstream = model == "midstream-error"
        toolCallCount = model.contains("tools2") ? 2 : (model.contains("tool") ? 1 : 0)
        toolArgumentsEmpty = model.contains("noargs")
    }

    /// The integer directly following `prefix` at the start of `model` (digits up to the next non-digit).
    private static func number(after prefix: String, in model: String) -> Int? {
        guard model.hasPrefix(prefix) else { return nil }
        let digits = model.dropFirst(prefix.count).prefix(while: \.isASCIIDigit)
        return Int(digits)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
