import GatewayCore
import GatewaySchema
import NIOHTTP1
import Testing

@testable import GatewayLambda

@Suite struct APIGatewayProxyRequestTests {
    static func sample() throws -> APIGatewayProxyRequest {
        try APIGatewayProxyRequest(
            bytes: FixtureFiles.bytes("apigw-rest-proxy-event-with-authorizer.aws-lambda-go.json"))
    }

    @Test func theRecordedEvent() throws {
        let request = try Self.sample()
        #expect(request.httpMethod == "POST")
        #expect(request.path == "/hello/world")
        #expect(request.resource == "/{proxy+}")
        #expect(request.pathParameters == ["proxy": "hello/world"])
        #expect(request.routePath == "/hello/world")
        #expect(request.headers["content-type"] == ["application/json"])
        #expect(request.headers["X-FORWARDED-FOR"] == ["54.240.196.186, 54.182.214.83"])
        #expect(request.headers.count == 19)
        #expect(request.queryParameters == [QueryParameter(name: "name", value: "me")])
        #expect(request.queryString == "name=me")
        #expect(request.body == Array("{\r\n\t\"a\": 1\r\n}".utf8))
        let context = request.requestContext
        #expect(context.requestID == "deef4878-7910-11e6-8f14-25afc3e9ae33")
        #expect(context.stage == "testStage")
        #expect(context.path == "/hello/world")
        #expect(context.sourceIP == "192.168.196.186")
        #expect(
            context.authorizer
                == APIGatewayAuthorizerContext(principalID: "admin", context: ["clientId": "1", "clientName": "Exata"]))
        #expect(context.authorizer?.authorizedKey == nil)
    }

    static func event(
        path: String = "/v1/chat/completions", resource: String? = "/{proxy+}", proxy: String? = "v1/chat/completions",
        stage: String = "prod", extra: JSONObject = [:]
    ) -> JSONValue {
        var object: JSONObject = [
            "httpMethod": "GET", "path": .string(path),
            "requestContext": ["requestId": "r", "stage": .string(stage)],
        ]
        if let resource { object["resource"] = .string(resource) }
        if let proxy { object["pathParameters"] = ["proxy": .string(proxy)] }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    @Test func headersMergeCaseInsensitivelyKeepingRepeats() throws {
        let request = try APIGatewayProxyRequest(
            json: Self.event(extra: [
                "headers": ["Accept": "b", "X-One": "1", "x-only-single": "s"],
                "multiValueHeaders": ["accept": ["a", "b"], "X-One": ["1"]],
            ]))
        #expect(request.headers["accept"] == ["a", "b"])
        #expect(request.headers["x-one"] == ["1"])
        #expect(request.headers["X-Only-Single"] == ["s"])
        #expect(request.headers.count == 4)
    }

    @Test func queryStringsAreRebuiltPercentEncoded() throws {
        let request = try APIGatewayProxyRequest(
            json: Self.event(extra: [
                "queryStringParameters": ["tag": "z", "q": "a b&c=d", "only": "é"],
                "multiValueQueryStringParameters": ["tag": ["x", "y/z"], "q": ["a b&c=d"]],
            ]))
        #expect(request.queryString == "tag=x&tag=y%2Fz&q=a%20b%26c%3Dd&only=%C3%A9")
        #expect(request.routeURI == "/v1/chat/completions?" + request.queryString)
        let none = try APIGatewayProxyRequest(
            json: Self.event(extra: ["queryStringParameters": nil, "multiValueQueryStringParameters": nil]))
        #expect(none.queryString.isEmpty)
        #expect(none.routeURI == "/v1/chat/completions")
    }

    @Test func base64Bodies() throws {
        let request = try APIGatewayProxyRequest(
            json: Self.event(extra: ["body": "AAH/", "isBase64Encoded": true]))
        #expect(request.body == [0, 1, 255])
        #expect(throws: LambdaEventError.invalidBase64Body) {
            try APIGatewayProxyRequest(json: Self.event(extra: ["body": "%%%", "isBase64Encoded": true]))
        }
        #expect(try APIGatewayProxyRequest(json: Self.event(extra: ["body": nil])).body.isEmpty)
    }

    @Test(
        arguments: [
            // execute-api endpoint: `path` excludes the stage.
            ("/v1/chat/completions", "/{proxy+}", "v1/chat/completions", "/v1/chat/completions"),
            // Custom domain with base path `v1` mapped to the stage and a `/v1/{proxy+}` resource: `path` repeats it.
            ("/v1/v1/chat/completions", "/v1/{proxy+}", "chat/completions", "/v1/chat/completions"),
            // Custom domain with another base path.
            ("/gateway/v1/models", "/{proxy+}", "v1/models", "/v1/models"),
            // A fixed resource.
            ("/v1/models", "/v1/models", nil, "/v1/models"),
            // A parameter without a value: `path` as sent.
            ("/v1/models/gpt-4o", "/v1/models/{model}", nil, "/v1/models/gpt-4o"),
        ] as [(String, String, String?, String)])
    func routePathIgnoresStageAndBasePath(path: String, resource: String, proxy: String?, expected: String) throws {
        let request = try APIGatewayProxyRequest(json: Self.event(path: path, resource: resource, proxy: proxy))
        #expect(request.routePath == expected)
    }

    @Test func routePathWithoutResourceStripsTheStage() throws {
        let request = try APIGatewayProxyRequest(
            json: Self.event(path: "/prod/v1/embeddings", resource: nil, proxy: nil, stage: "prod"))
        #expect(request.routePath == "/v1/embeddings")
        let plain = try APIGatewayProxyRequest(
            json: Self.event(path: "/production/v1", resource: nil, proxy: nil, stage: "prod"))
        #expect(plain.routePath == "/production/v1")
        let root = try APIGatewayProxyRequest(json: Self.event(path: "/", resource: "/", proxy: nil))
        #expect(root.routePath == "/")
    }

    @Test func templateFilling() {
        #expect(APIGatewayProxyRequest.fill("/{proxy+}", with: ["proxy": "a/b"]) == "/a/b")
        #expect(APIGatewayProxyRequest.fill("/v1/{id}/x", with: ["id": "7"]) == "/v1/7/x")
        #expect(APIGatewayProxyRequest.fill("/v1/{id}", with: [:]) == nil)
        // Path parameters arrive decoded: each is one segment again, whatever it holds.
        #expect(
            APIGatewayProxyRequest.fill("/v1/rag/documents/{key}", with: ["key": "report?v2"])
                == "/v1/rag/documents/report%3Fv2")
        #expect(
            APIGatewayProxyRequest.fill("/v1/rag/documents/{key}", with: ["key": "guide/a b%"])
                == "/v1/rag/documents/guide%2Fa%20b%25")
        #expect(APIGatewayProxyRequest.fill("/{proxy+}", with: ["proxy": "v1/models/a b"]) == "/v1/models/a%20b")
        #expect(APIGatewayProxyRequest.fill("/v1/{id", with: ["id": "7"]) == nil)
    }

    @Test func missingFieldsAreReported() {
        #expect(throws: LambdaEventError.invalidJSON) { try APIGatewayProxyRequest(bytes: Array("{".utf8)) }
        #expect(throws: LambdaEventError.missingField("httpMethod")) {
            try APIGatewayProxyRequest(json: ["path": "/", "requestContext": ["requestId": "r"]])
        }
        #expect(throws: LambdaEventError.missingField("requestContext")) {
            try APIGatewayProxyRequest(json: ["httpMethod": "GET", "path": "/"])
        }
    }

    @Test func theAuthorizerIdentityReachesTheRequest() throws {
        let key = AuthorizedKey(
            identity: Identity(tenant: "acme", keyID: "key_0123456789ab", keyLabel: "ci", models: ["gpt-4o"]),
            rpm: 60, rpd: nil)
        let request = try APIGatewayProxyRequest(
            json: Self.event(extra: [
                "requestContext": [
                    "requestId": "r", "stage": "prod",
                    "authorizer": [
                        "principalId": "key_0123456789ab", "tenant": "acme", "identity": .string(key.encoded),
                        "integrationLatency": 12, "flag": true, "nothing": nil,
                    ],
                ]
            ]))
        let authorizer = try #require(request.requestContext.authorizer)
        #expect(authorizer.authorizedKey == key)
        #expect(authorizer.context["integrationLatency"] == "12")
        #expect(authorizer.context["flag"] == "true")
        #expect(authorizer.context["nothing"] == nil)
    }
}
