import GatewaySchema
import Testing

@testable import GatewayProviders

@Suite struct GoogleDialectTests {
    @Test func schemasLoseRejectedKeywordsButKeepPropertyNames() throws {
        var body = try json(
            """
            {"model":"gemini-2.5-pro","reasoning_effort":"minimal","tools":[{"type":"function","function":{
              "name":"f","strict":true,"parameters":{"$schema":"http://json-schema.org/draft-07/schema#",
              "type":"object","additionalProperties":false,"properties":{"strict":{"type":"boolean"},
              "items":{"type":"array","items":{"type":"object","additionalProperties":false,"properties":{}}}},
              "required":["strict"]}}}],
             "response_format":{"type":"json_schema","json_schema":{"name":"x","strict":true,
              "schema":{"type":"object","additionalProperties":false,"properties":{"a":{"type":"string"}}}}}}
            """)
        GoogleDialect.adjust(&body, vertex: false)
        #expect(body["model"] == "gemini-2.5-pro")
        #expect(body["reasoning_effort"] == "low")
        let function = try #require(body["tools"]?.arrayValue?.first?["function"])
        #expect(function["strict"] == nil)
        #expect(
            function["parameters"] == [
                "type": "object",
                "properties": [
                    "strict": ["type": "boolean"],
                    "items": ["type": "array", "items": ["type": "object", "properties": [:]]],
                ],
                "required": ["strict"],
            ])
        #expect(
            body["response_format"]?["json_schema"] == [
                "name": "x", "strict": true, "schema": ["type": "object", "properties": ["a": ["type": "string"]]],
            ])
    }

    @Test func vertexModelsGetTheirPublisher() {
        var bare: JSONObject = ["model": "gemini-2.5-flash", "reasoning_effort": "high"]
        GoogleDialect.adjust(&bare, vertex: true)
        #expect(bare == ["model": "google/gemini-2.5-flash", "reasoning_effort": "high"])
        var qualified: JSONObject = ["model": "meta/llama-3.3-70b"]
        GoogleDialect.adjust(&qualified, vertex: true)
        #expect(qualified["model"] == "meta/llama-3.3-70b")
    }
}
