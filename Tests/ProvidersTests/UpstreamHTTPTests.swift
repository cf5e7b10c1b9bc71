import GatewayCore
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@testable import GatewayProviders

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

@Suite struct PlainHTTPURLTests {
    @Test func takesAnHTTPURLApart() throws {
        let url = try #require(PlainHTTPURL("http://vllm.internal:8000/v1/chat/completions?api-version=1#frag"))
        #expect(url.origin == .init(host: "vllm.internal", port: 8000))
        #expect(url.hostHeader == "vllm.internal:8000")
        #expect(url.target == "/v1/chat/completions?api-version=1")
        #expect(PlainHTTPURL("http://example.com")?.target == "/")
        #expect(PlainHTTPURL("http://example.com?x=1")?.target == "/?x=1")
        #expect(PlainHTTPURL("http://example.com/v1")?.origin.port == 80)
        let ipv6 = try #require(PlainHTTPURL("http://[::1]:8080/v1"))
        #expect(ipv6.origin == .init(host: "::1", port: 8080))
        #expect(ipv6.hostHeader == "[::1]:8080")
        #expect(PlainHTTPURL("http://[::1]/v1")?.origin.port == 80)
    }

    @Test func leavesEverythingElseToTheGeneralClient() {
        for url in [
            "https://api.openai.com/v1", "http://user:secret@host/v1", "http://host:0/", "http://host:99999/",
            "http://host:abc/", "http:///v1", "http://", "ftp://host/", "http://[::1/v1", "HTTPS://host/",
        ] {
            #expect(PlainHTTPURL(url) == nil, "\(url)")
        }
    }
}

/// `UpstreamHTTP` over plain HTTP (`HTTP1Pool`), against a server that stages each answer byte for byte.
@Suite struct UpstreamHTTPPoolTests {
    static func client(
        requestTimeout: Double = 10, streamIdleTimeout: Double = 10, maxResponseBytes: Int = 1 << 20,
        usesPool: Bool = true
    ) -> UpstreamHTTP {
        var settings = GatewayConfig.Upstream()
        settings.requestTimeoutSeconds = requestTimeout
        settings.streamIdleTimeoutSeconds = streamIdleTimeout
        settings.maxResponseBytes = maxResponseBytes
        settings.connectTimeoutSeconds = 2
        return UpstreamHTTP(settings: settings, usesPool: usesPool)
    }

    static func post(_ http: UpstreamHTTP, _ url: String, stream: Bool = false) async throws -> UpstreamResponse {
        var headers = HTTPHeaders()
        headers.add(name: "authorization", value: "Bearer sk-test")
        return try await http.postJSON(url: url, headers: headers, body: Array(#"{"model":"m"}"#.utf8), stream: stream)
    }

    /// Runs `body`, then shuts the client and the server down, also when `body` throws.
    static func closing(
        _ http: UpstreamHTTP, _ server: ScriptedHTTPServer?, _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
        } catch {
            await http.shutdown()
            await server?.stop()
            throw error
        }
        await http.shutdown()
        await server?.stop()
    }

    static func text(_ http: UpstreamHTTP, _ response: UpstreamResponse) async throws -> String {
        String(buffer: try await http.collect(response))
    }

    @Test func keptAliveConnectionsCarryOneRequestAfterAnother() async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .respond(body: #"{"ok":true}"#))
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            for _ in 0..<5 {
                let response = try await Self.post(http, server.url())
                #expect(response.status == .ok)
                #expect(try await Self.text(http, response) == #"{"ok":true}"#)
            }
            #expect(server.connections == 1)
            let first = try #require(server.received.first)
            #expect(first.head.hasPrefix("POST /v1/chat/completions HTTP/1.1\r\n"))
            let headers = first.head.lowercased()
            #expect(headers.contains("\r\nhost: 127.0.0.1:\(server.port)"))
            #expect(headers.contains("\r\ncontent-type: application/json"))
            #expect(headers.contains("\r\ncontent-length: 13"))
            #expect(headers.contains("\r\nauthorization: bearer sk-test"))
            #expect(first.body == #"{"model":"m"}"#)
        }
    }

