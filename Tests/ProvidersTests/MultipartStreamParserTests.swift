import Testing

@testable import GatewayProviders

/// The streaming parser gives the same form as the whole-body parser however the body is cut into chunks, and
/// keeps large files out of memory.
@Suite struct MultipartStreamParserTests {
    func parse(
        _ body: [UInt8], boundary: String = "abc123", chunk: Int, threshold: Int = 1024 * 1024
    ) throws -> MultipartForm {
        var parser = MultipartStreamParser(boundary: boundary, spoolThreshold: threshold)
        var index = 0
        while index < body.count {
            try parser.consume(body[index..<min(index + chunk, body.count)])
            index += chunk
        }
        return try parser.finish()
    }

    @Test func everyChunkingGivesTheWholeBodyParsersForm() throws {
        let body = MultipartFormTests.sdkBody
        let expected = try MultipartParser.parse(body, boundary: "abc123")
        for chunk in 1...body.count {
            #expect(try parse(body, chunk: chunk) == expected, "chunks of \(chunk) bytes")
        }
    }

    @Test func aLargeFileIsSpooledAndSentBackByteForByte() async throws {
        let audio = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        var original = MultipartForm(
            boundary: "xyz", parts: [.init(name: "model", value: "stt"), .init(name: "language", value: "de")])
        original.parts.insert(.init(name: "file", filename: "a.wav", contentType: "audio/wav", data: audio), at: 1)
        let body = try original.encoded()
        for chunk in [1_000, 4_096, 65_536, body.count] {
            let form = try parse(body, boundary: "xyz", chunk: chunk, threshold: 64 * 1024)
            let file = try #require(form.file)
            let spooled = try #require(file.spooled, "a file above the threshold is not kept in memory")
            #expect(spooled.length == audio.count)
            #expect(file.size == audio.count)
            #expect(file.data == Array(audio.prefix(MultipartStreamParser.headBytes)))
            #expect(try spooled.read(offset: 0, count: audio.count) == audio)
            #expect(form.field("language") == "de")
            // Sent upstream as it is read, twice (a fallback re-sends it), identical to the in-memory encoding.
            for _ in 0..<2 {
                let encoded = form.encodedBody(chunkBytes: 10_000)
                var sent: [UInt8] = []
                for try await piece in encoded.chunks { sent += piece }
                #expect(sent == body)
                #expect(encoded.length == body.count)
            }
        }
    }

    @Test func smallFilesStayInMemoryAndModelCanBeReplaced() throws {
        var form = try parse(MultipartFormTests.sdkBody, chunk: 5)
        #expect(form.file?.spooled == nil)
        form.set("model", to: "whisper-1")
        #expect(form.field("model") == "whisper-1")
        #expect(form.encodedBody().length == (try form.encoded()).count)
    }

    @Test func preambleAndEpilogueAreIgnored() throws {
        let body = Array("ignored preamble\r\n".utf8) + MultipartFormTests.sdkBody + Array("epilogue".utf8)
        #expect(
            try parse(body, chunk: 3) == (try MultipartParser.parse(MultipartFormTests.sdkBody, boundary: "abc123")))
    }

    @Test func brokenBodiesAreErrorsNotForms() {
        let body = MultipartFormTests.sdkBody
        let cases: [[UInt8]] = [
            Array(body.dropLast(12)),  // not terminated
            Array("no boundary here".utf8),
            Array("--abc123XX".utf8),  // malformed delimiter
            Array("--abc123\r\nContent-Disposition: form-data\r\n\r\nx\r\n--abc123--".utf8),  // no name
        ]
        for broken in cases {
            #expect(throws: MultipartParser.ParseError.self) { try parse(broken, chunk: 7) }
        }
        let huge =
            Array("--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n".utf8)
            + [UInt8](repeating: 65, count: 1024 * 1024 + 1) + Array("\r\n--b--\r\n".utf8)
        #expect(throws: MultipartParser.ParseError.self) { try parse(huge, boundary: "b", chunk: 65_536) }
    }
}
