import Testing

@testable import GatewayKafka

/// The commit point of one partition (no broker needed).
@Suite struct KafkaPartitionProgressTests {
    func progress(fetched offsets: [Int64]) -> KafkaPartitionProgress {
        var progress = KafkaPartitionProgress(epoch: 1)
        for offset in offsets {
            let tracked = progress.fetched(offset)
            #expect(tracked)
            progress.handedOut()
        }
        return progress
    }

    @Test func commitsUpToTheFirstUnacknowledgedOffset() {
        var progress = progress(fetched: [0, 1, 2, 3])
        #expect(progress.commitPoint == 0)
        progress.acknowledge(2)
        progress.acknowledge(3)
        #expect(progress.commitPoint == 0)
        progress.acknowledge(0)
        #expect(progress.commitPoint == 1, "stops at the gap")
        #expect(progress.inHand == 1)
        progress.acknowledge(1)
        #expect(progress.commitPoint == 4, "one past the last, as Kafka expects")
        #expect(progress.inHand == 0)
    }

    @Test func offsetsWithGapsRepeatsAndStrangers() {
        var progress = progress(fetched: [5, 9, 12])
        let trackedTwice = progress.fetched(9)
        #expect(!trackedTwice, "fetched again after a seek: not tracked twice")
        progress.acknowledge(7)  // never fetched
        progress.acknowledge(100)
        progress.acknowledge(9)
        progress.acknowledge(9)
        #expect(progress.inHand == 2)
        #expect(progress.commitPoint == 5)
        progress.acknowledge(5)
        #expect(progress.commitPoint == 12)
        progress.acknowledge(12)
        #expect(progress.commitPoint == 13)
        progress.acknowledge(5)
        #expect(progress.inHand == 0)
    }

    @Test func uncommittedOnlyWhenAheadOfTheBroker() {
        var progress = progress(fetched: [0, 1])
        #expect(KafkaPartitionProgress(epoch: 1).commitPoint == nil)
        progress.acknowledge(0)
        #expect(progress.uncommitted == 1)
        progress.committed = 1
        #expect(progress.uncommitted == nil)
        progress.acknowledge(1)
        #expect(progress.uncommitted == 2)
    }

    @Test func manyAcknowledgementsKeepTheCommitPoint() {
        var progress = progress(fetched: Array(0..<5000))
        for offset in stride(from: 4999, through: 1, by: -1) { progress.acknowledge(Int64(offset)) }
        #expect(progress.commitPoint == 0)
        progress.acknowledge(0)
        #expect(progress.commitPoint == 5000)
        let tracked = progress.fetched(5000)
        #expect(tracked)
        progress.handedOut()
        progress.acknowledge(5000)
        #expect(progress.commitPoint == 5001)
    }

    @Test func receiptsRoundTrip() {
        let receipt = KafkaReceipt(partition: 3, offset: 1234, epoch: 7)
        #expect(KafkaReceipt(receipt.description) == receipt)
        #expect(KafkaReceipt("3:1234") == nil)
        #expect(KafkaReceipt("x:1:2") == nil)
    }
}
