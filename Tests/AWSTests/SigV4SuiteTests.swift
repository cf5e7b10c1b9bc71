import Foundation
import GatewayAWS
import Testing

/// The aws-c-auth SigV4 suite (Fixtures/sigv4/aws-c-auth/v4): every case, header and query signing.
@Suite("SigV4 aws-c-auth suite")
struct SigV4SuiteTests {
    static let suitePath = "sigv4/aws-c-auth/v4"
    static let caseNames = FixtureFiles.directories(suitePath)

    struct Case {
        var request: RawHTTPRequest
        var signer: SigV4Signer
        var credentials: AWSCredentials
        var date: Date
        var expires: Int
        var sigV4Request: SigV4Request

        init(_ name: String) throws {
            let directory = "\(SigV4SuiteTests.suitePath)/\(name)"
            let context = try #require(try FixtureFiles.json("\(directory)/context.json") as? [String: Any])
            let credentials = try #require(context["credentials"] as? [String: Any])
            request = RawHTTPRequest(try FixtureFiles.text("\(directory)/request.txt"))
            signer = SigV4Signer(
                region: try #require(context["region"] as? String),
                service: try #require(context["service"] as? String),
                options: SigV4Signer.Options(
                    doubleEncodePath: true, normalizePath: context["normalize"] as? Bool ?? true,
                    addContentSHA256Header: context["sign_body"] as? Bool ?? false,
                    signSessionToken: !(context["omit_session_token"] as? Bool ?? false)))
            self.credentials = AWSCredentials(
                accessKeyID: try #require(credentials["access_key_id"] as? String),
                secretAccessKey: try #require(credentials["secret_access_key"] as? String),
                sessionToken: credentials["token"] as? String)
            let timestamp = try #require(context["timestamp"] as? String)
            date = try #require(AWSTimestamp.parseISO8601(timestamp))
            expires = context["expiration_in_seconds"] as? Int ?? 3600
            sigV4Request = SigV4Request(
                method: request.method, path: request.path, query: request.queryItems,
                headers: request.headers.map { ($0.name, $0.value) }, payload: .bytes(Array(request.body.utf8)))
        }
    }

    @Test func theWholeSuiteIsPresent() {
        #expect(Self.caseNames.count == 38)
    }

    @Test(arguments: caseNames)
    func headerSigning(_ name: String) throws {
        let directory = "\(Self.suitePath)/\(name)"
        let testCase = try Case(name)
        let signature = testCase.signer.sign(
            testCase.sigV4Request, credentials: testCase.credentials, date: testCase.date)
        #expect(signature.canonicalRequest == (try FixtureFiles.text("\(directory)/header-canonical-request.txt")))
        #expect(signature.stringToSign == (try FixtureFiles.text("\(directory)/header-string-to-sign.txt")))
        #expect(signature.signature == (try FixtureFiles.text("\(directory)/header-signature.txt")))

        let expected = RawHTTPRequest(try FixtureFiles.text("\(directory)/header-signed-request.txt"))
        var signed = testCase.request
        signed.headers += signature.headers.map { RawHTTPRequest.Pair(name: $0.name, value: $0.value) }
        #expect(signed.method == expected.method && signed.uri == expected.uri && signed.body == expected.body)
        #expect(signed.normalizedHeaders == expected.normalizedHeaders)
    }

    @Test(arguments: caseNames)
    func querySigning(_ name: String) throws {
        let directory = "\(Self.suitePath)/\(name)"
        let testCase = try Case(name)
        let signature = testCase.signer.presign(
            testCase.sigV4Request, credentials: testCase.credentials, date: testCase.date, expires: testCase.expires)
        #expect(signature.canonicalRequest == (try FixtureFiles.text("\(directory)/query-canonical-request.txt")))
        #expect(signature.stringToSign == (try FixtureFiles.text("\(directory)/query-string-to-sign.txt")))
        #expect(signature.signature == (try FixtureFiles.text("\(directory)/query-signature.txt")))
        #expect(signature.headers.isEmpty)

        let expected = RawHTTPRequest(try FixtureFiles.text("\(directory)/query-signed-request.txt"))
        let added = SigV4Request(method: "", path: "", query: signature.queryItems, headers: [], payload: .empty)
            .encodedQuery
        let query = testCase.request.rawQuery.isEmpty ? added : testCase.request.rawQuery + "&" + added
        #expect(expected.uri == testCase.request.path + "?" + query)
        #expect(expected.normalizedHeaders == testCase.request.normalizedHeaders)
        #expect(expected.body == testCase.request.body)
    }
}

/// The 2015 AWS "Signature Version 4 Test Suite" cases in Fixtures/sigv4/classic.
@Suite("SigV4 classic suite")
struct SigV4ClassicSuiteTests {
    static let signer = SigV4Signer(region: "us-east-1", service: "service")
    static let credentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 2015-08-30T12:36:00Z

    static func request(_ name: String, droppingHeader dropped: String? = nil) throws -> SigV4Request {
        let raw = RawHTTPRequest(try FixtureFiles.text("sigv4/classic/\(name)/\(name).req"))
        return SigV4Request(
            method: raw.method, path: raw.path, query: raw.queryItems,
            headers: raw.headers.filter { $0.name.lowercased() != dropped }.map { ($0.name, $0.value) },
            payload: .bytes(Array(raw.body.utf8)))
    }

    static func expected(_ name: String, _ suffix: String) throws -> String {
        try FixtureFiles.text("sigv4/classic/\(name)/\(name).\(suffix)")
    }

    @Test(arguments: ["get-vanilla-query-order-key", "get-vanilla-query-order-value"])
    func signsLikeTheSuite(_ name: String) throws {
        let signature = Self.signer.sign(try Self.request(name), credentials: Self.credentials, date: Self.date)
        #expect(signature.canonicalRequest == (try Self.expected(name, "creq")))
        #expect(signature.stringToSign == (try Self.expected(name, "sts")))
        #expect(signature.header("authorization") == (try Self.expected(name, "authz")))
        #expect(signature.header("x-amz-date") == "20150830T123600Z")
    }

    /// The suite's `.creq` for this case includes content-length, but its `.sts` and `.authz` were computed
    /// without it (see NOTE.txt); both halves are checked.
    @Test func formURLEncodedPostMatchesBothHalvesOfTheSuite() throws {
        let name = "post-x-www-form-urlencoded"
        let full = Self.signer.sign(try Self.request(name), credentials: Self.credentials, date: Self.date)
        #expect(full.canonicalRequest == (try Self.expected(name, "creq")))
        let withoutLength = Self.signer.sign(
            try Self.request(name, droppingHeader: "content-length"), credentials: Self.credentials, date: Self.date)
        #expect(withoutLength.stringToSign == (try Self.expected(name, "sts")))
        #expect(withoutLength.header("authorization") == (try Self.expected(name, "authz")))
    }
}
