import Foundation
import GatewaySchema
import Testing

@testable import GatewayCore

@Suite struct USDTests {
    @Test(arguments: [
        ("0.0375", Int128(37_500_000_000)), ("12", Int128(12_000_000_000_000)), ("-0.5", Int128(-500_000_000_000)),
        ("1.5e-3", Int128(1_500_000_000)), ("2E+2", Int128(200_000_000_000_000)), ("0.000000000001", Int128(1)),
        ("+3.", Int128(3_000_000_000_000)), ("007.10", Int128(7_100_000_000_000)),
    ])
    func parsesDecimalText(text: String, picodollars: Int128) {
        #expect(USD(text)?.picodollars == picodollars)
    }

    @Test(arguments: ["", "abc", "1.2.3", "0.0000000000001", "1e-13", "--1", "1e", "0x10", "1,5", "$1"])
    func rejectsWhatIsNotAnExactAmount(text: String) {
        #expect(USD(text) == nil)
    }

    @Test func printsPlainDecimalsWithoutTrailingZeros() {
        #expect(USD(picodollars: 262_500).description == "0.0000002625")
        #expect(USD("15.50")!.description == "15.5")
        #expect(USD("-0.25")!.description == "-0.25")
        #expect(USD.zero.description == "0")
        #expect(USD("0.1")! + USD("0.2")! == USD("0.3")!)
    }

    @Test func roundsHalfToEvenOnlyWhenDivisionIsInexact() {
        let one = USD(picodollars: 1)
        #expect(one.scaled(by: 3, dividedBy: 2).picodollars == 2)  // 1.5 → 2
        #expect(USD(picodollars: 5).scaled(by: 1, dividedBy: 2).picodollars == 2)  // 2.5 → 2
        #expect(USD(picodollars: 7).scaled(by: 1, dividedBy: 2).picodollars == 4)  // 3.5 → 4
        #expect(USD(picodollars: 10).scaled(by: 1, dividedBy: 3).picodollars == 3)
        #expect(USD(picodollars: -5).scaled(by: 1, dividedBy: 2).picodollars == -2)
        #expect(USD(picodollars: 6).scaled(by: 1, dividedBy: 2).picodollars == 3)
    }
}

@Suite struct CalendarDayTests {
    @Test func parsesAndPrintsRealDatesOnly() {
        #expect(CalendarDay("1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDay("2026-11-29")?.description == "2026-11-29")
        #expect(CalendarDay("2024-02-29") != nil)
        for bad in ["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-11-29", "2026/11/29", "2026-11-31", ""] {
            #expect(CalendarDay(bad) == nil, "\(bad)")
        }
        #expect(CalendarDay("1969-12-31")?.daysSinceEpoch == -1)
    }

    @Test func everyDayRoundTripsAcrossFourHundredYears() {
        var previous: CalendarDay?
        for days in stride(from: -30_000, through: 120_000, by: 1) {
            let day = CalendarDay(daysSinceEpoch: days)
            #expect(CalendarDay(day.description) == day)
            if let previous { #expect(previous < day) }
            previous = day
            if days % 997 != 0 { continue }
            #expect(CalendarDay(day.start) == day)
            #expect(CalendarDay(day.start.addingTimeInterval(86_399.999)) == day)
        }
    }
}

@Suite struct RequestCostTests {
    let catalogue = PriceCatalogue.standard()

    func event(
        provider: String? = "openai", model: String? = "gpt-5.4", day: String = "2026-11-29",
        outcome: AuditEvent.Outcome = .success,
        prompt: Int? = nil, completion: Int? = nil, cached: Int? = nil, written: Int? = nil,
        media: AuditEvent.MediaUnits? = nil
    ) -> AuditEvent {
        AuditEvent(
            requestID: "r", timestamp: CalendarDay(day)!.start.addingTimeInterval(3600), tenant: "t", method: "POST",
            path: "/v1/chat/completions", alias: "a", provider: provider, providerModel: model, outcome: outcome,
            httpStatus: 200, latencyMs: 1, promptTokens: prompt, completionTokens: completion, cachedTokens: cached,
            cacheCreationTokens: written, media: media)
    }

