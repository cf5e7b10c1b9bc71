import Testing

@testable import SwitchboardApp

@Suite struct ProcessBootstrapTests {
    @Test func eventLoopsAreHalfTheCoresUnlessConfiguredAndNIOsOwnVariableWins() {
        #expect(ProcessBootstrap.eventLoops(configured: nil, cores: 1, environment: [:]) == 1)
        #expect(ProcessBootstrap.eventLoops(configured: nil, cores: 2, environment: [:]) == 1)
        #expect(ProcessBootstrap.eventLoops(configured: nil, cores: 3, environment: [:]) == 1)
        #expect(ProcessBootstrap.eventLoops(configured: nil, cores: 16, environment: [:]) == 8)
        #expect(ProcessBootstrap.eventLoops(configured: 4, cores: 2, environment: [:]) == 4)
        #expect(
            ProcessBootstrap.eventLoops(configured: 4, cores: 2, environment: ["NIO_SINGLETON_GROUP_LOOP_COUNT": "3"])
                == nil)
    }
}
