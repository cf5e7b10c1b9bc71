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

    @Test func theOpenFileLimitIsRaisedToTheHardLimitUpToTheKernelsDefaultCeiling() {
        #expect(OpenFileLimit.raised(soft: 1024, hard: 524_288) == 524_288)
        #expect(OpenFileLimit.raised(soft: 1024, hard: UInt64.max) == 1 << 20)  // RLIM_INFINITY
        #expect(OpenFileLimit.raised(soft: 1024, hard: 1024) == nil)
        #expect(OpenFileLimit.raised(soft: 2 << 20, hard: UInt64.max) == nil)  // never lowered
    }
}
