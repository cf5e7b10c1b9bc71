import GatewaySchema
import NIOHTTP1
import Testing

@testable import GatewayLambda

@Suite struct HTTPIntegrationPreludeTests {
    @Test func theRecordedPrelude() throws {
        let expectations = try JSONParser.parse(FixtureFiles.bytes("runtime-streaming-expectations.json"))
        let prelude = HTTPIntegrationPrelude(
            statusCode: 200,
            headers: HTTPHeaders([("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]))
        let json = try #require(expectations["prelude_json"]?.stringValue)
        #expect(prelude.encoded() == Array(json.utf8) + [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(expectations["delimiter_hex"]?.stringValue == "0000000000000000")
        // The recorded stream's first chunk is exactly the prelude.
        let recorded = try #require(HTTPRequestBytes(FixtureFiles.bytes("runtime-streaming-response-ok.http")))
        #expect(recorded.chunks.first == prelude.encoded())
        #expect(recorded.header("Content-Type") == HTTPIntegrationPrelude.contentType)
    }

    @Test func cookiesAndRepeatedHeaders() throws {
        let prelude = HTTPIntegrationPrelude(
            statusCode: 429,
            headers: HTTPHeaders([
                ("Content-Type", "application/json"), ("set-cookie", "a=1; Path=/"), ("Vary", "Origin"),
                ("Set-Cookie", "b=2"), ("vary", "Accept"),
            ]))
        let bytes = prelude.encoded()
        #expect(Array(bytes.suffix(8)) == HTTPIntegrationPrelude.delimiter)
        #expect(
            String(decoding: bytes.dropLast(8), as: UTF8.self)
                == #"{"statusCode":429,"headers":{"Content-Type":"application/json"},"#
                + #""multiValueHeaders":{"Vary":["Origin","Accept"]},"cookies":["a=1; Path=/","b=2"]}"#)
    }
}
