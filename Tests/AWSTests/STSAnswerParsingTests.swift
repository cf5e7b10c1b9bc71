import Foundation
import GatewayAWS
import Testing

/// The STS answers are the examples of the STS API reference (AssumeRole, AssumeRoleWithWebIdentity, the error
/// shape) and moto's error shape (`<ErrorResponse><Errors><Error>`).
@Suite("STS query answers and the XML subset")
struct STSAnswerParsingTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"

    static let assumeRole = """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
        <AssumeRoleResult>
        <SourceIdentity>Alice</SourceIdentity>
          <AssumedRoleUser>
            <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
            <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
          </AssumedRoleUser>
          <Credentials>
            <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
            <SecretAccessKey>\(secret)</SecretAccessKey>
            <SessionToken>
             AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW
            </SessionToken>
            <Expiration>2019-11-09T13:34:41Z</Expiration>
          </Credentials>
          <PackedPolicySize>6</PackedPolicySize>
        </AssumeRoleResult>
        <ResponseMetadata>
          <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
        </ResponseMetadata>
        </AssumeRoleResponse>
        """

    static let webIdentity = """
        <?xml version="1.0" encoding="UTF-8"?>
        <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleWithWebIdentityResult>
            <SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A</SubjectFromWebIdentityToken>
            <Audience>client.5498841531868486423.1548@apps.example.com</Audience>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/FederatedWebIdentityRole/app1</Arn>
              <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>
              <SecretAccessKey>\(secret)</SecretAccessKey>
              <Expiration>2014-10-24T23:00:23Z</Expiration>
              <AccessKeyId>ASgeIAIOSFODNN7EXAMPLE</AccessKeyId>
            </Credentials>
            <SourceIdentity>SourceIdentityValue</SourceIdentity>
            <Provider>www.amazon.com</Provider>
          </AssumeRoleWithWebIdentityResult>
          <ResponseMetadata>
            <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
          </ResponseMetadata>
        </AssumeRoleWithWebIdentityResponse>
        """

    @Test func assumeRoleAnswer() throws {
        let root = try #require(AWSXMLElement.parse(Self.assumeRole))
        let credentials = try STSClient.credentials(in: root, result: "AssumeRoleResult")
        #expect(
            credentials
                == AWSCredentials(
                    accessKeyID: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: Self.secret,
                    sessionToken: "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW",
                    expiration: Date(timeIntervalSince1970: 1_573_306_481)))
        #expect(root.first(named: "RequestId")?.text == "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
    }

    @Test func webIdentityAnswerInAnyElementOrder() throws {
        let root = try #require(AWSXMLElement.parse(Self.webIdentity))
        let credentials = try STSClient.credentials(in: root, result: "AssumeRoleWithWebIdentityResult")
        #expect(credentials.accessKeyID == "ASgeIAIOSFODNN7EXAMPLE")
        #expect(credentials.secretAccessKey == Self.secret)
        #expect(credentials.sessionToken == "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE")
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_414_191_623))
        #expect(throws: AWSClientError.self) { try STSClient.credentials(in: root, result: "AssumeRoleResult") }
    }

    @Test func incompleteCredentialsNameTheFieldsNotTheValues() throws {
        let noToken = Self.webIdentity.replacingOccurrences(
            of: "<SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE</SessionToken>", with: "")
        let badDate = Self.webIdentity.replacingOccurrences(of: "2014-10-24T23:00:23Z", with: "tomorrow")
        for (text, named) in [(noToken, "SessionToken"), (badDate, "Expiration")] {
            let root = try #require(AWSXMLElement.parse(text))
            do {
                _ = try STSClient.credentials(in: root, result: "AssumeRoleWithWebIdentityResult")
                Issue.record("expected an error")
            } catch {
                #expect(error.kind == .invalidResponse)
                #expect(error.message.contains(named))
                #expect(!error.description.contains(Self.secret))
            }
        }
    }

    @Test func errorAnswers() {
        let sts = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error>
                <Type>Sender</Type>
                <Code>InvalidIdentityToken</Code>
                <Message>No OpenIDConnect provider found in your account for https://oidc.example.com/id/ABC</Message>
              </Error>
              <RequestId>4f2b4d52-1f2a-4a6d-9a5e-EXAMPLE</RequestId>
            </ErrorResponse>
            """
        let error = AWSQueryClient.decodeError(status: 400, Array(sts.utf8))
        #expect(error.code == "InvalidIdentityToken")
        #expect(error.message == "No OpenIDConnect provider found in your account for https://oidc.example.com/id/ABC")
        #expect(error.requestID == "4f2b4d52-1f2a-4a6d-9a5e-EXAMPLE")
        #expect(error.status == 400)

        let moto = """
            <?xml version="1.0" encoding="utf-8"?>
            <ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we \
            calculated does not match the signature you provided.</Message><Type>Sender</Type></Error></Errors>\
            </ErrorResponse>
            """
        #expect(AWSQueryClient.decodeError(status: 403, Array(moto.utf8)).code == "SignatureDoesNotMatch")

        let html = AWSQueryClient.decodeError(status: 500, Array("<!doctype html><h1>oops".utf8))
        #expect(html.code == "HTTP500")
        #expect(html.message == "the service answered HTTP 500")
        #expect(AWSQueryClient.decodeError(status: 503, []).code == "HTTP503")
    }

    @Test func entitiesCDATACommentsAndNamespaces() throws {
        let text = """
            <?xml version="1.0"?>
            <!-- leading comment -->
            <a:Root xmlns:a="urn:x" attr="1 > 0">
              <Value>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#x41;&#66;&#x1F600;</Value>
              <Raw><![CDATA[<not-a-tag> &amp; stays]]></Raw>
              <Mixed>one<!-- inside -->two</Mixed>
              <Empty/>
              <Empty2 />
            </a:Root>
            """
        let root = try #require(AWSXMLElement.parse(text))
        #expect(root.name == "Root")
        #expect(root.child("Value")?.text == "a & b <c> \"d\" 'e' AB😀")
        #expect(root.child("Raw")?.text == "<not-a-tag> &amp; stays")
        #expect(root.child("Mixed")?.text == "onetwo")
        #expect(root.child("Empty") == AWSXMLElement(name: "Empty"))
        #expect(root.child("Empty2")?.children.isEmpty == true)
        #expect(root.children.map(\.name) == ["Value", "Raw", "Mixed", "Empty", "Empty2"])
    }

    @Test func malformedDocumentsAreRejected() {
        for text in [
            "", "plain text", "<a>", "<a></b>", "<a><b></a></b>", "<a>&unknown;</a>", "<a>&amp</a>", "<a/><b/>",
            "<a></a>trailing", "<a><![CDATA[never closed</a>", "<a><!-- never closed</a>", "<a x=\"unterminated></a>",
            "<a>&#xFFFFFFFF;</a>",
        ] {
            #expect(AWSXMLElement.parse(text) == nil, "\(text)")
        }
        let deep = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        #expect(AWSXMLElement.parse(deep) == nil, "nesting is bounded")
    }
}
