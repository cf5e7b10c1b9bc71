import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension GoogleAccessTokenSource {
    /// An `Exchange` that POSTs through `client` (the gateway's shared upstream client), reading at most 1 MiB.
    public static func httpExchange(client: HTTPClient, timeout: TimeAmount = .seconds(30)) -> Exchange {
        { url, body, headers in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            for header in headers { request.headers.add(name: header.name, value: header.value) }
            request.headers.replaceOrAdd(name: "content-length", value: String(body.count))
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: timeout)
            let buffer = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Array(buffer.readableBytesView))
        }
    }
}
