import Foundation

/// `/model/{modelId}/converse`, `/converse-stream` and `/invoke`; the model id (or ARN) arrives
/// percent-encoded (`anthropic.claude-3-5-sonnet-20240620-v1%3A0`) and is decoded here.
struct BedrockRoute {
    static let prefix = "/model/"

    enum Operation: String {
        case converse = "/converse"
        case converseStream = "/converse-stream"
        case invoke = "/invoke"
    }

    let modelID: String
    let operation: Operation

    init?(path: String) {
        guard path.hasPrefix(Self.prefix) else { return nil }
        let rest = path.dropFirst(Self.prefix.count)
        // Checked longest first: an unencoded ARN may contain `/`, so the operation is the path's suffix.
        guard
            let operation = [Operation.converseStream, .converse, .invoke].first(where: { rest.hasSuffix($0.rawValue) })
        else { return nil }
        let encoded = rest.dropLast(operation.rawValue.count)
        guard !encoded.isEmpty else { return nil }
        self.modelID = String(encoded).removingPercentEncoding ?? String(encoded)
        self.operation = operation
    }
}
