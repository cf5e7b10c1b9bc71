import NIOCore

/// `GET /v1/models`: a fixed list of the fake's notable model names, precomputed once.
enum ModelList {
    static let ids = [
        "bench", "echo", "tool", "tools2", "nochat", "midstream-error", "flaky-1", "slow-1000", "status-500",
        "embedding",
    ]

    static let body: ByteBuffer = {
        let created = 1_700_000_000
        var json = JSONText(capacity: 1024)
        json.raw("{\"object\":\"list\",\"data\":[")
        for (index, id) in ids.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw("{\"id\":")
            json.string(id)
            json.raw(",\"object\":\"model\",\"created\":")
            json.int(created)
            json.raw(",\"owned_by\":\"fake\"}")
        }
        json.raw("]}")
        return json.byteBuffer
    }()
}
