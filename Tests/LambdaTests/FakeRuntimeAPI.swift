import GatewayLambda
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A fake Lambda Runtime API (2018-06-01) on 127.0.0.1: serves queued events on `GET /runtime/invocation/next`
/// (holding the long poll until one is queued), and records every `/response`, `/error` and `/init/error` POST as
/// it arrives (body parts as they come, trailers, and the raw bytes of the connection) and answers 202.
final class FakeRuntimeAPI: Sendable {
    struct Event: Sendable {
        var requestID: String
        var body: [UInt8]
        var deadlineMilliseconds: Int64 = 1_542_409_706_888
        var functionARN = "arn:aws:lambda:us-east-1:123456789012:function:switchboard"
        var traceID: String? = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
        var clientContext: String?
        var cognitoIdentity: String?
    }

    struct Post: Sendable {
        var path: String
        var headers: [(name: String, value: String)]
        var body: [UInt8] = []
        var trailers: [(name: String, value: String)]?
        var complete = false
        /// Every byte received on the connection that carried this POST.
        var raw: [UInt8] = []

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        func trailer(_ name: String) -> String? {
            trailers?.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    struct Waiter: Sendable {
        var connection: Int
        var answer: @Sendable (Event) -> Void
    }

    struct Snapshot: Sendable {
        var queue: [Event] = []
        var waiters: [Waiter] = []
        var posts: [Post] = []
        var nextRequests = 0
        var raw: [Int: [UInt8]] = [:]
    }

    let channel: any Channel
    let state: Mutex<Snapshot>
    let connectionIDs = Atomic<Int>(0)

    private init(channel: any Channel) {
        self.channel = channel
        self.state = Mutex(Snapshot())
    }

    static func start() async throws -> FakeRuntimeAPI {
        let box = StateBox()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let fake = box.fake.withLock { $0 }!
                    let id = fake.connectionIDs.wrappingAdd(1, ordering: .relaxed).newValue
                    try channel.pipeline.syncOperations.addHandler(RawRecorder(fake: fake, connection: id))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(fake: fake, connection: id))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let fake = FakeRuntimeAPI(channel: channel)
        box.fake.withLock { $0 = fake }
        return fake
    }

    final class StateBox: Sendable {
        let fake = Mutex<FakeRuntimeAPI?>(nil)
    }

    var endpoint: LambdaRuntimeEndpoint { LambdaRuntimeEndpoint(host: "127.0.0.1", port: channel.localAddress!.port!) }
    var posts: [Post] { state.withLock { $0.posts } }

    func enqueue(_ event: Event) {
        let waiter: Waiter? = state.withLock { snapshot in
            if snapshot.waiters.isEmpty {
                snapshot.queue.append(event)
                return nil
            }
            return snapshot.waiters.removeFirst()
        }
        waiter?.answer(event)
    }

    /// Polls until `check` gives a value; fails after about 30 s so that a broken runtime cannot hang the suite.
    func waitFor<T: Sendable>(_ what: String, _ check: (Snapshot) -> T?) async throws -> T {
        for _ in 0..<3000 {
            if let value = state.withLock({ check($0) }) { return value }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FakeError.timedOut(what)
    }

    /// Waits for `count` complete POSTs.
    func completedPosts(_ count: Int) async throws -> [Post] {
        try await waitFor("\(count) complete posts") { snapshot in
            let done = snapshot.posts.filter(\.complete)
            return done.count >= count ? done : nil
        }
    }

    func stop() async {
        try? await channel.close()
    }

    enum FakeError: Error {
        case timedOut(String)
    }

    /// Keeps every byte a connection receives.
    final class RawRecorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let fake: FakeRuntimeAPI
        let connection: Int

        init(fake: FakeRuntimeAPI, connection: Int) {
            self.fake = fake
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            fake.state.withLock { $0.raw[connection, default: []] += Array(buffer.readableBytesView) }
            context.fireChannelRead(data)
        }
    }

    final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let fake: FakeRuntimeAPI
        let connection: Int
        var postIndex: Int?
        var isNext = false

        init(fake: FakeRuntimeAPI, connection: Int) {
            self.fake = fake
            self.connection = connection
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                isNext = head.method == .GET && head.uri == "/2018-06-01/runtime/invocation/next"
                guard head.method == .POST else { return }
                let post = Post(path: head.uri, headers: head.headers.map { ($0.name, $0.value) })
                postIndex = fake.state.withLock { snapshot in
                    snapshot.posts.append(post)
                    return snapshot.posts.count - 1
                }
            case .body(let buffer):
                guard let postIndex else { return }
                fake.state.withLock { $0.posts[postIndex].body += Array(buffer.readableBytesView) }
            case .end(let trailers):
                if isNext {
                    serveNext(context: context)
                } else if let postIndex {
                    fake.state.withLock { snapshot in
                        snapshot.posts[postIndex].trailers = trailers.map { $0.map { ($0.name, $0.value) } }
                        snapshot.posts[postIndex].raw = snapshot.raw[connection] ?? []
                        snapshot.posts[postIndex].complete = true
                    }
                    self.postIndex = nil
                    Self.answer(context: context, status: .accepted, headers: [], body: Array(#"{"status":"OK"}"#.utf8))
                } else {
                    Self.answer(context: context, status: .notFound, headers: [], body: [])
                }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            let connection = connection
            fake.state.withLock { $0.waiters.removeAll { $0.connection == connection } }
            context.fireChannelInactive()
        }

        private func serveNext(context: ChannelHandlerContext) {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let loop = context.eventLoop
            let answer: @Sendable (Event) -> Void = { event in
                loop.execute { Self.answer(context: bound.value, event: event) }
            }
            let ready: Event? = fake.state.withLock { snapshot in
                snapshot.nextRequests += 1
                if snapshot.queue.isEmpty {
                    snapshot.waiters.append(Waiter(connection: connection, answer: answer))
                    return nil
                }
                return snapshot.queue.removeFirst()
            }
            if let ready { Self.answer(context: context, event: ready) }
        }

        static func answer(context: ChannelHandlerContext, event: Event) {
            var headers: [(String, String)] = [
                ("Lambda-Runtime-Aws-Request-Id", event.requestID),
                ("Lambda-Runtime-Deadline-Ms", String(event.deadlineMilliseconds)),
                ("Lambda-Runtime-Invoked-Function-Arn", event.functionARN),
            ]
            if let traceID = event.traceID { headers.append(("Lambda-Runtime-Trace-Id", traceID)) }
            if let value = event.clientContext { headers.append(("Lambda-Runtime-Client-Context", value)) }
            if let value = event.cognitoIdentity { headers.append(("Lambda-Runtime-Cognito-Identity", value)) }
            answer(context: context, status: .ok, headers: headers, body: event.body)
        }

        static func answer(
            context: ChannelHandlerContext, status: HTTPResponseStatus, headers extra: [(String, String)],
            body: [UInt8]
        ) {
            var headers = HTTPHeaders(extra)
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(body.count))
            headers.add(name: "connection", value: "close")
            let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        }
    }
}