    func cost(_ event: AuditEvent) -> String? {
        if case .priced(let amount) = catalogue.cost(of: event) { return amount.description }
        return nil
    }

    @Test func tokensArePricedExactlyWithCachedInputAtItsOwnRate() {
        // (800 × 2.50 + 200 × 0.25 + 500 × 15) / 1M
        #expect(cost(event(prompt: 1000, completion: 500, cached: 200)) == "0.00955")
        // 7 × 0.035 / 1M: far below a cent and still exact.
        #expect(
            cost(event(provider: "bedrock", model: "amazon.nova-micro-v1:0", prompt: 7, completion: 0)) == "0.000000245"
        )
    }

    @Test func anthropicCacheWritesAndReadsHaveTheirOwnRates() {
        // 1000 prompt tokens = 100 plain + 300 read + 600 written; (100×3 + 300×0.3 + 600×3.75 + 10×15) / 1M
        #expect(
            cost(
                event(
                    provider: "anthropic", model: "claude-sonnet-4-5", prompt: 1000, completion: 10, cached: 300,
                    written: 600))
                == "0.00279")
    }

    @Test func modelNamesAreFoundUnderTheirCatalogueNames() {
        let bedrockClaude = event(
            provider: "bedrock", model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", prompt: 1_000_000, completion: 0
        )
        #expect(cost(bedrockClaude) == "3")
        #expect(
            cost(event(provider: "openai_compatible:vertex", model: "google/gemini-2.5-pro", prompt: 1_000_000))
                == "1.25")
        #expect(cost(event(model: "gpt-4o-mini-2024-07-18", completion: 1_000_000)) == "0.6")
        #expect(cost(event(model: "claude-haiku-4-5-20251001", prompt: 2_000_000)) == "2")
    }

    @Test func pricesFollowTheirEffectiveDates() {
        #expect(cost(event(model: "gpt-4o", day: "2024-08-05", prompt: 1_000_000)) == "5")
        #expect(cost(event(model: "gpt-4o", day: "2024-08-06", prompt: 1_000_000)) == "2.5")
        var custom = PriceCatalogue()
        custom.set(
            "m",
            [
                ModelPrice(effectiveFrom: CalendarDay("2026-06-01"), inputPerMillion: USD("2")),
                ModelPrice(effectiveFrom: CalendarDay("2026-01-01"), inputPerMillion: USD("1")),
            ])
        func priced(_ day: String) -> RequestCost { custom.cost(of: event(model: "m", day: day, prompt: 1_000_000)) }
        #expect(priced("2026-05-31") == .priced(USD("1")!))
        #expect(priced("2026-06-01") == .priced(USD("2")!))
        // Before the first listed price the model has no price: reported, not charged at zero.
        #expect(priced("2025-12-31") == .unpriced(reason: "no price for openai/m"))
    }

    /// Names are resolved once per (provider, model) and remembered; a change to the catalogue forgets them, and
    /// a copy changed apart does not change the original.
    @Test func rememberedNamesFollowChangesToTheCatalogue() {
        var custom = PriceCatalogue()
        let request = event(provider: "openai_compatible:x", model: "vendor/m-2026-01-02", prompt: 1_000_000)
        #expect(custom.cost(of: request) == .unpriced(reason: "no price for openai_compatible:x/vendor/m-2026-01-02"))
        let before = custom
        custom.set("m", [ModelPrice(inputPerMillion: USD("2"))])
        #expect(custom.cost(of: request) == .priced(USD("2")!))
        custom.set("openai_compatible:x/vendor/m-2026-01-02", [ModelPrice(inputPerMillion: USD("3"))])
        #expect(custom.cost(of: request) == .priced(USD("3")!))
        #expect(before.cost(of: request) == .unpriced(reason: "no price for openai_compatible:x/vendor/m-2026-01-02"))
        #expect(before != custom)
    }

    @Test func unknownModelsAreReportedNotPricedAtZero() {
        #expect(
            catalogue.cost(of: event(model: "gpt-99", prompt: 10)) == .unpriced(reason: "no price for openai/gpt-99"))
        // A success that reported no usage at all cannot be priced either.
        guard case .unpriced = catalogue.cost(of: event(prompt: nil, completion: nil)) else {
            Issue.record("a success without usage was priced")
            return
        }
        // A model with a price list that lacks the part used.
        #expect(
            catalogue.cost(of: event(model: "text-embedding-3-small", prompt: 5, completion: 5))
                == .unpriced(reason: "no output token price for text-embedding-3-small"))
    }

    @Test func failuresThatConsumedNothingAndTheMockProviderCostNothing() {
        #expect(catalogue.cost(of: event(model: "gpt-99", outcome: .error)) == .priced(.zero))
        #expect(
            catalogue.cost(of: event(provider: "mock", model: "mock-fast", prompt: 100, completion: 9))
                == .priced(.zero))
        // A stream that failed after usage was reported is charged for it.
        #expect(cost(event(outcome: .streamError, prompt: 1_000_000)) == "2.5")
    }

    @Test func imagesAreCountedBySizeAndQuality() {
        let hd = AuditEvent.MediaUnits(imageCount: 2, imageSize: "1024x1792", imageQuality: "hd")
        #expect(cost(event(model: "dall-e-3", media: hd)) == "0.24")
        let small = AuditEvent.MediaUnits(imageCount: 3, imageSize: "512x512", imageQuality: "standard")
        #expect(cost(event(model: "dall-e-2", media: small)) == "0.054")
        let odd = AuditEvent.MediaUnits(imageCount: 1, imageSize: "999x999", imageQuality: "hd")
        #expect(
            catalogue.cost(of: event(model: "dall-e-3", media: odd))
                == .unpriced(reason: "no image (hd 999x999) price for dall-e-3"))
    }

    @Test func imageModelsThatReportTokensArePricedOnceByTokensOrByImage() {
        let media = AuditEvent.MediaUnits(imageCount: 1, imageSize: "1024x1024", imageQuality: "medium")
        // gpt-image-1 reports tokens; the built-in list prices it per image: the image price, tokens ignored.
        #expect(cost(event(model: "gpt-image-1", prompt: 50, completion: 4160, media: media)) == "0.042")
        // With token prices configured, the tokens are the bill and the image is not charged again.
        var catalogue = PriceCatalogue()
        catalogue.set(
            "gpt-image-1",
            [ModelPrice(inputPerMillion: USD("5"), outputPerMillion: USD("40"), images: ["*": USD("0.25")!])])
        #expect(
            catalogue.cost(of: event(model: "gpt-image-1", prompt: 50, completion: 4160, media: media))
                == .priced(USD("0.16665")!))
        // An image model without usage is still priced per image.
        #expect(catalogue.cost(of: event(model: "gpt-image-1", media: media)) == .priced(USD("0.25")!))
    }

    @Test func audioByTheMillisecondAndSpeechByTheCharacter() {
        #expect(cost(event(model: "whisper-1", media: .init(audioSeconds: 7.3))) == "0.00073")
        // Durations count to the millisecond (half a millisecond rounds up): 1 ms of a $0.006 minute.
        #expect(cost(event(model: "whisper-1", media: .init(audioSeconds: 0.0005))) == "0.0000001")
        #expect(cost(event(model: "tts-1", media: .init(speechCharacters: 11))) == "0.000165")
    }

    @Test func theAuditEventCarriesItsCostExactlyThroughTheCodec() throws {
        var priced = event(prompt: 1000, completion: 500, cached: 200)
        priced.price(with: catalogue)
        #expect(priced.cost == USD("0.00955"))
        let text = String(decoding: try AuditCodec.encode(priced), as: UTF8.self)
        #expect(text.contains("\"cost_usd\":0.00955"))
        #expect(try AuditCodec.decode(Array(text.utf8)) == priced)
        var unpriced = event(model: "gpt-99", prompt: 1)
        unpriced.price(with: catalogue)
        #expect(try AuditCodec.decode(AuditCodec.encode(unpriced)).unpricedReason == "no price for openai/gpt-99")
        // Pricing is done once: a second catalogue does not change a written cost.
        priced.price(with: PriceCatalogue())
        #expect(priced.cost == USD("0.00955"))
    }

    @Test func everyModelOfTheDefaultRoutesHasAPrice() throws {
        var config = try ConfigLoader.load(
            yaml: "", fileName: "f",
            environment: [
                "OPENAI_API_KEY": "sk", "ANTHROPIC_API_KEY": "a", "AWS_REGION": "us-east-1",
                "OPENAI_COMPAT_GEMINI_API_KEY": "g", "OPENAI_COMPAT_GEMINI_BASE_URL": "https://g.example",
            ])
        config.routes = DefaultRoutes.routes(for: config)
        for route in config.routes {
            for target in route.targets where target.provider.family != .mock {
                #expect(
                    catalogue.price(provider: target.provider.description, model: target.model, on: CalendarDay(Date()))
                        != nil, "no price for \(target.provider)/\(target.model)")
            }
        }
    }
}

