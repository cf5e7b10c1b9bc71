import AsyncHTTPClient
import Foundation
import GatewayAWS
import GatewayAWSBackends
import GatewayPostgres
import GatewaySchema
import Logging
import TestSupport
import Testing

@testable import GatewayBackends
@testable import GatewayCore

/// The vector stores under test. Each must pass the same suite; stores that need a server are listed only when
/// their test server is configured (CI starts them).
enum VectorBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    /// The embedded index of SQLite mode.
    case sqlite
    /// S3 Vectors at `SWITCHBOARD_TEST_S3VECTORS_URL` (the fake upstream's base URL in CI, whose search is exact).
    case s3vectors
    /// pgvector, when `SWITCHBOARD_TEST_POSTGRES_URL` names a server (`scripts/postgres start` prints one).
    case postgres

    var testDescription: String { rawValue }

    static var available: [VectorBackend] {
        allCases.filter { backend in
            switch backend {
            case .memory, .sqlite: true
            case .s3vectors: S3VectorsTestService.baseURL != nil
            case .postgres: PostgresTestServer.url != nil
            }
        }
    }

    /// Whether search is exact (approximate indexes are held to a recall bound instead of exact order). pgvector's
    /// HNSW (ef_search 100, iterative scan) returns the exact neighbours at this suite's sizes.
    var exact: Bool { true }

    /// Whether a replacement is one step for queries. S3 Vectors has no transactions: while a document is
    /// replaced a query may see some old and some new chunks (documented on `S3VectorsStore` and the port).
    var atomicReplace: Bool { self != .s3vectors }

    func make() async throws -> (any VectorStore, @Sendable () async -> Void) {
        switch self {
        case .memory: return (MemoryVectorStore(), {})
        case .s3vectors:
            let (store, teardown) = try await S3VectorsTestService.makeStore()
            return (store, teardown)
        case .postgres:
            let (store, stop) = try await PostgresTestServer.start()
            return (PostgresVectorStore(store: store), stop)
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString)")
            let store = try await SQLiteStore.open(
                path: directory.appendingPathComponent("switchboard.db").path, logger: Logger(label: "test"))
            let vectors = try await store.vectorStore()
            return (
                vectors,
                {
                    await vectors.close()
                    await store.close()
                    try? FileManager.default.removeItem(at: directory)
                }
            )
        }
    }
}

@Suite struct VectorStoreConformanceTests {
    /// Fresh namespaces per test run, so stores that keep state between runs (servers) start clean.
    static func namespace(_ tenant: String, _ index: String = "docs") -> VectorNamespace {
        VectorNamespace(tenant: "\(tenant)-\(UUID().uuidString.prefix(8).lowercased())", index: index)
    }

    static func chunk(_ key: String, _ index: Int = 0, _ vector: [Float], _ metadata: JSONObject = [:]) -> VectorChunk {
        VectorChunk(documentKey: key, chunkIndex: index, text: "\(key)#\(index)", metadata: metadata, vector: vector)
    }

