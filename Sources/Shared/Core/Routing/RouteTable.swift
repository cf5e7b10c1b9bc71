/// An immutable, validated snapshot of every alias. Routes are swapped whole when they change.
public struct RouteTable: Sendable {
    public let routes: [String: Route]

    public init(routes: [Route]) {
        var map: [String: Route] = [:]
        for route in routes { map[route.alias] = route }
        self.routes = map
    }

    public func route(for alias: String) -> Route? {
        guard let route = routes[alias], route.enabled else { return nil }
        return route
    }

    /// Enabled aliases, sorted.
    public var aliases: [String] { routes.values.filter(\.enabled).map(\.alias).sorted() }

    /// Every target to try for `alias`, in order: the alias's own targets (the first drawn by weight, the rest
    /// in weighted random order), then each fallback alias's targets the same way, depth first, each alias and
    /// target at most once.
    public func candidates(for alias: String, using generator: inout some RandomNumberGenerator) -> [Candidate] {
        var out: [Candidate] = []
        var visitedAliases: Set<String> = []
        var seenTargets: Set<RouteTarget> = []
        func visit(_ name: String, depth: Int) {
            guard depth < 8, !visitedAliases.contains(name), let route = route(for: name) else { return }
            visitedAliases.insert(name)
            for target in WeightedOrder.order(route.targets, weight: \.weight, using: &generator)
            where !seenTargets.contains(target) {
                seenTargets.insert(target)
                out.append(Candidate(alias: name, target: target))
            }
            for fallback in route.fallbacks { visit(fallback, depth: depth + 1) }
        }
        visit(alias, depth: 0)
        return out
    }

    public struct Candidate: Sendable, Hashable {
        /// The alias (requested or fallback) this target belongs to.
        public var alias: String
        public var target: RouteTarget

        public init(alias: String, target: RouteTarget) {
            self.alias = alias
            self.target = target
        }
    }

    /// Problems with references between routes (fallbacks to unknown aliases), as `alias: message`.
    public func referenceProblems() -> [String] {
        var problems: [String] = []
        for route in routes.values.sorted(by: { $0.alias < $1.alias }) {
            for fallback in route.fallbacks where routes[fallback] == nil {
                problems.append("routes.\(route.alias).fallbacks: unknown alias '\(fallback)'")
            }
            if route.fallbacks.contains(route.alias) {
                problems.append("routes.\(route.alias).fallbacks: an alias cannot fall back to itself")
            }
        }
        return problems
    }
}

/// Weighted random ordering without replacement (Efraimidis–Spirakis): the first element is drawn with
/// probability proportional to its weight, the next from the rest likewise, and so on.
public enum WeightedOrder {
    public static func order<T>(
        _ items: [T], weight: (T) -> Double, using generator: inout some RandomNumberGenerator
    ) -> [T] {
        if items.count <= 1 { return items }
        var keyed: [(key: Double, item: T)] = []
        keyed.reserveCapacity(items.count)
        for item in items {
            let w = max(weight(item), .leastNonzeroMagnitude)
            let u = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
            keyed.append((key: log(u) / w, item: item))  // log(u^(1/w)): larger is earlier
        }
        keyed.sort { $0.key > $1.key }
        return keyed.map(\.item)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
