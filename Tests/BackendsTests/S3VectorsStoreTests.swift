import Foundation
import GatewayAWS
import GatewaySchema
import Testing

@testable import GatewayAWSBackends
@testable import GatewayCore

@Suite("S3 Vectors store")
struct S3VectorsStoreTests {
    static var serviceConfigured: Bool { S3VectorsTestService.baseURL != nil }

    @Test func indexNamesAreValidAndDistinctForEveryNamespace() {
        let namespaces = [
            VectorNamespace(tenant: "acme", index: "docs"), VectorNamespace(tenant: "acme", index: "docs_v2"),
            VectorNamespace(tenant: "acme", index: "docs-v2"), VectorNamespace(tenant: "acm", index: "edocs"),
            VectorNamespace(tenant: "Tenant With Spaces/ünïcode", index: "docs"),
            VectorNamespace(tenant: "acme\u{0}docs", index: "x"), VectorNamespace(tenant: "acme", index: "docs\u{0}x"),
        ]
        let names = namespaces.map(S3VectorsLayout.indexName)
        #expect(Set(names).count == namespaces.count)
        for name in names {
            #expect(name.count == 35 && name.hasPrefix("sb-"))
            #expect(name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D })
        }
        #expect(S3VectorsLayout.indexName(namespaces[0]) == S3VectorsLayout.indexName(namespaces[0]))
    }

    @Test func reservedKeysTravelInMetadataAndAreStrippedFromMatches() throws {
        let chunk = VectorChunk(
            documentKey: "ignored", chunkIndex: 0, text: "hello", metadata: ["genre": "news"], vector: [1, 0])
        let metadata = S3VectorsLayout.metadata(of: chunk, document: "doc#1", count: 3)
        #expect(metadata["_doc"] == "doc#1" && metadata["_chunk"] == 0 && metadata["_text"] == "hello")
        #expect(S3VectorsLayout.count(in: metadata) == 3)
        let match = try #require(
            S3VectorsLayout.match(S3VectorMatch(key: "doc#1#0", distance: 0.25, metadata: metadata)))
        #expect(
            match
                == VectorMatch(
                    documentKey: "doc#1", chunkIndex: 0, text: "hello", metadata: ["genre": "news"], distance: 0.25))
        #expect(S3VectorsLayout.match(S3VectorMatch(key: "foreign", distance: 0.1, metadata: ["a": 1])) == nil)
    }

    @Test func chunksAreCheckedBeforeAnyCall() {
        func chunk(_ index: Int, _ metadata: JSONObject = [:], _ vector: [Float] = [1, 0]) -> VectorChunk {
            VectorChunk(documentKey: "d", chunkIndex: index, text: "t", metadata: metadata, vector: vector)
        }
        #expect(throws: S3VectorsStoreError.reservedMetadataKey("_doc")) {
            try S3VectorsStore.validate([chunk(0, ["_doc": "x"])])
        }
        #expect(throws: S3VectorsStoreError.self) { try S3VectorsStore.validate([chunk(0), chunk(2)]) }
        #expect(throws: S3VectorsStoreError.self) { try S3VectorsStore.validate([chunk(1), chunk(1)]) }
        #expect(throws: VectorStoreError.dimensionMismatch(expected: 2, got: 3)) {
            try S3VectorsStore.validate([chunk(0), chunk(1, [:], [1, 0, 0])])
        }
        #expect(throws: Never.self) { try S3VectorsStore.validate([chunk(1), chunk(0)]) }
    }

    @Test(.enabled(if: serviceConfigured, "needs SWITCHBOARD_TEST_S3VECTORS_URL"))
    func theIndexIsCosineWithTheTextNonFilterableAndCountsFollowReingests() async throws {
        let (store, teardown) = try await S3VectorsTestService.makeStore()
        let ns = VectorNamespace(tenant: "acme", index: "docs")
        let index = S3VectorsLayout.indexName(ns)
        func chunks(_ count: Int) -> [VectorChunk] {
            (0..<count).map {
                VectorChunk(
                    documentKey: "manual", chunkIndex: $0, text: "part \($0)", metadata: [:], vector: [1, Float($0)])
            }
        }
        try await store.replaceDocument("manual", with: chunks(3), in: ns)
        let description = try #require(try await store.client.getIndex(bucket: store.bucket, name: index))
        #expect(description.dimension == 2 && description.distanceMetric == "cosine")
        #expect(description.nonFilterableMetadataKeys == ["_text"])
        #expect(try await store.storedCount("manual", index: index) == 3)
        try await store.replaceDocument("manual", with: chunks(1), in: ns)
        #expect(try await store.storedCount("manual", index: index) == 1)
        let keys = (0..<3).map { S3VectorsLayout.vectorKey("manual", $0) }
        let left = try await store.client.getVectors(bucket: store.bucket, index: index, keys: keys)
        #expect(left.map(\.key) == ["manual#0"])
        // topK beyond the service's cap is clamped rather than rejected.
        #expect(try await store.query([1, 0], topK: 1000, filter: nil, in: ns).count == 1)
        await teardown()
    }

    @Test(.enabled(if: serviceConfigured, "needs SWITCHBOARD_TEST_S3VECTORS_URL"))
    func manyChunksAreWrittenAndDeletedInBatches() async throws {
        let (store, teardown) = try await S3VectorsTestService.makeStore()
        let ns = VectorNamespace(tenant: "acme", index: "big")
        let chunks = (0..<1_234).map {
            VectorChunk(
                documentKey: "book", chunkIndex: $0, text: "page \($0)", metadata: ["page": .number(JSONNumber($0))],
                vector: [Float($0 % 7) + 1, Float($0 % 3), 1])
        }
        try await store.replaceDocument("book", with: chunks, in: ns)
        #expect(try await store.storedCount("book", index: S3VectorsLayout.indexName(ns)) == 1_234)
        let filter = try MetadataFilter.parse(["page": ["$gte": 1_200]])
        #expect(try await store.query([1, 0, 1], topK: 100, filter: filter, in: ns).count == 34)
        #expect(try await store.deleteDocument("book", in: ns))
        #expect(try await store.query([1, 0, 1], topK: 100, filter: nil, in: ns).isEmpty)
        await teardown()
    }
}
