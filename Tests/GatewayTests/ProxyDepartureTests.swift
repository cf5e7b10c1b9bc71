import Synchronization
import Testing

@testable import GatewayEdge

/// The edge abandons a proxied call only when its client left after the whole request went to the service (so the
/// service, which has the request, audits it), once, whichever is noticed first; and `ClientPresence` tells its
/// watchers once.
struct ProxyDepartureTests {
    @Test(arguments: [true, false])
    func theCallIsCancelledOnceTheClientLeftAndTheRequestWasSent(leftFirst: Bool) {
        let cancels = Atomic<Int>(0)
        let departure = ProxyDeparture { cancels.add(1, ordering: .relaxed) }
        if leftFirst { departure.noteClientLeft() } else { departure.noteRequestSent() }
        #expect(cancels.load(ordering: .relaxed) == 0)
        if leftFirst { departure.noteRequestSent() } else { departure.noteClientLeft() }
        #expect(cancels.load(ordering: .relaxed) == 1)
        departure.noteClientLeft()
        departure.noteRequestSent()
        #expect(cancels.load(ordering: .relaxed) == 1, "once")
    }

    @Test func aClientStillThereOrARequestNotWhollySentIsNeverCancelled() {
        let cancels = Atomic<Int>(0)
        let sentOnly = ProxyDeparture { cancels.add(1, ordering: .relaxed) }
        sentOnly.noteRequestSent()
        let leftOnly = ProxyDeparture { cancels.add(1, ordering: .relaxed) }
        leftOnly.noteClientLeft()
        #expect(cancels.load(ordering: .relaxed) == 0)
    }

    @Test func presenceTellsItsWatchersOnceAndNotThoseThatStoppedWatching() {
        let presence = ClientPresence()
        let told = Mutex<[String]>([])
        let first = presence.watch { told.withLock { $0.append("first") } }
        let second = presence.watch { told.withLock { $0.append("second") } }
        #expect(first != nil && second != nil)
        presence.unwatch(second!)
        presence.markLeft()
        presence.markLeft()
        #expect(told.withLock { $0 } == ["first"])
        #expect(presence.hasLeft)
        // Watching after the client left: nothing will call back, so the caller is told at once.
        #expect(presence.watch { told.withLock { $0.append("late") } } == nil)
        #expect(told.withLock { $0 } == ["first"])
    }
}
