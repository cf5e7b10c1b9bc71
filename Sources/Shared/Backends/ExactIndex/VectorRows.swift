import GatewayCore
import GatewaySchema

/// One namespace's chunks for exact search: a contiguous row-major matrix of L2-normalised vectors and, per row,
/// the chunk's document key, chunk index, text and metadata. Replacing or removing a document edits the rows in
/// place (a removed row is filled by the last one), so the matrix is never copied or rebuilt.
struct VectorRows: Sendable {
    /// Floats per row; 0 until the first row is added.
    private(set) var dimension: Int
    private(set) var matrix: [Float] = []
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
            documentKeys[row] = movedKey
            chunkIndexes[row] = chunkIndexes[last]
            texts[row] = texts[last]
            metadata[row] = metadata[last]
            if let position = rowsByDocument[movedKey]?.firstIndex(of: last) {
                rowsByDocument[movedKey]?[position] = row
            }
        }
        matrix.removeLast(dimension)
        documentKeys.removeLast()
        chunkIndexes.removeLast()
        texts.removeLast()
        metadata.removeLast()
    }

    // MARK: Search

    /// The `topK` rows nearest to `query` (of `dimension` floats) whose metadata passes `filter`: cosine distance
    /// as `1 − dot` of the normalised vectors, ties by document key then chunk index.
    func nearest(to query: [Float], topK: Int, filter: MetadataFilter?) -> [VectorMatch] {
        guard topK > 0, count > 0 else { return [] }
        precondition(query.count == dimension, "the query's dimension is checked by the caller")
        let normalisedQuery = VectorMath.normalised(query)
        var selection = NearestSelection(capacity: min(topK, count))
        let dimension = dimension
        let ordered = { (a: Int, b: Int) -> Bool in
            (documentKeys[a], chunkIndexes[a]) < (documentKeys[b], chunkIndexes[b])
        }
        matrix.withUnsafeBufferPointer { all in
            normalisedQuery.withUnsafeBufferPointer { queryBuffer in
                guard let base = all.baseAddress, let queryBase = queryBuffer.baseAddress else { return }
                if let filter {
                    for row in 0..<count where filter.matches(metadata[row]) {
                        let dot = VectorMath.dot(queryBase, base + row * dimension, count: dimension)
                        selection.consider(1 - dot, row: row, ordered: ordered)
                    }
                } else {
                    for row in 0..<count {
                        let dot = VectorMath.dot(queryBase, base + row * dimension, count: dimension)
                        selection.consider(1 - dot, row: row, ordered: ordered)
                    }
                }
            }
        }
        return zip(selection.distances, selection.rows).map { distance, row in
            VectorMatch(
                documentKey: documentKeys[row], chunkIndex: chunkIndexes[row], text: texts[row],
                metadata: metadata[row], distance: distance)
        }
    }
}
