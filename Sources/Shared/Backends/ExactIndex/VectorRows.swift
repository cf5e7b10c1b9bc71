import Dispatch
import GatewayCore
import GatewaySchema
import NIOCore
import Synchronization

/// One namespace's chunks for exact search: a contiguous row-major matrix of L2-normalised vectors and, per row,
/// the chunk's document key, chunk index, text and metadata. Replacing or removing a document edits the rows in
/// place (a removed row is filled by the last one), so the matrix is never copied or rebuilt.
struct VectorRows: Sendable {
    /// Floats per row; 0 until the first row is added.
    private(set) var dimension: Int
    private(set) var matrix: [Float] = []
    /// The same rows in bfloat16, scanned first; only rows that may be among the nearest are then scored
    /// exactly from `matrix`.
    private(set) var halves: [UInt16] = []
    private(set) var documentKeys: [String] = []
    private(set) var chunkIndexes: [Int] = []
    private(set) var texts: [String] = []
    private(set) var metadata: [JSONObject] = []
    /// The rows of each document.
    private(set) var rowsByDocument: [String: [Int]] = [:]

    var count: Int { documentKeys.count }

    init(dimension: Int = 0, reservingRows rows: Int = 0) {
        self.dimension = dimension
        matrix.reserveCapacity(dimension * rows)
        halves.reserveCapacity(dimension * rows)
        documentKeys.reserveCapacity(rows)
        chunkIndexes.reserveCapacity(rows)
        texts.reserveCapacity(rows)
        metadata.reserveCapacity(rows)
    }

    // MARK: Writing

    /// Adds a row whose vector is written by `fill` into the new (zeroed) row, then normalised. `fill` returns
    /// false to abandon the row. The caller keeps every row of the index at `dimension` floats.
    mutating func appendRow(
        documentKey: String, chunkIndex: Int, text: String, metadata rowMetadata: JSONObject,
        fill: (UnsafeMutableBufferPointer<Float>) -> Bool
    ) -> Bool {
        let start = matrix.count
        matrix.append(contentsOf: repeatElement(0, count: dimension))
        let filled = matrix.withUnsafeMutableBufferPointer { all in
            let row = UnsafeMutableBufferPointer(rebasing: all[start..<start + dimension])
            guard fill(row) else { return false }
            VectorMath.normalise(row)
            return true
        }
        guard filled else {
            matrix.removeLast(dimension)
            return false
        }
        for index in start..<start + dimension { halves.append(VectorMath.bfloat16(matrix[index])) }
        rowsByDocument[documentKey, default: []].append(documentKeys.count)
        documentKeys.append(documentKey)
        chunkIndexes.append(chunkIndex)
        texts.append(text)
        metadata.append(rowMetadata)
        return true
    }

    /// Replaces every row of document `key` with `chunks` (whose vectors all have one dimension, the index's
    /// when it holds other rows).
    mutating func replaceDocument(_ key: String, with chunks: [VectorChunk]) {
        removeDocument(key)
        guard let first = chunks.first else { return }
        if count == 0 { self = VectorRows(dimension: first.vector.count, reservingRows: chunks.count) }
        precondition(first.vector.count == dimension, "dimension is checked before the index is written")
        for chunk in chunks {
            _ = appendRow(
                documentKey: key, chunkIndex: chunk.chunkIndex, text: chunk.text, metadata: chunk.metadata
            ) { row in
                chunk.vector.withUnsafeBufferPointer { source in
                    _ = row.update(fromContentsOf: source)
                }
                return true
            }
        }
    }

    /// Removes document `key`'s rows; false when it had none.
    @discardableResult
    mutating func removeDocument(_ key: String) -> Bool {
        guard let rows = rowsByDocument.removeValue(forKey: key) else { return false }
        // Highest first: a row moved into a hole is then never one of this document's.
        for row in rows.sorted(by: >) { removeRow(row) }
        return true
    }

    /// Fills `row` with the last row and drops the last.
    mutating func removeRow(_ row: Int) {
        let last = count - 1
        if row != last {
            let movedKey = documentKeys[last]
            matrix.withUnsafeMutableBufferPointer { all in
                guard let base = all.baseAddress else { return }
                (base + row * dimension).update(from: base + last * dimension, count: dimension)
            }
            halves.withUnsafeMutableBufferPointer { all in
                guard let base = all.baseAddress else { return }
                (base + row * dimension).update(from: base + last * dimension, count: dimension)
            }
            documentKeys[row] = movedKey
            chunkIndexes[row] = chunkIndexes[last]
            texts[row] = texts[last]
            metadata[row] = metadata[last]
            if let position = rowsByDocument[movedKey]?.firstIndex(of: last) {
                rowsByDocument[movedKey]?[position] = row
            }
        }
        matrix.removeLast(dimension)
        halves.removeLast(dimension)
        documentKeys.removeLast()
        chunkIndexes.removeLast()
        texts.removeLast()
        metadata.removeLast()
    }

