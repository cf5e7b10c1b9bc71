import GatewayAWS
import Testing

@Test func regionComesFromAWSRegionBeforeTheDefault() {
    #expect(
        AWSRegion.fromEnvironment(["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"])?.name == "eu-west-1")
    #expect(AWSRegion.fromEnvironment(["AWS_DEFAULT_REGION": "us-east-1"])?.name == "us-east-1")
    #expect(AWSRegion.fromEnvironment(["AWS_REGION": ""]) == nil)
}
