import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Id, timestamp and model shared by every chunk of one response.
struct ChunkHeader {
    let id: String
    let created: Int
    let model: String

    /// `{"id":…,"object":…,"created":…,"model":…,"system_fingerprint":"fp_fake","choices":[` — the caller
    /// appends the choices, closes the array and the object.
    func chunkStart(object: StaticString, capacity: Int, fingerprint: Bool = true) -> JSONText {
        var json = JSONText(capacity: capacity)
        json.raw("{\"id\":")
        json.string(id)
        json.raw(",\"object\":\"")
        json.raw(object)
        json.raw("\",\"created\":")
        json.int(created)
        json.raw(",\"model\":")
        json.string(model)
        if fingerprint { json.raw(",\"system_fingerprint\":\"fp_fake\"") }
        json.raw(",\"choices\":[")
        return json
    }
}

/// `{"prompt_tokens":P,"completion_tokens":C,"total_tokens":P+C}`.
struct Usage {
    let prompt: Int
    let completion: Int

    func write(to json: inout JSONText) {
        json.raw("{\"prompt_tokens\":")
        json.int(prompt)
        json.raw(",\"completion_tokens\":")
        json.int(completion)
        json.raw(",\"total_tokens\":")
        json.int(prompt + completion)
        json.raw("}")
    }
}

/// 200 responses with a JSON body.
enum JSONResponse {
    static func ok(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }

    static func ok(_ data: Data) -> Response {
        ok(ByteBuffer(bytes: data))
    }
}
