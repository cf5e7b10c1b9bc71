import GatewaySchema
import TestSupport
import Testing

@testable import GatewayCore

@Suite struct RouteParsingTests {
    @Test func parsesAFullDefinition() throws {
        let json = try JSONParser.parse(
            """
            {"targets":[{"provider":"openai","model":"gpt-5.4","weight":60,"endpoint_mode":"auto","key_id":"acct-1"},
            {"provider":"openai_compatible:Gemini","model":"gemini-2.5-pro","weight":40}],
            "fallbacks":["smart"],"enabled":true}
            """)
        let route = try RouteParsing.parse(alias: "fast", definition: json, path: "routes.fast").get()
        #expect(route.targets.count == 2)
        #expect(route.targets[0].provider == ProviderRef(family: .openai))
        #expect(route.targets[0].endpointMode == .auto)
        #expect(route.targets[0].keyID == "acct-1")
        #expect(route.targets[0].weight == 60)
        #expect(route.targets[1].provider == ProviderRef(family: .openaiCompatible, profile: "gemini"))
        #expect(route.targets[1].endpointMode == .chat)
        #expect(route.fallbacks == ["smart"])
        let again = try RouteParsing.parse(
            alias: "fast", definition: RouteParsing.definition(of: route), path: "x"
        ).get()
        #expect(again == route)
    }

    @Test func reportsEveryProblemWithItsPath() throws {
        let json = try JSONParser.parse(
            """
            {"targets":[{"provider":"openia","model":"","weight":-1,"endpoint_mode":"both","extra":1}],
             "fallbacks":[3],"enabled":"yes","colour":"red"}
            """)
        guard case .failure(let problems) = RouteParsing.parse(alias: "fast", definition: json, path: "routes.fast")
        else {
            Issue.record("expected failure")
            return
        }
        let text = problems.messages.joined(separator: "\n")
        for expected in [
            "routes.fast.colour: unknown field", "routes.fast.enabled: must be true or false",
            "routes.fast.fallbacks[0]: must be an alias name",
            "routes.fast.targets[0].provider: unknown provider 'openia'",
            "routes.fast.targets[0].model: required", "routes.fast.targets[0].weight: must be a positive number",
            "routes.fast.targets[0].endpoint_mode: must be chat, completions or auto",
            "routes.fast.targets[0].extra: unknown field",
        ] {
            #expect(text.contains(expected), "missing: \(expected)\nin:\n\(text)")
        }
    }

    @Test(arguments: ["", "openai_compatible", "openai_compatible:", "openai_compatible:a b", "bedrockx", "OPENAI"])
    func rejectsBadProviderNames(_ name: String) {
        #expect(ProviderRef(name) == nil)
    }

    /// The names circuit breakers and audit events use, kept up to date when a field changes.
    @Test func targetAndProviderNamesFollowTheirFields() throws {
        var provider = try #require(ProviderRef("openai_compatible:Gemini"))
        #expect(provider.description == "openai_compatible:gemini")
        var target = RouteTarget(provider: provider, model: "gemini-2.5-pro", keyID: "acct-1")
        #expect(target.description == "openai_compatible:gemini/gemini-2.5-pro#acct-1")
        target.keyID = nil
        target.model = "gemini-2.5-flash"
        #expect(target.description == "openai_compatible:gemini/gemini-2.5-flash")
        provider.profile = "vertex"
        target.provider = provider
        #expect(target.description == "openai_compatible:vertex/gemini-2.5-flash")
        provider.family = .openai
        provider.profile = nil
        #expect(provider.description == "openai")
        #expect(provider == ProviderRef(family: .openai))
    }

    @Test func environmentNamesFollowTheKeyIDConvention() {
        #expect(EnvironmentName.normalize("account-2") == "ACCOUNT_2")
        #expect(EnvironmentName.normalize("acct.1/x") == "ACCT_1_X")
        #expect(ProviderRef("openai_compatible:my-vllm")!.environmentStem == "OPENAI_COMPAT_MY_VLLM")
    }
}

@Suite struct RouteTableTests {
    let openai = ProviderRef(family: .openai)

    @Test func candidatesFollowFallbacksDepthFirstWithoutRepeats() {
        let table = RouteTable(routes: [
            Route(alias: "a", targets: [RouteTarget(provider: openai, model: "a1")], fallbacks: ["b", "c"]),
            Route(alias: "b", targets: [RouteTarget(provider: openai, model: "b1")], fallbacks: ["a", "c"]),
            Route(
                alias: "c",
                targets: [RouteTarget(provider: openai, model: "a1"), RouteTarget(provider: openai, model: "c1")]),
        ])
        var generator = SplitMix64(seed: 1)
        let models = table.candidates(for: "a", using: &generator).map(\.target.model)
        #expect(models == ["a1", "b1", "c1"])
    }

