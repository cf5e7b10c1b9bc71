/// The best `capacity` candidates seen so far, kept sorted (smallest distance first, ties by a caller-given
/// order), so a candidate worse than the current last is rejected with one comparison.
struct NearestSelection {
    let capacity: Int
    private(set) var distances: [Float] = []
    private(set) var rows: [Int] = []

    init(capacity: Int) {
        self.capacity = max(capacity, 0)
        distances.reserveCapacity(self.capacity + 1)
        rows.reserveCapacity(self.capacity + 1)
    }

    /// Offers row `row` at `distance`; `ordered(a, b)` says whether row `a` goes before row `b` at equal
    /// distance.
    @inline(__always)
    mutating func consider(_ distance: Float, row: Int, ordered: (Int, Int) -> Bool) {
        if distances.count == capacity {
            guard let worst = distances.last, distance <= worst else { return }
        }
        insert(distance, row: row, ordered: ordered)
    }

    mutating func insert(_ distance: Float, row: Int, ordered: (Int, Int) -> Bool) {
        // Binary search for the first entry that goes after the candidate.
        var low = 0
        var high = distances.count
        while low < high {
            let middle = (low + high) / 2
            let after = distances[middle] > distance || (distances[middle] == distance && ordered(row, rows[middle]))
            if after { high = middle } else { low = middle + 1 }
        }
        guard low < capacity else { return }
        distances.insert(distance, at: low)
        rows.insert(row, at: low)
        if distances.count > capacity {
            distances.removeLast()
            rows.removeLast()
        }
    }
}
