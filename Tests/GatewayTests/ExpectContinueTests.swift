import Foundation
import GatewayBackends
import GatewayCore
import GatewayRouter
import HTTPTypes
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
    @Test(arguments: [true, false])
    func behindAPipelinedRequestItFollowsThatRequestsAnswer(fastPath: Bool) async throws {
        try await FakeOpenAIUpstream.run { upstream in
            try await TestGateway.run(
                yaml: FastPathTests.yaml(upstream, fastPath: fastPath),
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

    /// The state machine: at once on an idle connection; behind an earlier response, after it ends, once.
    @Test func theContinueIsTimedAgainstEarlierResponses() {
        func head(_ expect: String?) -> HTTPRequest {
            var head = HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/v1/chat/completions")
            if let expect { head.headerFields[.expect] = expect }
            return head
        }
        var idle = ContinueExpectation()
        var first = head("100-continue")
        let now = idle.requestHead(&first)
        #expect(now)
        #expect(first.headerFields[.expect] == nil)
        idle.responseHead()
        let again = idle.responseEnded()
        #expect(!again)

        var pipelined = ContinueExpectation()
        var plain = head(nil)
        var waiting = head("100-continue")
        let forPlain = pipelined.requestHead(&plain)
        let forWaiting = pipelined.requestHead(&waiting)
        #expect(!forPlain && !forWaiting)
        #expect(waiting.headerFields[.expect] == nil)
        pipelined.responseHead()  // the first request's answer
        let afterFirst = pipelined.responseEnded()
        #expect(afterFirst)  // now the waiting one's turn
        pipelined.responseHead()
        let afterSecond = pipelined.responseEnded()
        #expect(!afterSecond)

        var unrelated = ContinueExpectation()
        var other = head("something-else")
        let forOther = unrelated.requestHead(&other)
        #expect(!forOther)
        #expect(other.headerFields[.expect] == "something-else")
    }

    /// Another expectation is left to the server, untouched.
    @Test func onlyTheContinueExpectationIsAnswered() {
        #expect(ContinueExpectation.expectsContinue("100-continue"))
        #expect(ContinueExpectation.expectsContinue("100-CONTINUE"))
        #expect(!ContinueExpectation.expectsContinue("100-continued"))
        #expect(!ContinueExpectation.expectsContinue("1OO-continue"))
        #expect(!ContinueExpectation.expectsContinue(nil))
    }
}
