import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The benchmark's upstream: answers every `POST …/chat/completions` at once from precomputed bytes, on SwiftNIO's
/// channel handlers alone (no Hummingbird, no parsing, no Swift tasks), so that it costs the machine as little as an
/// upstream can and leaves the CPU to what is measured. A request whose body has `"stream": true` gets an SSE stream of
/// six chunks (one more, with usage, when it asks for `include_usage`) and `[DONE]`, in one write; any other gets a
/// `chat.completion` with usage. Anything else is a 404. For benchmarks only: the test suites use
/// `switchboard-fake-upstream`, which checks what it is sent.
@main
struct InstantUpstream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-instant-upstream",
        abstract: "An OpenAI chat-completions upstream that answers instantly from precomputed bytes, for benchmarks.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port).") var port = 0

    func run() async throws {
        let answers = InstantAnswers(created: Int(Date().timeIntervalSince1970))
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(InstantHandler(answers: answers))
                }
            }
            .bind(host: host, port: port).get()
        FileHandle.standardOutput.write(Data("listening on \(server.localAddress?.port ?? 0)\n".utf8))
        try await server.closeFuture.get()
    }
}

/// The precomputed answers.
struct InstantAnswers: Sendable {
    static let tokens = ["Hello", " from", " instant", " upstream"]
    static let promptTokens = 10

    let completion: [UInt8]
    let stream: [UInt8]
    let usageChunk: [UInt8]
    let done = Array("data: [DONE]\n\n".utf8)
    let notFound = Array(#"{"error":{"message":"not found","type":"invalid_request_error","code":null}}"#.utf8)

    init(created: Int) {
        let usage =
            #""usage":{"prompt_tokens":\#(Self.promptTokens),"completion_tokens":\#(Self.tokens.count),"#
            + #""total_tokens":\#(Self.promptTokens + Self.tokens.count)}"#
        let id = #""id":"chatcmpl-instant","object":"#
        completion = Array(
            ("{\(id)\"chat.completion\",\"created\":\(created),\"model\":\"bench\",\"choices\":[{\"index\":0,"
                + "\"message\":{\"role\":\"assistant\",\"content\":\"\(Self.tokens.joined())\",\"refusal\":null},"
                + "\"logprobs\":null,\"finish_reason\":\"stop\"}],\(usage),\"system_fingerprint\":\"fp_instant\"}")
                .utf8)
        func chunk(_ choices: String, usage: String = "") -> String {
            "data: {\(id)\"chat.completion.chunk\",\"created\":\(created),\"model\":\"bench\",\"choices\":[\(choices)]"
                + (usage.isEmpty ? "" : ",\(usage)") + "}\n\n"
        }
        func choice(_ delta: String, finish: String = "null") -> String {
            "{\"index\":0,\"delta\":{\(delta)},\"logprobs\":null,\"finish_reason\":\(finish)}"
        }
        var events = chunk(choice(#""role":"assistant","content":"""#))
        for token in Self.tokens { events += chunk(choice("\"content\":\"\(token)\"")) }
        events += chunk(choice("", finish: "\"stop\""))
        stream = Array(events.utf8)
        usageChunk = Array(chunk("", usage: usage).utf8)
    }
}

/// One connection: collects a request's body and answers at its end.
final class InstantHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let answers: InstantAnswers
    var head: HTTPRequestHead?
    var body = ByteBuffer()

    init(answers: InstantAnswers) { self.answers = answers }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            answer(head, context: context)
        }
    }

    func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .POST, head.uri.split(separator: "?").first?.hasSuffix("/chat/completions") == true
        else {
            respond(head, .notFound, "application/json", [answers.notFound], context: context)
            return
        }
        let (stream, usage) = body.withUnsafeReadableBytes { request in
            (
                Self.contains(request, #""stream":true"#) || Self.contains(request, #""stream": true"#),
                Self.contains(request, #""include_usage":true"#) || Self.contains(request, #""include_usage": true"#)
            )
        }
        if stream {
            respond(
                head, .ok, "text/event-stream",
                usage ? [answers.stream, answers.usageChunk, answers.done] : [answers.stream, answers.done],
                context: context)
        } else {
            respond(head, .ok, "application/json", [answers.completion], context: context)
        }
    }

    func respond(
        _ request: HTTPRequestHead, _ status: HTTPResponseStatus, _ contentType: String, _ parts: [[UInt8]],
        context: ChannelHandlerContext
    ) {
        var buffer = context.channel.allocator.buffer(capacity: parts.reduce(0) { $0 + $1.count })
        for part in parts { buffer.writeBytes(part) }
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(buffer.readableBytes))
        if !request.isKeepAlive { headers.add(name: "connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !request.isKeepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Whether `needle` occurs in `haystack` (a plain scan over the bytes: the request of a long conversation is
    /// tens of kilobytes, and indexing a `ByteBufferView` byte by byte cost more than the rest of the answer).
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard count > 0, haystack.count >= count else { return false }
        return needle.withUTF8Buffer { needle in
            let first = needle[0]
            var index = 0
            let last = haystack.count - count
            while index <= last {
                if haystack[index] == first, memcmp(haystack.baseAddress! + index, needle.baseAddress!, count) == 0 {
                    return true
                }
                index += 1
            }
            return false
        }
    }
}