    // MARK: Search

    /// The `topK` rows nearest to `query` (of `dimension` floats) whose metadata passes `filter`: cosine distance
    /// as `1 − dot` of the normalised vectors, ties by document key then chunk index.
    /// Below this many floats a search runs on the calling thread; above it, on every core (the scan is bound
    /// by memory bandwidth, which one core does not saturate).
    static let parallelThreshold = 4_000_000

    func nearest(to query: [Float], topK: Int, filter: MetadataFilter?) -> [VectorMatch] {
        guard topK > 0, count > 0 else { return [] }
        precondition(query.count == dimension, "the query's dimension is checked by the caller")
        let normalisedQuery = VectorMath.normalised(query)
        let capacity = min(topK, count)
        let parts = matrix.count >= Self.parallelThreshold ? max(1, min(System.coreCount, 8)) : 1
        var found: [(distance: Float, row: Int)]
        if parts == 1 {
            let selection = scan(0..<count, query: normalisedQuery, capacity: capacity, filter: filter)
            found = zip(selection.distances, selection.rows).map { (distance: $0, row: $1) }
        } else {
            let results = Mutex<[(distance: Float, row: Int)]>([])
            let rows = self
            let size = (count + parts - 1) / parts
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let range = min(part * size, rows.count)..<min((part + 1) * size, rows.count)
                let selection = rows.scan(range, query: normalisedQuery, capacity: capacity, filter: filter)
                let pairs = zip(selection.distances, selection.rows).map { (distance: $0, row: $1) }
                results.withLock { $0 += pairs }
            }
            found = results.withLock { $0 }
            found.sort { $0.distance != $1.distance ? $0.distance < $1.distance : ordered($0.row, $1.row) }
            found = Array(found.prefix(capacity))
        }
        return found.map { distance, row in
            VectorMatch(
                documentKey: documentKeys[row], chunkIndex: chunkIndexes[row], text: texts[row],
                metadata: metadata[row], distance: distance)
        }
    }

    /// Ties at equal distance: by document key, then chunk index.
    func ordered(_ a: Int, _ b: Int) -> Bool {
        (documentKeys[a], chunkIndexes[a]) < (documentKeys[b], chunkIndexes[b])
    }

    /// The best `capacity` rows of `range` for a normalised query, exactly: a first pass scores every row in
    /// bfloat16; the rows whose bfloat16 distance could still be within the `capacity`-th best (allowing for
    /// the bfloat16 error bound on both) are then scored exactly in float.
    func scan(_ range: Range<Int>, query: [Float], capacity: Int, filter: MetadataFilter?) -> NearestSelection {
        let dimension = dimension
        let margin = VectorMath.bfloat16DotError
        let ordered = { (a: Int, b: Int) -> Bool in self.ordered(a, b) }
        var approximate = [Float](repeating: .infinity, count: range.count)
        var upperBounds = NearestSelection(capacity: capacity)
        var selection = NearestSelection(capacity: capacity)
        query.withUnsafeBufferPointer { queryBuffer in
            guard let queryBase = queryBuffer.baseAddress else { return }
            halves.withUnsafeBufferPointer { all in
                guard let base = all.baseAddress else { return }
                for row in range where filter?.matches(metadata[row]) ?? true {
                    let distance = 1 - VectorMath.dot(queryBase, bfloat16: base + row * dimension, count: dimension)
                    approximate[row - range.lowerBound] = distance
                    upperBounds.consider(distance + margin, row: row, ordered: ordered)
                }
            }
            let threshold =
                upperBounds.distances.count < capacity ? Float.infinity : (upperBounds.distances.last ?? .infinity)
            matrix.withUnsafeBufferPointer { all in
                guard let base = all.baseAddress else { return }
                for (offset, distance) in approximate.enumerated()
                where distance.isFinite && distance - margin <= threshold {
                    let row = range.lowerBound + offset
                    let dot = VectorMath.dot(queryBase, base + row * dimension, count: dimension)
                    selection.consider(1 - dot, row: row, ordered: ordered)
                }
            }
        }
        return selection
    }
}