@Suite struct PricingConfigTests {
    @Test func theFileReplacesWholeModelsWithDatedPrices() throws {
        let config = try ConfigLoader.load(
            yaml: """
                pricing:
                  gpt-5.4:
                    input_per_1m: 2
                    output_per_1m: "12.5"
                  house-model:
                    - effective_from: 2026-01-01
                      input_per_1m: 0.0375
                    - effective_from: 2026-07-01
                      input_per_1m: 0.05
                  dall-e-3:
                    images: {hd/1024x1024: 0.1, "*": 0.05}
                """, fileName: "f", environment: [:])
        let day = CalendarDay("2026-08-01")!
        let gpt = try #require(config.pricing.price(provider: "openai", model: "gpt-5.4", on: day)?.price)
        #expect(gpt.inputPerMillion == USD("2") && gpt.outputPerMillion == USD("12.5"))
        #expect(gpt.cachedInputPerMillion == nil)  // replaced whole: cached input now falls back to input
        #expect(
            config.pricing.price(provider: nil, model: "house-model", on: day)?.price.inputPerMillion == USD("0.05"))
        #expect(
            config.pricing.price(provider: nil, model: "house-model", on: CalendarDay("2026-03-01")!)?.price
                .inputPerMillion == USD("0.0375"))
        let images = try #require(config.pricing.price(provider: nil, model: "dall-e-3", on: day)?.price)
        #expect(images.imagePrice(quality: "hd", size: "1024x1024") == USD("0.1"))
        #expect(images.imagePrice(quality: "standard", size: "1024x1024") == USD("0.05"))
        // Models the file does not name keep their built-in prices.
        #expect(config.pricing.price(provider: nil, model: "gpt-5.2", on: day)?.price.outputPerMillion == USD("14"))
    }

    @Test func mistakesAreReportedWithTheirPath() {
        #expect(throws: ConfigError.self) {
            try ConfigLoader.load(yaml: "pricing:\n  m:\n    input_per_1m: -1\n", fileName: "f", environment: [:])
        }
        do {
            _ = try ConfigLoader.load(
                yaml: """
                    pricing:
                      a: {input_per_1m: cheap}
                      b: {effective_from: 2026-02-30, input_per_1m: 1}
                      c: {inptu_per_1m: 1}
                      d: [{input_per_1m: 1}, {input_per_1m: 2}]
                      e: {effective_from: 2026-01-01}
                    """, fileName: "f", environment: [:])
            Issue.record("accepted")
        } catch {
            let text = error.description
            #expect(text.contains("pricing.a.input_per_1m: must be an amount in USD"))
            #expect(text.contains("pricing.b.effective_from: must be a date YYYY-MM-DD"))
            #expect(text.contains("pricing.c.inptu_per_1m: unknown key"))
            #expect(text.contains("two prices take effect on the same day"))
            #expect(text.contains("pricing.e: names no price"))
        }
    }
}
