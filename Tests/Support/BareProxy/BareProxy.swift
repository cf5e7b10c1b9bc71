import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// The calibration point of the benchmark: a bare Hummingbird + AsyncHTTPClient pass-through proxy with no
/// authentication, quotas, parsing or logging. What Switchboard adds is measured against this and against a
/// direct call to the upstream.
@main
struct BareProxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard-bare-proxy", abstract: "A bare pass-through proxy, for benchmarks only.")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port).") var port = 0
    @Option(help: "Upstream base URL, e.g. http://127.0.0.1:9000") var upstream: String
    @Option(help: "Upstream connections per host.") var connections = 64

    func run() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let base = upstream
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 4 * 1024 * 1024)
            var outbound = HTTPClientRequest(url: base + "/v1/chat/completions")
            outbound.method = .POST
            outbound.headers.add(name: "content-type", value: "application/json")
            outbound.body = .bytes(body)
            let response = try await client.execute(outbound, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return Response(
                status: .init(code: Int(response.status.code)), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: bytes))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in
                FileHandle.standardOutput.write(Data("listening on \(channel.localAddress?.port ?? 0)\n".utf8))
            })
        try await app.runService()
        try await client.shutdown()
    }
}