    /// Two rounds of 64 concurrent calls: each gets its answer, and the second round runs on the connections
    /// the first one left idle.
    @Test func concurrentRequestsEachGetTheirOwnAnswerAndReuseConnections() async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .respond(body: #"{"ok":true}"#))
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            for _ in 0..<2 {
                let statuses = try await withThrowingTaskGroup(of: Bool.self) { group in
                    for _ in 0..<64 {
                        group.addTask {
                            let response = try await Self.post(http, server.url())
                            return try await Self.text(http, response) == #"{"ok":true}"#
                        }
                    }
                    return try await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(statuses.count == 64 && statuses.allSatisfy { $0 })
            }
            #expect(server.received.count == 128)
            #expect(server.connections <= 64, "the second round reuses the first round's connections")
        }
    }

    @Test func aConnectionTheUpstreamClosesIsNotReused() async throws {
        let server = try await ScriptedHTTPServer.start([.respond(body: "1", close: true), .respond(body: "2")])
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "1")
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "2")
            #expect(server.connections == 2)
        }
    }

    @Test func aReusedConnectionClosedBeforeTheAnswerIsRetriedOnceOnANewOne() async throws {
        let server = try await ScriptedHTTPServer.start([
            .respond(body: "1"), .closeWithoutAnswer, .respond(body: "2"),
        ])
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "1")
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "2")
            #expect(server.connections == 2)
            #expect(server.received.map(\.connection) == [1, 1, 2])
        }
    }

    @Test func aReusedConnectionResetBeforeTheAnswerIsRetriedOnceOnANewOne() async throws {
        let server = try await ScriptedHTTPServer.start([.respond(body: "1"), .reset, .respond(body: "2")])
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "1")
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "2")
            #expect(server.received.map(\.connection) == [1, 1, 2])
        }
    }

    @Test func aMalformedAnswerIsAnInvalidResponse() async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .raw("NOT HTTP AT ALL\r\n\r\n"))
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            let error = await #expect(throws: ProviderError.self) { try await Self.post(http, server.url()) }
            #expect(error?.kind == .invalidResponse)
        }
    }

    @Test func aNewConnectionClosedBeforeTheAnswerIsAConnectErrorNotARetry() async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .closeWithoutAnswer)
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            let error = await #expect(throws: ProviderError.self) { try await Self.post(http, server.url()) }
            #expect(error?.kind == .connectError)
            #expect(server.received.count == 1)
        }
    }

    @Test func anUnreachableUpstreamIsAConnectError() async throws {
        let server = try await ScriptedHTTPServer.start()
        let url = server.url()
        await server.stop()
        let http = Self.client()
        try await Self.closing(http, nil) { () async throws in
            let error = await #expect(throws: ProviderError.self) { try await Self.post(http, url) }
            #expect(error?.kind == .connectError)
        }
    }

    /// Both transports: `HTTP1Pool` and AsyncHTTPClient.
    static let transports = [true, false]

    @Test(arguments: transports)
    func aBufferedCallPastItsDeadlineTimesOutAndDropsTheConnection(usesPool: Bool) async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .silence)
        let http = Self.client(requestTimeout: 0.5, usesPool: usesPool)
        try await Self.closing(http, server) { () async throws in
            let error = await #expect(throws: ProviderError.self) { try await Self.post(http, server.url()) }
            #expect(error?.kind == .timeout)
            for _ in 0..<500 where server.closedByPeer == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.closedByPeer == 1, "the silent connection is closed, not kept for another request")
        }
    }

    /// The head comes at once, the first chunk only after 6 s: the read timeout ends the stream (on a loaded
    /// machine the head itself may come too late, which is the same timeout one step earlier).
    @Test(arguments: transports)
    func aSilentStreamTimesOut(usesPool: Bool) async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .chunked(chunks: ["a", "b"], gapMilliseconds: 6000))
        let http = Self.client(streamIdleTimeout: 1.5, usesPool: usesPool)
        try await Self.closing(http, server) { () async throws in
            let error = await #expect(throws: ProviderError.self) {
                let response = try await Self.post(http, server.url(), stream: true)
                _ = try await http.collect(response)
            }
            #expect(error?.kind == .timeout)
        }
    }

    /// A buffered answer may come after more than the stream idle timeout of silence (a model thinking for
    /// minutes): only the request's deadline bounds it.
    @Test(arguments: transports)
    func aBufferedCallIsBoundedByItsDeadlineNotTheReadTimeout(usesPool: Bool) async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .late(afterMilliseconds: 1500, body: "thought"))
        let http = Self.client(requestTimeout: 30, streamIdleTimeout: 0.5, usesPool: usesPool)
        try await Self.closing(http, server) { () async throws in
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "thought")
        }
    }

    /// A reused connection that sat idle for most of the read timeout still gives the next answer the whole read
    /// timeout: silence counts from sending the request, not from the connection's last read. On a loaded machine
    /// the pause can outlast the idle timeout, which closes the connection and leaves nothing to reuse: then the
    /// scenario runs again.
    @Test func aReusedConnectionGivesTheNextAnswerTheWholeReadTimeout() async throws {
        for _ in 0..<3 {
            let server = try await ScriptedHTTPServer.start([
                .respond(body: "1"), .late(afterMilliseconds: 2000, body: "2"),
            ])
            let http = Self.client(streamIdleTimeout: 3)
            var reused = false
            try await Self.closing(http, server) { () async throws in
                #expect(try await Self.text(http, try await Self.post(http, server.url())) == "1")
                try await Task.sleep(for: .milliseconds(2000))
                #expect(try await Self.text(http, try await Self.post(http, server.url())) == "2")
                reused = server.connections == 1
            }
            if reused { return }
        }
        Issue.record("the pause outlasted the idle timeout three times: no connection was reused")
    }

    @Test func anIdleConnectionIsClosedAfterTheReadTimeout() async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .respond(body: "ok"))
        let http = Self.client(streamIdleTimeout: 1)
        try await Self.closing(http, server) { () async throws in
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "ok")
            for _ in 0..<250 where server.closedByPeer == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.closedByPeer == 1)
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "ok")
            #expect(server.connections == 2)
        }
    }

    @Test func aBodyPastTheLimitIsRefused() async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .respond(body: String(repeating: "x", count: 100)))
        let http = Self.client(maxResponseBytes: 64)
        try await Self.closing(http, server) { () async throws in
            let error = await #expect(throws: ProviderError.self) { try await Self.post(http, server.url()) }
            #expect(error?.kind == .invalidResponse)
        }
    }

    @Test func aStreamArrivesChunkByChunkAndTheConnectionIsReusedAfterIt() async throws {
        let chunks = ["data: 1\n\n", "data: 2\n\n", "data: [DONE]\n\n"]
        let server = try await ScriptedHTTPServer.start([.heldChunks(chunks)], otherwise: .respond(body: "next"))
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            let response = try await Self.post(http, server.url(), stream: true)
            var iterator = response.body.makeAsyncIterator()
            // The server holds the rest back until the first chunk came through: a client that waited for the
            // whole body would stall here until its read timeout.
            var first = ""
            while first.count < chunks[0].count, let buffer = try await iterator.next() {
                first += String(buffer: buffer)
            }
            #expect(first == chunks[0])
            server.releaseHeldChunks()
            var rest = ""
            while let buffer = try await iterator.next() { rest += String(buffer: buffer) }
            #expect(rest == chunks.dropFirst().joined())
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "next")
            #expect(server.connections == 1)
        }
    }

    @Test func aReaderThatStopsEarlyClosesTheUpstreamConnection() async throws {
        let server = try await ScriptedHTTPServer.start(
            [.chunked(chunks: ["data: 1\n\n", "data: 2\n\n"], gapMilliseconds: 300)], otherwise: .respond(body: "next"))
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            do {
                let response = try await Self.post(http, server.url(), stream: true)
                for try await _ in response.body { break }
            }
            for _ in 0..<500 where server.closedByPeer == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.closedByPeer == 1)
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "next")
            #expect(server.connections == 2)
        }
    }

    @Test func cancellingAWaitingCallClosesItsConnectionOnly() async throws {
        let server = try await ScriptedHTTPServer.start(
            [.respond(body: "1"), .silence], otherwise: .respond(body: "3"))
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "1")
            let waiting = Task { try await Self.post(http, server.url()) }
            for _ in 0..<500 where server.received.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
            try #require(server.received.count == 2, "the second request reached the upstream")
            waiting.cancel()
            let error = await #expect(throws: ProviderError.self) { try await waiting.value }
            #expect(error?.kind == .cancelled)
            for _ in 0..<500 where server.closedByPeer == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(server.closedByPeer == 1)
            #expect(try await Self.text(http, try await Self.post(http, server.url())) == "3")
            #expect(server.connections == 2)
        }
    }

    @Test func errorStatusesComeBackWithTheirHeadersAndBody() async throws {
        let server = try await ScriptedHTTPServer.start(
            otherwise: .respond(status: 429, body: #"{"error":{}}"#, headers: ["retry-after: 7"]))
        let http = Self.client()
        try await Self.closing(http, server) { () async throws in
            for stream in [false, true] {
                let response = try await Self.post(http, server.url(), stream: stream)
                #expect(response.status == .tooManyRequests)
                #expect(response.headers.first(name: "retry-after") == "7")
                #expect(try await Self.text(http, response) == #"{"error":{}}"#)
            }
        }
    }

    /// A new connection whose request is sent only after more than a read timeout (its caller was slow to run, as
    /// under load) is not closed as silent: its silence counts from the request.
    @Test func aNewConnectionWaitsForItsFirstRequestWithoutTimingOut() async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .respond(body: "ok"))
        let pool = HTTP1Pool(
            settings: .init(connectTimeout: .seconds(2), readTimeout: .seconds(1), maxIdlePerOrigin: 8))
        let url = try #require(PlainHTTPURL(server.url()))
        let connection = try await pool.connect(url.origin)
        try await Task.sleep(for: .milliseconds(1500))
        let head = HTTPRequestHead(
            version: .http1_1, method: .GET, uri: url.target, headers: ["host": url.hostHeader])
        let response = try await pool.exchange(
            on: connection, url.origin, head, ByteBuffer(), 1 << 16, .seconds(5))
        #expect(response.status == .ok)
        #expect(server.received.count == 1)
        await pool.shutdown()
        try? await connection.channel.close()
        await server.stop()
    }

    /// A caller running on an event loop gets an idle connection on that loop (so a request whose work runs on a
    /// loop never leaves it); any other caller the most recently used one.
    @Test func anIdleConnectionOnTheCallersLoopIsTakenFirst() async throws {
        let server = try await ScriptedHTTPServer.start(otherwise: .respond(body: "{}"))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let pool = HTTP1Pool(
            group: group, settings: .init(connectTimeout: .seconds(2), readTimeout: .seconds(10), maxIdlePerOrigin: 8))
        let origin = try #require(PlainHTTPURL(server.url())).origin
        let first = try await pool.connect(origin)
        let second = try await pool.connect(origin)
        try #require(first.channel.eventLoop !== second.channel.eventLoop)
        for loop in [first.channel.eventLoop, second.channel.eventLoop] {
            pool.release(first, origin)
            pool.release(second, origin)
            let taken = try await loop.submit { pool.takeIdle(origin)?.channel.eventLoop }.get()
            #expect(taken === loop)
            _ = pool.takeIdle(origin)
        }
        pool.release(second, origin)
        pool.release(first, origin)
        #expect(pool.takeIdle(origin) === first)
        await pool.shutdown()
        try? await first.channel.close()
        try? await second.channel.close()
        try await group.shutdownGracefully()
        await server.stop()
    }
}
