import Foundation
import GatewayCore
import GatewaySchema
import NIOCore
import Testing

@testable import GatewayProviders

@Suite struct MockMediaTests {
    let mock = MockProvider(streamDelayMilliseconds: 0)

    func call(
        _ model: String, _ endpoint: ProviderEndpoint, _ body: JSONObject, upload: MultipartForm? = nil
    )
        -> ProviderCall
    {
        ProviderCall(
            target: RouteTarget(provider: ProviderRef(family: .mock), model: model), credential: nil,
            endpoint: endpoint, body: body, requestID: "r", upload: upload)
    }

    @Test func imagesAreValidPNGsAsURLsOrBase64() async throws {
        let urls = try await mock.generateImages(call("dall-e-3", .imageGenerations, ["prompt": "a fox", "n": 3]))
        let data = try #require(urls.body["data"]?.arrayValue)
        #expect(data.count == 3)
        let url = try #require(data[0]["url"]?.stringValue)
        #expect(url.hasPrefix("data:image/png;base64,"))
        let png = try #require(Data(base64Encoded: String(url.dropFirst("data:image/png;base64,".count))))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(urls.body["usage"] == nil)
        let gpt = try await mock.generateImages(call("gpt-image-1", .imageGenerations, ["prompt": "a red fox"]))
        #expect(gpt.body["data"]?.arrayValue?.first?["b64_json"]?.stringValue == MockProvider.tinyPNGBase64)
        #expect(gpt.body["usage"]?["input_tokens"] == 3)
        await #expect(throws: ProviderError.self) {
            try await mock.generateImages(call("dall-e-2", .imageGenerations, ["prompt": "x", "n": 11]))
        }
    }

    @Test func speechIsSilenceWhoseLengthFollowsTheInput() async throws {
        let short = try await mock.speech(call("tts-1", .speech, ["input": "Hi"])).collect(limit: 1 << 20)
        let long = try await mock.speech(call("tts-1", .speech, ["input": "Hi there!!"])).collect(limit: 1 << 20)
        #expect(Array(short.prefix(4)) == Array("RIFF".utf8))
        #expect(WAVAudio.duration(of: short) == 0.1)
        #expect(WAVAudio.duration(of: long) == 0.5)
        #expect(long.count == 8044)  // header + 10 characters × 400 samples × 2 bytes
    }

    @Test func transcriptsInEveryFormat() async throws {
        let wav = WAVAudio.silence(samples: 12000)
        let form = MultipartForm(
            boundary: "b", parts: [MultipartForm.Part(name: "file", filename: "a.wav", contentType: nil, data: wav)])
        func text(_ format: String, _ endpoint: ProviderEndpoint = .transcriptions) async throws -> String {
            let result = try await mock.transcribe(
                call("whisper-1", endpoint, ["response_format": .string(format)], upload: form))
            return String(decoding: result.body, as: UTF8.self)
        }
        #expect(try await text("json") == #"{"text":"transcribed \#(wav.count) bytes of audio/wav"}"#)
        #expect(try await text("text") == "transcribed \(wav.count) bytes of audio/wav\n")
        #expect(try await text("srt").hasPrefix("1\n00:00:00,000 --> 00:00:01,500\n"))
        #expect(try await text("vtt").hasPrefix("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n"))
        let verbose = try JSONParser.parse(Array(try await text("verbose_json", .translations).utf8))
        #expect(verbose["duration"]?.doubleValue == 1.5)
        #expect(verbose["task"] == "translate")
        #expect(verbose["text"]?.stringValue?.hasPrefix("translated") == true)
    }

    @Test func wavDurationReadsTheHeader() {
        #expect(WAVAudio.duration(of: WAVAudio.silence(samples: 4000)) == 0.5)
        #expect(WAVAudio.duration(of: Array("not a wav file at all".utf8)) == nil)
    }
}
