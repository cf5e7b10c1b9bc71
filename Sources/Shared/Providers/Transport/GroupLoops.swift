import NIOCore
import NIOPosix

/// The event loops of one group, to tell whether the calling thread is one of them (`currentEventLoop` answers
/// for any group's loop, and a loop of another group may be shut down).
public struct GroupLoops: Sendable {
    let loops: [ObjectIdentifier]

    public init(_ group: any EventLoopGroup) {
        loops = group.makeIterator().map { ObjectIdentifier($0) }
    }

    /// The group's loop the caller runs on, if any.
    public var current: (any EventLoop)? {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop, loops.contains(ObjectIdentifier(loop)) else {
            return nil
        }
        return loop
    }
}
