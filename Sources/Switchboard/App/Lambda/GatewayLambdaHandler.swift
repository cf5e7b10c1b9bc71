import GatewayAWSBackends
import GatewayCore
import GatewayLambda
import GatewayRAG
import GatewayWorkers
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One service of the gateway as a Lambda function (AWS mode): API Gateway requests go through the same router and
/// middleware as the HTTP servers (the authorizer's result standing in for the API key, quotas enforced here); SQS
/// batches go to the audit consumer (`switchboard-audit`) or the RAG ingestion worker (`switchboard-rag`), whose
/// failures are reported per message. Audit events are handed to the queue before the invocation ends, after the
/// response is complete: a function may be frozen as soon as it asks for the next invocation.
public struct GatewayLambdaHandler: LambdaHandler {
    let process: GatewayProcess
    let responder: DirectResponder
    let streaming: StreamingRoutes
    /// Runs before each invocation (provider secrets past their TTL are fetched again).
    let beforeInvocation: @Sendable () async -> Void

    public init(
        process: GatewayProcess, streaming: StreamingRoutes,
        beforeInvocation: @escaping @Sendable () async -> Void = {}
    ) {
        self.process = process
        self.responder = DirectResponder(router: process.buildRouter(), logger: process.logger)
        self.streaming = streaming
        self.beforeInvocation = beforeInvocation
    }

    public func handle(_ invocation: LambdaInvocation, responder lambda: LambdaResponder) async throws {
        await beforeInvocation()
        let result: Result<Void, any Error>
        do {
            switch LambdaEventKind.classify(invocation.body) {
            case .apiGatewayProxy:
                try await handleRequest(try APIGatewayProxyRequest(bytes: invocation.body), lambda)
            case .sqs:
                try await handleBatch(try SQSEvent(bytes: invocation.body), lambda)
            case .tokenAuthorizer, .unknown:
                throw LambdaFunctionError(
                    type: "Switchboard.UnsupportedEvent",
                    message: "This function handles API Gateway REST proxy events and SQS batches.")
            }
            result = .success(())
        } catch {
            result = .failure(error)
        }
        // Before the invocation ends, with a second to spare before its deadline: past that Lambda discards the
        // environment, and with it what is still buffered (which otherwise goes with the next invocation's flush).
        let nowMilliseconds = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let remaining = max(0, invocation.remainingMilliseconds(nowMilliseconds: nowMilliseconds) - 1000)
        if await !process.publisher.flush(within: .milliseconds(remaining)) {
            process.logger.error(
                "audit events not accepted by the queue before the deadline; kept for the next invocation",
                metadata: ["events": "\(process.publisher.pending)"])
        }
        try result.get()
    }

    func handleRequest(_ event: APIGatewayProxyRequest, _ lambda: LambdaResponder) async throws {
        var headers = HTTPFields()
        for (name, value) in event.headers {
            if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
        }
        let request = DirectRequest(
            method: HTTPRequest.Method(event.httpMethod) ?? .get, target: event.routeURI, headers: headers,
            body: ByteBuffer(bytes: event.body), authorizedKey: event.requestContext.authorizer?.authorizedKey)
        let response = await responder.respond(to: request)
        let responseHeaders = HTTPHeaders(response.headers.map { ($0.name.rawName, $0.value) })
        if streaming.streams(method: event.httpMethod, path: event.routePath) {
            let stream = try await lambda.streamHTTPIntegration(
                HTTPIntegrationPrelude(statusCode: Int(response.status.code), headers: responseHeaders))
            do {
                try await DirectResponder.write(response) { try await stream.write($0) }
                try await stream.finish()
            } catch {
                // Past the first byte: the stream ends with Lambda's error trailers.
                process.logger.error("streamed response failed", metadata: ["error": "\(error)"])
                try await stream.fail(error)
            }
        } else {
            let body = BodyCollector()
            try await DirectResponder.write(response) { body.append($0) }
            let answer = APIGatewayProxyResponse(
                statusCode: Int(response.status.code), headers: responseHeaders, body: body.bytes)
            try await lambda.respond(answer.encoded(), contentType: "application/json")
        }
    }

    func handleBatch(_ event: SQSEvent, _ lambda: LambdaResponder) async throws {
        var messages: [(id: String, payload: [UInt8])] = []
        var failed: [String] = []
        for record in event.records {
            let encoding = record.messageAttributes[SQSPayload.encodingAttribute]?.stringValue
            if let payload = SQSPayload.payload(body: record.body, encoding: encoding) {
                messages.append((record.messageID, payload))
            } else {
                process.logger.error("damaged SQS message body", metadata: ["message": "\(record.messageID)"])
                failed.append(record.messageID)
            }
        }
        if process.role.runs(.audit) {
            failed += await process.consumer.write(messages)
        } else if process.role.runs(.rag) {
            for message in messages {
                do {
                    try await process.ragWorker.process(message.payload)
                } catch {
                    process.logger.error(
                        "rag-ingest job failed; SQS delivers it again", metadata: ["error": "\(error)"])
                    failed.append(message.id)
                }
            }
        } else {
            throw LambdaFunctionError(
                type: "Switchboard.UnsupportedEvent", message: "This function does not consume a queue.")
        }
        try await lambda.respond(SQSBatchResponse(failedMessageIDs: failed).encoded(), contentType: "application/json")
    }
}

/// Collects a buffered response's body.
final class BodyCollector: Sendable {
    let buffer = Mutex(ByteBuffer())

    func append(_ part: ByteBuffer) {
        buffer.withLock { buffer in
            var part = part
            buffer.writeBuffer(&part)
        }
    }

    var bytes: [UInt8] { buffer.withLock { Array(buffer: $0) } }
}
