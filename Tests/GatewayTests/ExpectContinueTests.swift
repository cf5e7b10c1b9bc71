import Foundation
import GatewayBackends
import GatewayCore
import GatewayRouter
import SwitchboardApp
import TestSupport
import Testing

@testable import GatewayEdge

/// `Expect: 100-continue` (what curl sends with every body over 1 MiB) is answered at once, so the client does not
/// wait out its timeout before it sends the body: on both paths, behind a pipelined request, in any letter case.
@Suite(.serialized) struct ExpectContinueTests {
    static let body = #"{"model":"chat","messages":[{"role":"user","content":"hi"}]}"#

    static func head(key: String, model: String = "chat", expect: String = "100-continue") -> String {
        let body = Self.body.replacingOccurrences(of: #""chat""#, with: "\"\(model)\"")
        return "POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer \(key)\r\n"
            + "content-type: application/json\r\ncontent-length: \(body.utf8.count)\r\nexpect: \(expect)\r\n\r\n"
    }

    static let continueLine = "HTTP/1.1 100 Continue\r\n\r\n"

    @Test(arguments: [true, false])
    func theBodyIsAskedForAtOnceOnBothPaths(fastPath: Bool) async throws {
        try await FakeOpenAIUpstream.run { upstream in
            try await TestGateway.run(
                yaml: FastPathTests.yaml(upstream, fastPath: fastPath),
                ports: FastPathTests.ports(MemoryRequestLog(), keys: [keyRecord("sb_sk_e")])
            ) { gw in
                let client = try await FastPathTests.rawClient(gw, key: "sb_sk_e")
                try await client.send(Self.head(key: "sb_sk_e", expect: "100-Continue"))
                let asked = try await client.wait { $0.contains(Self.continueLine) }
                #expect(asked == Self.continueLine)
                try await client.send(Self.body)
                let text = try await client.wait { $0.contains("You said: hi") }
                #expect(text.hasPrefix(Self.continueLine + "HTTP/1.1 200 OK\r\n"))
                #expect(text.components(separatedBy: "100 Continue").count == 2)
                #expect(gw.process.fastPath?.answered == (fastPath ? 1 : nil))
                await client.close()
            }
        }
    }

    /// Behind a request whose answer is still awaited, the `100 Continue` follows that answer, never precedes it.
    @Test func behindAPipelinedRequestItFollowsThatRequestsAnswer() async throws {
        try await FakeOpenAIUpstream.run { upstream in
            try await TestGateway.run(
                yaml: FastPathTests.yaml(upstream),
                ports: FastPathTests.ports(MemoryRequestLog(), keys: [keyRecord("sb_sk_p")])
            ) { gw in
                let client = try await FastPathTests.rawClient(gw, key: "sb_sk_p")
                try await client.send(FastPathTests.rawChat(key: "sb_sk_p", model: "slow") + Self.head(key: "sb_sk_p"))
                let first = try await client.wait { $0.contains(Self.continueLine) }
                let answer = try #require(first.range(of: #""model":"slow""#))
                let asked = try #require(first.range(of: Self.continueLine))
                #expect(answer.upperBound < asked.lowerBound)
                try await client.send(Self.body)
                let text = try await client.wait { $0.components(separatedBy: "You said: hi").count == 3 }
                #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
                // The request that waited is answered after its `100 Continue`.
                let second = try #require(text.range(of: #""model":"chat""#, options: .backwards))
                #expect(asked.upperBound < second.lowerBound)
                await client.close()
            }
        }
    }

    /// Another expectation is left to the server, untouched.
    @Test func onlyTheContinueExpectationIsAnswered() {
        #expect(ExpectContinueHandler.expectsContinue("100-continue"))
        #expect(ExpectContinueHandler.expectsContinue("100-CONTINUE"))
        #expect(!ExpectContinueHandler.expectsContinue("100-continued"))
        #expect(!ExpectContinueHandler.expectsContinue("1OO-continue"))
        #expect(!ExpectContinueHandler.expectsContinue(nil))
    }
}
