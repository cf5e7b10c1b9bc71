/// The acknowledgements of one assigned partition: which fetched offsets are not acknowledged yet, and so the
/// offset to commit (Kafka's "next offset to read": everything below it was acknowledged).
///
/// Offsets arrive in increasing order but need not be contiguous (compaction, transaction markers), so the
/// commit point is the first fetched offset not acknowledged, or one past the last fetched one.
struct KafkaPartitionProgress: Sendable {
    /// Which assignment of the partition this is; receipts of an earlier one are ignored.
    let epoch: UInt64
    /// Fetched offsets in increasing order; those before `head` are acknowledged.
    private var fetched: [Int64] = []
    private var head = 0
    /// Acknowledged offsets after `head` (acknowledged out of order).
    private var acknowledgedAhead: Set<Int64> = []
    /// Messages handed to the application and not acknowledged yet.
    private(set) var inHand = 0
    /// The last commit point the broker confirmed.
    var committed: Int64?

    init(epoch: UInt64) { self.epoch = epoch }

    /// Records a fetched offset; returns false for one at or below the last (fetched again after a seek).
    mutating func fetched(_ offset: Int64) -> Bool {
        if let last = fetched.last, offset <= last { return false }
        fetched.append(offset)
        return true
    }

    /// The application now holds `offset`.
    mutating func handedOut() { inHand += 1 }

    /// Records the acknowledgement of a handed-out offset; unknown and repeated ones are ignored. (A fetched
    /// message dropped unseen when its partition was revoked stays unacknowledged: the commit point stops at it.)
    mutating func acknowledge(_ offset: Int64) {
        guard head < fetched.count, offset >= fetched[head], let last = fetched.last, offset <= last else { return }
        if offset == fetched[head] {
            head += 1
            while head < fetched.count, acknowledgedAhead.remove(fetched[head]) != nil { head += 1 }
        } else {
            guard binarySearch(offset), acknowledgedAhead.insert(offset).inserted else { return }
        }
        inHand -= 1
        compact()
    }

    /// The offset to commit: the first fetched offset not acknowledged, else one past the last fetched one;
    /// nil before anything was fetched.
    var commitPoint: Int64? {
        head < fetched.count ? fetched[head] : fetched.last.map { $0 + 1 }
    }

    /// The commit point when it is ahead of what the broker confirmed.
    var uncommitted: Int64? {
        guard let point = commitPoint, point > (committed ?? Int64.min) else { return nil }
        return point
    }

    private func binarySearch(_ offset: Int64) -> Bool {
        var low = head
        var high = fetched.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if fetched[middle] == offset { return true }
            if fetched[middle] < offset { low = middle + 1 } else { high = middle - 1 }
        }
        return false
    }

    /// Drops acknowledged offsets once they are most of the array, keeping the last fetched one.
    private mutating func compact() {
        guard head > 1024, head * 2 > fetched.count else { return }
        let keep = head == fetched.count ? head - 1 : head
        fetched.removeFirst(keep)
        head -= keep
    }
}

/// A delivery's receipt: partition, offset and the epoch of the partition's assignment, as `p:offset:epoch`.
struct KafkaReceipt: Equatable, Sendable, CustomStringConvertible {
    let partition: Int32
    let offset: Int64
    let epoch: UInt64

    init(partition: Int32, offset: Int64, epoch: UInt64) {
        self.partition = partition
        self.offset = offset
        self.epoch = epoch
    }

    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let partition = Int32(parts[0]), let offset = Int64(parts[1]),
            let epoch = UInt64(parts[2])
        else { return nil }
        self.init(partition: partition, offset: offset, epoch: epoch)
    }

    var description: String { "\(partition):\(offset):\(epoch)" }
}
