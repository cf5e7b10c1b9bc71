import GatewaySchema
import Testing

@testable import GatewayProviders

@Suite struct MultipartFormTests {
    /// A form as the openai Python SDK (httpx) sends it.
    static let sdkBody = Array(
        """
        --abc123\r
        Content-Disposition: form-data; name="model"\r
        \r
        stt\r
        --abc123\r
        Content-Disposition: form-data; name="timestamp_granularities[]"\r
        \r
        word\r
        --abc123\r
        Content-Disposition: form-data; name="timestamp_granularities[]"\r
        \r
        segment\r
        --abc123\r
        Content-Disposition: form-data; name="file"; filename="a;b.wav"\r
        Content-Type: audio/wav\r
        \r
        RIFF\r
        --ab\r
        --abc123--\r

        """.utf8)

    @Test func boundaryFromContentType() {
        #expect(MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=abc123") == "abc123")
        #expect(MultipartParser.boundary(fromContentType: "Multipart/Form-Data; boundary=\"a b\"; x=y") == "a b")
        #expect(MultipartParser.boundary(fromContentType: "application/json") == nil)
        #expect(MultipartParser.boundary(fromContentType: "multipart/form-data") == nil)
    }

    @Test func parsesFieldsRepeatedFieldsAndFiles() throws {
        let form = try MultipartParser.parse(Self.sdkBody, boundary: "abc123")
        #expect(form.parts.count == 4)
        #expect(form.field("model") == "stt")
        #expect(form.fields("timestamp_granularities") == ["word", "segment"])
        let file = try #require(form.file)
        #expect(file.filename == "a;b.wav")
        #expect(file.contentType == "audio/wav")
        #expect(file.data == Array("RIFF\r\n--ab".utf8), "a near-boundary inside the content is content")
        let fields = TranscriptionUpload.fields(of: form)
        #expect(fields["model"] == "stt")
        #expect(fields["timestamp_granularities"] == ["word", "segment"])
    }

    @Test func encodingRoundTripsAndReplacesOnlyTheModel() throws {
        var form = try MultipartParser.parse(Self.sdkBody, boundary: "abc123")
        #expect(try form.encoded() == Self.sdkBody, "the SDK's own form is reproduced byte for byte")
        form.set("model", to: "whisper-1")
        let reparsed = try MultipartParser.parse(form.encoded(), boundary: "abc123")
        #expect(reparsed.field("model") == "whisper-1")
        #expect(reparsed.parts.dropFirst() == form.parts.dropFirst())
    }

    @Test(arguments: [
        "no boundary at all", "--abc123\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
        "--abc123\r\nContent-Type: text/plain\r\n\r\nx\r\n--abc123--", "--abc123 junk",
    ])
    func rejectsMalformedBodies(_ text: String) {
        #expect(throws: MultipartParser.ParseError.self) {
            try MultipartParser.parse(Array(text.utf8), boundary: "abc123")
        }
    }

    @Test func jsonUploadBecomesAForm() throws {
        let body: JSONObject = [
            "model": "stt", "audio": "UklGRg==", "filename": "clip.mp3", "temperature": 0.5,
            "timestamp_granularities": ["word"], "prompt": nil,
        ]
        let form = try TranscriptionUpload.form(fromJSON: body)
        let file = try #require(form.file)
        #expect(file.data == Array("RIFF".utf8))
        #expect(file.filename == "clip.mp3" && file.contentType == "audio/mpeg")
        #expect(form.field("model") == "stt" && form.field("temperature") == "0.5")
        #expect(form.fields("timestamp_granularities") == ["word"])
        #expect(form.field("prompt") == nil)
        let reparsed = try MultipartParser.parse(form.encoded(), boundary: form.boundary)
        #expect(reparsed == form)
        #expect(throws: TranscriptionUpload.Invalid.self) { try TranscriptionUpload.form(fromJSON: ["model": "x"]) }
        #expect(throws: TranscriptionUpload.Invalid.self) {
            try TranscriptionUpload.form(fromJSON: ["audio": "UklGRg==", "x": ["a": 1]])
        }
    }
}
