import Foundation
import GatewayCore
import GatewaySchema
import Testing

@testable import GatewayPostgres

/// What the conformance suite does not reach: the SQL filters against `MetadataFilter.matches` on awkward
/// metadata (arrays, nested arrays, numbers against numeric strings, null, missing fields, objects).
@Suite(.enabled(if: PostgresTestServer.url != nil)) struct PostgresVectorStoreTests {
    static let metadata: [JSONValue] = [
        ["n": 1], ["n": 1.0], ["n": "1"], ["n": [1, "x"]], ["n": [[2, "deep"]]], ["n": .null], [:], ["n": true],
        ["n": ["a": 1]], ["n": .number(JSONNumber(raw: "1e2"))], ["n": -0.5], ["n": [true, false]], ["n": 0.1],
        ["n": 2.5], ["n": "2.5"], ["n": .number(JSONNumber(raw: "0.30000000000000000001"))], ["n": []],
        ["n": "x", "m": false], ["m": 0],
    ]

    static let filters: [JSONValue] = [
        ["n": 1], ["n": "1"], ["n": true], ["n": false], ["n": 2], ["n": 100], ["n": "x"], ["n": "deep"],
        ["n": 0.3], ["n": ["$ne": 1]], ["n": ["$ne": "x"]], ["n": ["$in": [1, "x"]]], ["n": ["$nin": ["1", 2.5]]],
        ["n": ["$gt": 0]], ["n": ["$gte": 1]], ["n": ["$lt": 2]], ["n": ["$lte": 0.1]], ["n": ["$gt": -1, "$lt": 1]],
        ["n": ["$exists": true]], ["n": ["$exists": false]], ["m": ["$exists": true]], ["m": false], ["m": 0],
        ["$or": [["n": "x"], ["m": 0]]], ["$and": [["n": ["$exists": true]], ["n": ["$nin": [1, true]]]]],
        ["n": ["$gte": 1e308]], ["n": ["$lt": -1e308]],
    ]

    @Test func sqlFiltersAgreeWithTheReferenceSemantics() async throws {
        let (store, stop) = try await PostgresTestServer.start()
        let vectors = PostgresVectorStore(store: store)
        let ns = VectorNamespace(tenant: "filters-\(UUID().uuidString.prefix(8).lowercased())", index: "edge")
        for (n, metadata) in Self.metadata.enumerated() {
            let chunk = VectorChunk(
                documentKey: "doc-\(n)", chunkIndex: 0, text: "", metadata: metadata.objectValue!,
                vector: [1, Float(n) / 10, 0.5])
            try await vectors.replaceDocument("doc-\(n)", with: [chunk], in: ns)
        }
        for filterJSON in Self.filters {
            let filter = try MetadataFilter.parse(filterJSON)
            let expected = Self.metadata.indices.filter { filter.matches(Self.metadata[$0].objectValue!) }
                .map { "doc-\($0)" }
            let got = try await vectors.query([1, 0, 0], topK: 100, filter: filter, in: ns).map(\.documentKey)
            #expect(Set(got) == Set(expected), "\(filterJSON.jsonString)")
        }
        await stop()
    }

    @Test func aQueryOfAnotherDimensionIsRejected() async throws {
        let (store, stop) = try await PostgresTestServer.start()
        let vectors = PostgresVectorStore(store: store)
        let ns = VectorNamespace(tenant: "dims-\(UUID().uuidString.prefix(8).lowercased())", index: "docs")
        try await vectors.replaceDocument(
            "a", with: [VectorChunk(documentKey: "a", chunkIndex: 0, text: "a", metadata: [:], vector: [1, 0])], in: ns)
        await #expect(throws: VectorStoreError.dimensionMismatch(expected: 2, got: 3)) {
            try await vectors.query([1, 0, 0], topK: 3, filter: nil, in: ns)
        }
        await stop()
    }
}
