import Foundation
import GatewaySchema
import Logging
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing

@testable import GatewayBackends
@testable import GatewayCore

/// What only the SQLite index has to prove: its file is the truth (reopening gives the same answers), its
/// in-memory copy stays in step with the file through any sequence of writes, and a failed write changes nothing.
@Suite struct SQLiteVectorStoreTests {
    /// A temporary database file; `body` gets its path.
    static func withDatabase(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("switchboard.db").path)
    }

    static func open(_ path: String) async throws -> (SQLiteStore, SQLiteVectorStore) {
        let store = try await SQLiteStore.open(path: path, logger: Logger(label: "test"))
        return (store, try await store.vectorStore())
    }

    static func vector(_ random: inout SplitMix64, _ dimension: Int) -> [Float] {
        (0..<dimension).map { _ in Float(random.nextDouble() * 2 - 1) }
    }

    static func describe(_ matches: [VectorMatch]) -> [String] {
        matches.map { "\($0.documentKey)#\($0.chunkIndex) \($0.text) \($0.metadata["group"]?.jsonString ?? "-")" }
    }

    /// The same chunks (text and metadata too) at the same distances (within 1e-4), nearest first. Whole
    /// namespaces are compared, so distances the two stores round differently cannot change which chunks appear.
    static func agree(_ got: [VectorMatch], _ want: [VectorMatch]) -> Bool {
        let wanted = Dictionary(uniqueKeysWithValues: want.map { ("\($0.documentKey)#\($0.chunkIndex)", $0) })
        return got.count == want.count && zip(got, got.dropFirst()).allSatisfy { $0.distance <= $1.distance }
            && got.allSatisfy { match in
                guard let other = wanted["\(match.documentKey)#\(match.chunkIndex)"] else { return false }
                return match.text == other.text && match.metadata == other.metadata
                    && abs(match.distance - other.distance) < 1e-4
            }
    }

    /// The vector store's transactions run on a thread of their own: with every thread of the pool the other
    /// connection uses taken (as by writers waiting for this transaction's lock), a document is still written and
    /// found. On the shared pool this hung until SQLite's busy timeouts gave up, again and again.
    @Test func aTransactionNeedsNoThreadOfTheSharedPool() async throws {
        try await Self.withDatabase { path in
            let (store, vectors) = try await Self.open(path)
            let ns = VectorNamespace(tenant: "acme", index: "docs")
            let release = Gate()
            var random = SplitMix64(seed: 5)
            let chunks = (0..<1200).map {
                VectorChunk(
                    documentKey: "d", chunkIndex: $0, text: "chunk \($0)", metadata: [:],
                    vector: Self.vector(&random, 8))
            }
            let blockers = (0..<NIOSingletons.blockingPoolThreadCountSuggestion).map { _ in
                Task { try await NIOThreadPool.singleton.runIfActive { release.wait() } }
            }
            // Bounded, so that a regression fails instead of hanging: the gate opens either way.
            let written = await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    do {
                        try await vectors.replaceDocument("d", with: chunks, in: ns)
                        return true
                    } catch {
                        return false
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(20))
                    return false
                }
                let first = await group.next() ?? false
                release.open()
                group.cancelAll()
                return first
            }
            #expect(written, "the transaction waited for a thread of the shared pool")
            for blocker in blockers { try await blocker.value }
            #expect(try await vectors.query(chunks[7].vector, topK: 1, filter: nil, in: ns).first?.chunkIndex == 7)
            await vectors.close()
            await store.close()
        }
    }

    /// Blocks threads until opened.
    final class Gate: Sendable {
        let opened = Mutex(false)
        func open() { opened.withLock { $0 = true } }
        func wait() { while !opened.withLock({ $0 }) { usleep(1000) } }
    }

    /// Writes and deletes documents at random, checking the loaded index against the memory reference as it goes.
    @Test func randomWritesKeepTheLoadedIndexInStepWithTheReference() async throws {
        try await Self.withDatabase { path in
            let (store, vectors) = try await Self.open(path)
            let reference = MemoryVectorStore()
            let ns = VectorNamespace(tenant: "acme", index: "docs")
            var random = SplitMix64(seed: 11)
            let dimension = 12
            for step in 0..<400 {
                let key = "doc-\(random.next() % 40)"
                if random.next() % 5 == 0 {
                    let deleted = try await vectors.deleteDocument(key, in: ns)
                    #expect(try await reference.deleteDocument(key, in: ns) == deleted, "step \(step)")
                } else {
                    let group = Int(random.next() % 4)
                    let chunks = (0..<Int(random.next() % 5)).map { index in
                        VectorChunk(
                            documentKey: key, chunkIndex: index, text: "\(key)/\(step)/\(index)",
                            metadata: ["group": .number(JSONNumber(group))],
                            vector: Self.vector(&random, dimension))
                    }
                    try await vectors.replaceDocument(key, with: chunks, in: ns)
                    try await reference.replaceDocument(key, with: chunks, in: ns)
                }
                if step % 25 == 0 {
                    let query = Self.vector(&random, dimension)
                    let filter = try step % 50 == 0 ? MetadataFilter.parse(["group": ["$in": [1, 2]]]) : nil
                    let got = try await vectors.query(query, topK: 200, filter: filter, in: ns)
                    let want = try await reference.query(query, topK: 200, filter: filter, in: ns)
                    #expect(Self.agree(got, want), "step \(step): \(Self.describe(got)) vs \(Self.describe(want))")
                }
            }
            // The file agrees too: a fresh store loads the same rows from it.
            await vectors.close()
            await store.close()
            let (reopened, reloaded) = try await Self.open(path)
            for _ in 0..<5 {
                let query = Self.vector(&random, dimension)
                let got = try await reloaded.query(query, topK: 200, filter: nil, in: ns)
                let want = try await reference.query(query, topK: 200, filter: nil, in: ns)
                #expect(Self.agree(got, want), "\(Self.describe(got)) vs \(Self.describe(want))")
            }
            await reloaded.close()
            await reopened.close()
        }
    }

    @Test func aReopenedFileAnswersExactlyAsBefore() async throws {
        try await Self.withDatabase { path in
            var random = SplitMix64(seed: 3)
            let ns = VectorNamespace(tenant: "acme", index: "manuals")
            let filter = try MetadataFilter.parse(["group": 3])
            let queries = (0..<4).map { _ in Self.vector(&random, 32) }
            var before: [[VectorMatch]] = []
            do {
                let (store, vectors) = try await Self.open(path)
                for document in 0..<60 {
                    let chunks = (0..<3).map { index in
                        VectorChunk(
                            documentKey: "doc-\(document)", chunkIndex: index, text: "text \(document).\(index)",
                            metadata: ["group": .number(JSONNumber(document % 5)), "lang": "en"],
                            vector: Self.vector(&random, 32))
                    }
                    try await vectors.replaceDocument("doc-\(document)", with: chunks, in: ns)
                }
                #expect(try await vectors.deleteDocument("doc-7", in: ns))
                for query in queries {
                    before.append(try await vectors.query(query, topK: 10, filter: nil, in: ns))
                    before.append(try await vectors.query(query, topK: 10, filter: filter, in: ns))
                }
                await vectors.close()
                await store.close()
            }
            let (store, vectors) = try await Self.open(path)
            #expect(try await vectors.dimension(of: ns) == 32, "known before the index is loaded")
            var after: [[VectorMatch]] = []
            for query in queries {
                after.append(try await vectors.query(query, topK: 10, filter: nil, in: ns))
                after.append(try await vectors.query(query, topK: 10, filter: filter, in: ns))
            }
            #expect(after == before)
            #expect(before.allSatisfy { $0.count == 10 })
            #expect(!after.joined().contains { $0.documentKey == "doc-7" })
            #expect(try await vectors.dimension(of: ns) == 32)
            await vectors.close()
            await store.close()
        }
    }

    @Test func aFailedReplacementLeavesTheDocumentAsItWas() async throws {
        try await Self.withDatabase { path in
            let (store, vectors) = try await Self.open(path)
            let ns = VectorNamespace(tenant: "acme", index: "docs")
            let original = (0..<2).map {
                VectorChunk(
                    documentKey: "a", chunkIndex: $0, text: "old \($0)", metadata: [:], vector: [1, 0, Float($0)])
            }
            try await vectors.replaceDocument("a", with: original, in: ns)
            _ = try await vectors.query([1, 0, 0], topK: 5, filter: nil, in: ns)  // loads the index
            // Two chunks with one index: the insert fails after the old rows were deleted, so the delete is undone.
            let clashing = [
                VectorChunk(documentKey: "a", chunkIndex: 0, text: "new", metadata: [:], vector: [0, 1, 0]),
                VectorChunk(documentKey: "a", chunkIndex: 0, text: "new", metadata: [:], vector: [0, 1, 1]),
            ]
            await #expect(throws: (any Error).self) { try await vectors.replaceDocument("a", with: clashing, in: ns) }
            let mixed = [
                VectorChunk(documentKey: "a", chunkIndex: 0, text: "new", metadata: [:], vector: [0, 1, 0]),
                VectorChunk(documentKey: "a", chunkIndex: 1, text: "new", metadata: [:], vector: [0, 1]),
            ]
            await #expect(throws: VectorStoreError.dimensionMismatch(expected: 3, got: 2)) {
                try await vectors.replaceDocument("a", with: mixed, in: ns)
            }
            #expect(
                try await vectors.query([1, 0, 0], topK: 5, filter: nil, in: ns).map(\.text) == ["old 0", "old 1"])
            await vectors.close()
            await store.close()
            let (reopened, reloaded) = try await Self.open(path)
            #expect(
                try await reloaded.query([1, 0, 0], topK: 5, filter: nil, in: ns).map(\.text) == ["old 0", "old 1"])
            await #expect(throws: VectorStoreError.dimensionMismatch(expected: 3, got: 4)) {
                try await reloaded.query([1, 0, 0, 0], topK: 5, filter: nil, in: ns)
            }
            await reloaded.close()
            await reopened.close()
        }
    }
}
