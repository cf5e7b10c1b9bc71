import GatewaySchema
import TestSupport
import Testing

@testable import GatewayBackends
@testable import GatewayCore

@Suite struct ExactIndexTests {
    /// Large namespaces are scanned on every core; the merged answer equals one sequential scan and brute force,
    /// ties included, with and without filters (one matching nothing).
    @Test func aParallelSearchEqualsASequentialOne() {
        let dimension = 512
        let count = VectorRows.parallelThreshold / dimension + 1_000
        var rows = VectorRows(dimension: dimension, reservingRows: count)
        var random = SplitMix64(seed: 42)
        var first: [Float] = []
        for row in 0..<count {
            // Every 100th row repeats row 0's vector, so many distances tie and the tie order matters.
            let vector =
                row % 100 == 0 && !first.isEmpty ? first : (0..<dimension).map { _ in Float(random.nextDouble() - 0.5) }
            if row == 0 { first = vector }
            let added = rows.appendRow(
                documentKey: "doc-\(row % 977)", chunkIndex: row, text: "",
                metadata: ["n": .number(JSONNumber(row % 7))]
            ) { buffer in
                for index in 0..<dimension { buffer[index] = vector[index] }
                return true
            }
            #expect(added)
        }
        #expect(rows.matrix.count >= VectorRows.parallelThreshold)
        let other = (0..<dimension).map { _ in Float(random.nextDouble() - 0.5) }
        for (query, filter) in [
            (first, nil), (first, MetadataFilter.compare(field: "n", .eq, 3)), (other, nil),
            (other, MetadataFilter.compare(field: "n", .eq, 99)),
        ] {
            for topK in [1, 20, 100] {
                let parallel = rows.nearest(to: query, topK: topK, filter: filter)
                let sequential = rows.scan(
                    0..<rows.count, query: VectorMath.normalised(query), capacity: topK, filter: filter)
                #expect(parallel.map(\.chunkIndex) == sequential.rows.map { rows.chunkIndexes[$0] })
                #expect(parallel.map(\.distance) == sequential.distances)
                // Both equal brute force in float over every row (the bfloat16 pre-scan loses nothing).
                let normalised = VectorMath.normalised(query)
                var exact: [(distance: Float, row: Int)] = []
                rows.matrix.withUnsafeBufferPointer { all in
                    normalised.withUnsafeBufferPointer { q in
                        for row in 0..<rows.count where filter?.matches(rows.metadata[row]) ?? true {
                            let dot = VectorMath.dot(
                                q.baseAddress!, all.baseAddress! + row * dimension, count: dimension)
                            exact.append((1 - dot, row))
                        }
                    }
                }
                exact.sort { $0.distance != $1.distance ? $0.distance < $1.distance : rows.ordered($0.row, $1.row) }
                #expect(parallel.map(\.chunkIndex) == exact.prefix(topK).map { rows.chunkIndexes[$0.row] })
            }
        }
    }
}