    static func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) < 1e-4 }

    @Test(arguments: VectorBackend.available)
    func plantedDocumentsComeBackNearestFirstWithTheirDistances(backend: VectorBackend) async throws {
        let (store, teardown) = try await backend.make()
        let ns = Self.namespace("acme")
        let planted: [(String, [Float])] = [
            ("exact", [1, 0, 0, 0]), ("near", [0.9, 0.1, 0, 0]), ("middle", [0.5, 0.5, 0.2, 0]),
            ("orthogonal", [0, 0, 1, 0]), ("opposite", [-1, 0, 0, 0]), ("scaled", [3, 0.2, 0, 0]),
        ]
        for (key, vector) in planted {
            try await store.replaceDocument(key, with: [Self.chunk(key, 0, vector)], in: ns)
        }
        let query: [Float] = [2, 0, 0, 0]
        let matches = try await store.query(query, topK: 4, filter: nil, in: ns)
        #expect(matches.map(\.documentKey) == ["exact", "scaled", "near", "middle"])
        for match in matches {
            let vector = planted.first { $0.0 == match.documentKey }!.1
            #expect(Self.close(match.distance, CosineDistance.between(query, vector)), "\(match.documentKey)")
            #expect(match.text == "\(match.documentKey)#0" && match.chunkIndex == 0)
        }
        #expect(Self.close(matches[0].distance, 0))
        let all = try await store.query(query, topK: 20, filter: nil, in: ns)
        #expect(all.count == planted.count && all.last?.documentKey == "opposite" && Self.close(all.last!.distance, 2))
        #expect(try await store.query(query, topK: 5, filter: nil, in: Self.namespace("nobody")).isEmpty)
        #expect(try await store.dimension(of: ns) == 4)
        await teardown()
    }

    @Test(arguments: VectorBackend.available)
    func filtersAreHonouredAndStillFillTopK(backend: VectorBackend) async throws {
        let (store, teardown) = try await backend.make()
        let ns = Self.namespace("acme")
        var random = SplitMix64(seed: 7)
        var chunks: [VectorChunk] = []
        let genres = ["drama", "comedy", "news"]
        for n in 0..<240 {
            let vector = (0..<16).map { _ in Float(random.nextDouble() * 2 - 1) }
            let metadata: JSONObject = [
                "genre": .string(genres[n % 3]), "year": .number(JSONNumber(2000 + n % 25)),
                "tags": .array(n % 4 == 0 ? [.string("featured"), .string("x")] : [.string("x")]),
                "draft": n % 5 == 0 ? .bool(true) : .bool(false),
            ]
            chunks.append(Self.chunk("doc-\(n / 2)", n % 2, vector, metadata))
        }
        for key in Set(chunks.map(\.documentKey)).sorted() {
            try await store.replaceDocument(key, with: chunks.filter { $0.documentKey == key }, in: ns)
        }
        let filters: [JSONValue] = [
            ["genre": "drama"],
            ["genre": ["$ne": "drama"]],
            ["year": ["$gte": 2010, "$lt": 2015]],
            ["genre": ["$in": ["comedy", "news"]], "year": ["$gt": 2020]],
            ["$or": [["genre": "news"], ["tags": "featured"]]],
            ["$and": [["draft": false], ["genre": ["$nin": ["news"]]]]],
            ["tags": ["$in": ["featured"]]],
            ["draft": true, "year": ["$lte": 2003]],
        ]
        for filterJSON in filters {
            let filter = try MetadataFilter.parse(filterJSON)
            let query = (0..<16).map { _ in Float(random.nextDouble() * 2 - 1) }
            let expected = chunks.filter { filter.matches($0.metadata) }
                .map { ($0, CosineDistance.between(query, $0.vector)) }.sorted { $0.1 < $1.1 }
            let topK = 10
            let got = try await store.query(query, topK: topK, filter: filter, in: ns)
            #expect(got.count == min(topK, expected.count), "\(filterJSON.jsonString)")
            #expect(got.allSatisfy { filter.matches($0.metadata) }, "\(filterJSON.jsonString)")
            let wanted = expected.prefix(topK).map { "\($0.0.documentKey)#\($0.0.chunkIndex)" }
            let returned = got.map { "\($0.documentKey)#\($0.chunkIndex)" }
            if backend.exact {
                #expect(returned == wanted, "\(filterJSON.jsonString)")
            } else {
                #expect(Set(returned).intersection(wanted).count >= wanted.count * 8 / 10, "\(filterJSON.jsonString)")
            }
            for match in got {
                let vector = chunks.first { $0.documentKey == match.documentKey && $0.chunkIndex == match.chunkIndex }!
                    .vector
                #expect(Self.close(match.distance, CosineDistance.between(query, vector)))
            }
        }
        await teardown()
    }

    @Test(arguments: VectorBackend.available)
    func aTenantCanNeitherSeeNorTouchAnotherTenantsVectors(backend: VectorBackend) async throws {
        let (store, teardown) = try await backend.make()
        let alice = Self.namespace("alice", "shared-name")
        let bob = VectorNamespace(tenant: alice.tenant + "-bob", index: "shared-name")
        try await store.replaceDocument("secret", with: [Self.chunk("secret", 0, [1, 0, 0])], in: alice)
        #expect(try await store.query([1, 0, 0], topK: 5, filter: nil, in: bob).isEmpty)
        // Bob writes and deletes the same key in his namespace: Alice's document is untouched.
        try await store.replaceDocument("secret", with: [Self.chunk("secret", 0, [0, 1, 0])], in: bob)
        #expect(try await store.deleteDocument("secret", in: bob))
        let aliceSees = try await store.query([1, 0, 0], topK: 5, filter: nil, in: alice)
        #expect(aliceSees.map(\.documentKey) == ["secret"] && Self.close(aliceSees[0].distance, 0))
        // The same tenant's other index is another namespace too.
        let aliceOther = VectorNamespace(tenant: alice.tenant, index: "other")
        #expect(try await store.query([1, 0, 0], topK: 5, filter: nil, in: aliceOther).isEmpty)
        #expect(try await !store.deleteDocument("secret", in: aliceOther))
        #expect(try await store.query([1, 0, 0], topK: 5, filter: nil, in: alice).count == 1)
        await teardown()
    }

    @Test(arguments: VectorBackend.available)
    func reingestingADocumentReplacesAllItsChunks(backend: VectorBackend) async throws {
        let (store, teardown) = try await backend.make()
        let ns = Self.namespace("acme")
        try await store.replaceDocument(
            "manual", with: (0..<3).map { Self.chunk("manual", $0, [1, Float($0), 0]) }, in: ns)
        try await store.replaceDocument("other", with: [Self.chunk("other", 0, [0, 0, 1])], in: ns)
        #expect(try await store.query([1, 0, 0], topK: 10, filter: nil, in: ns).count == 4)
        try await store.replaceDocument("manual", with: [Self.chunk("manual", 0, [0, 1, 0])], in: ns)
        let after = try await store.query([1, 0, 0], topK: 10, filter: nil, in: ns)
        #expect(after.filter { $0.documentKey == "manual" }.map(\.chunkIndex) == [0])
        #expect(after.count == 2)
        #expect(try await store.deleteDocument("manual", in: ns))
        #expect(try await !store.deleteDocument("manual", in: ns))
        #expect(try await store.query([1, 0, 0], topK: 10, filter: nil, in: ns).map(\.documentKey) == ["other"])
        await teardown()
    }

    @Test(arguments: VectorBackend.available)
    func anIndexKeepsOneDimension(backend: VectorBackend) async throws {
        let (store, teardown) = try await backend.make()
        let ns = Self.namespace("acme")
        try await store.replaceDocument("a", with: [Self.chunk("a", 0, [1, 0, 0, 0])], in: ns)
        await #expect(throws: VectorStoreError.dimensionMismatch(expected: 4, got: 3)) {
            try await store.replaceDocument("b", with: [Self.chunk("b", 0, [1, 0, 0])], in: ns)
        }
        #expect(try await store.dimension(of: ns) == 4)
        let elsewhere = Self.namespace("acme", "small")
        try await store.replaceDocument("b", with: [Self.chunk("b", 0, [1, 0, 0])], in: elsewhere)
        #expect(try await store.dimension(of: elsewhere) == 3)
        await teardown()
    }

    @Test(arguments: VectorBackend.available.filter(\.atomicReplace))
    func aQuerySeesADocumentWhollyBeforeOrAfterItsReplacement(backend: VectorBackend) async throws {
        let (store, teardown) = try await backend.make()
        let ns = Self.namespace("acme")
        // Version v of the manual has 1 + v % 4 chunks, each with text "v<v>".
        @Sendable func version(_ v: Int) -> [VectorChunk] {
            (0..<(1 + v % 4)).map {
                VectorChunk(
                    documentKey: "manual", chunkIndex: $0, text: "v\(v)", metadata: ["version": .number(JSONNumber(v))],
                    vector: [1, Float($0) * 0.1, Float(v % 7) * 0.01, 0])
            }
        }
        try await store.replaceDocument("manual", with: version(0), in: ns)
        try await store.replaceDocument("other", with: [Self.chunk("other", 0, [0, 0, 1, 0])], in: ns)
        let rounds = 80
        let problems = try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                for v in 1...rounds { try await store.replaceDocument("manual", with: version(v), in: ns) }
                return []
            }
            for _ in 0..<3 {
                group.addTask {
                    var problems: [String] = []
                    for _ in 0..<rounds {
                        let matches = try await store.query([1, 0, 0, 0], topK: 10, filter: nil, in: ns)
                        let manual = matches.filter { $0.documentKey == "manual" }
                        let texts = Set(manual.map(\.text))
                        guard texts.count == 1, let text = texts.first, let v = Int(text.dropFirst()),
                            manual.map(\.chunkIndex).sorted() == Array(0..<(1 + v % 4)),
                            manual.allSatisfy({ $0.metadata["version"] == .number(JSONNumber(v)) })
                        else {
                            problems.append("\(manual.map { "\($0.text)#\($0.chunkIndex)" })")
                            continue
                        }
                        if !matches.contains(where: { $0.documentKey == "other" }) { problems.append("other missing") }
                    }
                    return problems
                }
            }
            var all: [String] = []
            for try await found in group { all += found }
            return all
        }
        #expect(problems.isEmpty, "queries saw a document half-replaced: \(problems.prefix(5))")
        let final = try await store.query([1, 0, 0, 0], topK: 10, filter: nil, in: ns)
        #expect(
            final.filter { $0.documentKey == "manual" }.map(\.text)
                == Array(repeating: "v\(rounds)", count: 1 + rounds % 4))
        await teardown()
    }
}
