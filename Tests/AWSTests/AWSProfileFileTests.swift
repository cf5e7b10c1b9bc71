import GatewayAWS
import Testing

@Suite("AWS shared-file INI parsing")
struct AWSProfileFileTests {
    @Test func sectionsKeysCommentsAndSubProperties() {
        let file = AWSProfileFile.parse(
            """
            # comment
            ; another comment
            [default]
            aws_access_key_id = AKIDDEFAULT
            AWS_Secret_Access_Key=secret ; inline comment
            url = https://example.com/#fragment
            s3 =
              max_concurrent_requests = 20
              addressing_style = path
            [profile dev]   # trailing text
            region = eu-west-1\r
            [ spaced ]
            key = value with spaces\t
            [default]
            region = us-east-1
            """)
        #expect(file.sections["default"]?["aws_access_key_id"] == "AKIDDEFAULT")
        #expect(file.sections["default"]?["aws_secret_access_key"] == "secret")
        #expect(file.sections["default"]?["url"] == "https://example.com/#fragment")
        #expect(file.sections["default"]?["s3.max_concurrent_requests"] == "20")
        #expect(file.sections["default"]?["s3.addressing_style"] == "path")
        #expect(file.sections["default"]?["region"] == "us-east-1")
        #expect(file.sections["profile dev"]?["region"] == "eu-west-1")
        #expect(file.sections["spaced"]?["key"] == "value with spaces")
        #expect(file.configProfile("dev")?["region"] == "eu-west-1")
        #expect(file.configProfile("default")?["aws_access_key_id"] == "AKIDDEFAULT")
        #expect(file.credentialsProfile("dev") == nil)
        #expect(file.configProfile("spaced") == nil)
    }

    @Test func profileDefaultWinsOverBareDefaultInConfig() {
        let file = AWSProfileFile.parse("[default]\nregion = a\n[profile default]\nregion = b\n")
        #expect(file.configProfile("default")?["region"] == "b")
    }

    @Test func propertiesOutsideSectionsAreIgnored() {
        #expect(AWSProfileFile.parse("key = value\n[x]\n").sections == ["x": [:]])
    }
}
