import Foundation
import GatewayBackends
import GatewayCore
import GatewaySchema
import Logging

// The embedded vector index under load: ingest throughput, cold load, query latency, memory.
// Build in release: swift build -c release --product switchboard-rag-bench && .build/release/switchboard-rag-bench

let options = BenchOptions.parse(CommandLine.arguments)
let documents = (options.chunks + options.chunksPerDocument - 1) / options.chunksPerDocument
let namespace = VectorNamespace(tenant: "bench", index: "corpus")
let logger = Logger(label: "switchboard-rag-bench")
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rag-bench-\(UUID().uuidString)")
let path = directory.appendingPathComponent("switchboard.db").path
let clock = ContinuousClock()

func chunkCount(_ document: Int) -> Int {
    min(options.chunksPerDocument, options.chunks - document * options.chunksPerDocument)
}

print(
    "switchboard-rag-bench: \(options.chunks) chunks of \(options.dimensions) dimensions, \(documents) documents, "
        + "\(options.queries) queries per case")

// 1. Ingest: batches of documents written concurrently (every replacement is its own transaction).
var store = try await SQLiteStore.open(path: path, logger: logger)
var vectors = try await store.vectorStore()
var ingestTime = Duration.zero
var lastReport = clock.now
for batchStart in stride(from: 0, to: documents, by: options.batch) {
    let batch = (batchStart..<min(batchStart + options.batch, documents)).map {
        ($0, BenchData.document($0, chunks: chunkCount($0), dimensions: options.dimensions))
    }
    let writer = vectors
    let target = namespace
    let started = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (document, chunks) in batch {
            group.addTask { try await writer.replaceDocument(BenchData.key(document), with: chunks, in: target) }
        }
        try await group.waitForAll()
    }
    ingestTime += clock.now - started
    if clock.now - lastReport > .seconds(10) {
        lastReport = clock.now
        print("  ingested \(min(batchStart + options.batch, documents)) of \(documents) documents")
    }
}
let ingestSeconds = BenchReport.milliseconds(ingestTime) / 1000
let afterIngest = BenchReport.memory()
await vectors.close()
await store.close()
let fileMiB = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_048_576

// 2. Cold load: reopen the file; the first query reads the namespace into memory.
store = try await SQLiteStore.open(path: path, logger: logger)
vectors = try await store.vectorStore()
var random = SplitMix64(state: 0x5EED)
let probe = BenchData.document(documents / 2, chunks: chunkCount(documents / 2), dimensions: options.dimensions)[0]
var started = clock.now
let first = try await vectors.query(probe.vector, topK: 5, filter: nil, in: namespace)
let coldLoad = clock.now - started
guard first.first?.documentKey == probe.documentKey, first.first?.chunkIndex == 0,
    abs(first.first?.distance ?? 1) < 1e-4
else {
    print("FAILED: a stored vector did not find itself first: \(first.map { ($0.documentKey, $0.distance) })")
    try? FileManager.default.removeItem(at: directory)
    exit(1)
}
let afterLoad = BenchReport.memory()

// 3. Queries: random unit vectors, with and without filters.
let cases: [(name: String, topK: Int, filter: MetadataFilter?)] = [
    ("no filter", 5, nil), ("no filter", 20, nil),
    (#"{"group": 3}"#, 5, try MetadataFilter.parse(["group": 3])),
    (#"{"group": 3}"#, 20, try MetadataFilter.parse(["group": 3])),
    (#"{"group": {"$in": [1, 2]}}"#, 5, try MetadataFilter.parse(["group": ["$in": [1, 2]]])),
    (#"{"group": {"$in": [1, 2]}}"#, 20, try MetadataFilter.parse(["group": ["$in": [1, 2]]])),
]
var rows: [[String]] = []
for (name, topK, filter) in cases {
    var latencies: [Double] = []
    for _ in 0..<options.queries {
        let query = random.unitVector(options.dimensions)
        started = clock.now
        let matches = try await vectors.query(query, topK: topK, filter: filter, in: namespace)
        latencies.append(BenchReport.milliseconds(clock.now - started))
        if matches.count != min(topK, options.chunks) || !matches.allSatisfy({ filter?.matches($0.metadata) ?? true }) {
            print("FAILED: \(name) top \(topK) returned \(matches.count) matches")
            try? FileManager.default.removeItem(at: directory)
            exit(1)
        }
    }
    latencies.sort()
    rows.append(
        [
            name, "\(topK)", BenchReport.format(BenchReport.percentile(latencies, 0.5)),
            BenchReport.format(BenchReport.percentile(latencies, 0.95)),
            BenchReport.format(BenchReport.percentile(latencies, 0.99)),
            BenchReport.format(latencies.reduce(0, +) / Double(latencies.count)),
        ])
}
let afterQueries = BenchReport.memory()
await vectors.close()
await store.close()
try? FileManager.default.removeItem(at: directory)

print()
print(
    BenchReport.table(
        ["measure", "value"],
        [
            ["chunks × dimensions", "\(options.chunks) × \(options.dimensions)"],
            [
                "ingest",
                "\(BenchReport.format(Double(options.chunks) / ingestSeconds, 0)) chunks/s (\(BenchReport.format(ingestSeconds, 1)) s)",
            ],
            ["database file", "\(BenchReport.format(fileMiB, 0)) MiB"],
            ["memory after ingest", afterIngest],
            [
                "cold load (first query after reopening)",
                "\(BenchReport.format(BenchReport.milliseconds(coldLoad), 0)) ms",
            ],
            ["memory after load", afterLoad],
            ["memory after queries", afterQueries],
        ]))
print()
print(BenchReport.table(["filter", "topK", "p50 ms", "p95 ms", "p99 ms", "mean ms"], rows))
