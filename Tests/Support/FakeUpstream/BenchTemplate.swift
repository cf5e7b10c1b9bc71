import NIOCore

/// The `bench` model's buffered reply, precomputed once: only the token counts are spliced in per request.
struct BenchTemplate: Sendable {
    static let model = "bench"
    static let reply = "Hello from fake upstream"
    static let replyTokens = 4

    private let head: [UInt8]
    private let middle: [UInt8]
    private let tail: [UInt8]

    init(created: Int = unixNow()) {
        head = Array(
            ("{\"id\":\"chatcmpl-fakebench\",\"object\":\"chat.completion\",\"created\":\(created),\"model\":\"bench\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\(Self.reply)\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":").utf8)
        middle = Array(",\"completion_tokens\":\(Self.replyTokens),\"total_tokens\":".utf8)
        tail = Array("},\"system_fingerprint\":\"fp_fake\"}".utf8)
    }

    /// Whether a request can be served from the template.
    func applies(to request: ChatCompletionRequest) -> Bool {
        guard request.model == Self.model, request.stream != true, (request.n ?? 1) <= 1 else { return false }
        if let limit = request.max_completion_tokens ?? request.max_tokens, limit < Self.replyTokens { return false }
        return true
    }

    func body(promptTokens: Int) -> ByteBuffer {
        let prompt = String(promptTokens)
        let total = String(promptTokens + Self.replyTokens)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(head.count + middle.count + tail.count + prompt.utf8.count + total.utf8.count)
        buffer.writeBytes(head)
        buffer.writeString(prompt)
        buffer.writeBytes(middle)
        buffer.writeString(total)
        buffer.writeBytes(tail)
        return buffer
    }
}