    @Test func disabledAliasesDoNotResolve() {
        let table = RouteTable(routes: [
            Route(alias: "off", targets: [RouteTarget(provider: openai, model: "m")], enabled: false)
        ])
        #expect(table.route(for: "off") == nil)
        #expect(table.aliases.isEmpty)
    }

    @Test func unknownFallbacksAreReported() {
        let table = RouteTable(routes: [
            Route(alias: "a", targets: [RouteTarget(provider: openai, model: "m")], fallbacks: ["nope", "a"])
        ])
        #expect(table.referenceProblems().count == 2)
    }

    /// The first target is drawn in proportion to weight: 60/40 over 20,000 draws lands within ±1.5%.
    @Test func weightedSelectionMatchesWeights() {
        let targets = [
            RouteTarget(provider: openai, model: "sixty", weight: 60),
            RouteTarget(provider: openai, model: "forty", weight: 40),
        ]
        var generator = SplitMix64(seed: 42)
        var sixty = 0
        let draws = 20_000
        for _ in 0..<draws {
            if WeightedOrder.order(targets, weight: \.weight, using: &generator)[0].model == "sixty" { sixty += 1 }
        }
        let share = Double(sixty) / Double(draws)
        #expect(abs(share - 0.6) < 0.015, "share \(share)")
    }

    /// Three targets 70/20/10: each draw is a permutation, and the second place also follows the weights
    /// of what is left (for "twenty" after "seventy": 20/30).
    @Test func weightedOrderIsAPermutationWithWeightedSecondPlace() {
        let weights = ["seventy": 70.0, "twenty": 20, "ten": 10]
        let items = Array(weights.keys).sorted()
        var generator = SplitMix64(seed: 7)
        var secondAfterSeventy = 0
        var seventyFirst = 0
        for _ in 0..<20_000 {
            let order = WeightedOrder.order(items, weight: { weights[$0]! }, using: &generator)
            #expect(Set(order) == Set(items))
            if order[0] == "seventy" {
                seventyFirst += 1
                if order[1] == "twenty" { secondAfterSeventy += 1 }
            }
        }
        let share = Double(secondAfterSeventy) / Double(seventyFirst)
        #expect(abs(share - 2.0 / 3.0) < 0.02, "share \(share)")
    }
}

@Suite struct CircuitBreakerTests {
    let settings = CircuitBreaker.Settings(failureThreshold: 3, openDuration: .seconds(10))

    @Test func opensAfterConsecutiveFailuresAndProbesOnce() {
        var breaker = CircuitBreaker(settings: settings)
        let t0 = ContinuousClock.now
        do { let admitted = breaker.admit(now: t0); #expect(admitted) }
        breaker.recordFailure(now: t0)
        breaker.recordFailure(now: t0)
        do { let admitted = breaker.admit(now: t0); #expect(admitted, "two failures keep it closed") }
        breaker.recordFailure(now: t0)
        do { let admitted = breaker.admit(now: t0 + .seconds(1)); #expect(!admitted, "open after three") }
        #expect(breaker.isOpen(now: t0 + .seconds(9)))
        do {
            let admitted = breaker.admit(now: t0 + .seconds(11)); #expect(admitted, "half-open lets one probe through")
        }
        do { let admitted = breaker.admit(now: t0 + .seconds(11)); #expect(!admitted, "…and only one") }
        breaker.recordSuccess()
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        do { let admitted = breaker.admit(now: t0 + .seconds(12)); #expect(admitted) }
    }

    @Test func aFailedProbeReopens() {
        var breaker = CircuitBreaker(settings: settings)
        let t0 = ContinuousClock.now
        for _ in 0..<3 { breaker.recordFailure(now: t0) }
        do { let admitted = breaker.admit(now: t0 + .seconds(10)); #expect(admitted) }
        breaker.recordFailure(now: t0 + .seconds(10))
        do { let admitted = breaker.admit(now: t0 + .seconds(15)); #expect(!admitted) }
        do { let admitted = breaker.admit(now: t0 + .seconds(21)); #expect(admitted) }
    }

    @Test func aSuccessResetsTheFailureCount() {
        var breaker = CircuitBreaker(settings: settings)
        let t0 = ContinuousClock.now
        breaker.recordFailure(now: t0)
        breaker.recordFailure(now: t0)
        breaker.recordSuccess()
        breaker.recordFailure(now: t0)
        breaker.recordFailure(now: t0)
        do { let admitted = breaker.admit(now: t0); #expect(admitted) }
    }

    @Test func registryTracksTargetsIndependently() {
        let breakers = CircuitBreakers(settings: settings)
        for _ in 0..<3 { breakers.recordFailure("a") }
        #expect(breakers.isOpen("a"))
        #expect(!breakers.isOpen("b"))
        #expect(breakers.admit("b"))
    }
}
