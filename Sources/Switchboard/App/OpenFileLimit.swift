#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's limit on open files (sockets included). Every client connection and every upstream connection is
/// one, so a gateway under a burst of a few thousand concurrent requests needs thousands; many systems start
/// services with a soft limit of 1024 and a far higher hard limit. Like Go's runtime and nginx's
/// `worker_rlimit_nofile`, a server raises its own soft limit to the hard one at start.
enum OpenFileLimit {
    /// Above what Linux allows by default (`fs.nr_open`), raising fails; no gateway needs more.
    static let ceiling: UInt64 = 1 << 20

    /// The soft limit to set for `soft` and `hard` (either may be `RLIM_INFINITY`): the hard limit up to `ceiling`,
    /// never lower than `soft`; nil when nothing would change.
    static func raised(soft: UInt64, hard: UInt64) -> UInt64? {
        let target = min(hard, ceiling)
        return target > soft ? target : nil
    }

    /// Raises the soft limit as `raised` says; returns the limit in force afterwards (nil if it cannot be read).
    @discardableResult
    static func raise() -> UInt64? {
        var limit = rlimit()
        #if canImport(Glibc)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return nil }
        guard let target = raised(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max)) else {
            return UInt64(limit.rlim_cur)
        }
        var wanted = limit
        wanted.rlim_cur = rlim_t(target)
        return setrlimit(resource, &wanted) == 0 ? target : UInt64(limit.rlim_cur)
    }
}
