import ArgumentParser
import Foundation
import GatewayBackends
import GatewayCore
import GatewaySchema

/// `switchboard usage`: the billing report of `GET /v1/billing/usage`, read from the local request log.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Print usage and cost for a date range (the report of GET /v1/billing/usage) as a table.",
        discussion: """
            Days are UTC and both ends are included; --to defaults to today and --from to 30 days before it.
            Costs come from the price catalogue (built-in list prices, overridden by the file's `pricing`
            section), fixed when each request was logged. Requests whose model has no price are counted as
            unpriced and their models listed.
            """)

    @OptionGroup var options: CommonOptions
    @Option(help: "First day, YYYY-MM-DD (UTC).") var from: String?
    @Option(help: "Last day, YYYY-MM-DD (UTC).") var to: String?
    @Option(help: "Only this tenant (default: every tenant).") var tenant: String?
    @Option(help: "Breakdowns: a comma-separated list of model, day and key.") var groupBy = "model,day"
    @Option(help: "table, json (the API's response) or csv.") var format = "table"

    func run() async throws {
        guard ["table", "json", "csv"].contains(format) else {
            throw ValidationError("--format must be table, json or csv")
        }
        let query: UsageQuery
        do {
            query = try UsageQuery.parse(
                tenant: tenant, from: from, to: to, groupBy: groupBy, today: CalendarDay(Date()))
        } catch {
            throw ValidationError(error.message)
        }
        let config = try options.loadConfig()
        let data = try await options.withPorts(config) { try await $0.requestLog.usage(query) }
        let report = UsageReport(query: query, data: data)
        switch format {
        case "json": printLine(String(decoding: report.json.serialized(), as: UTF8.self))
        case "csv": FileHandle.standardOutput.write(Data(report.csv.utf8))
        default: printLine(Self.render(report))
        }
    }

    static func render(_ report: UsageReport) -> String {
        let s = report.summary
        let rate = s.successRate.map { String(format: "%.1f%%", $0 * 100) } ?? "–"
        var lines = [
            "Usage of \(report.query.tenant.map { "tenant \($0)" } ?? "every tenant"), "
                + "\(report.query.from) to \(report.query.to) (UTC)",
            "Requests \(grouped(s.requests)): \(grouped(s.successful)) successful, \(grouped(s.failed)) failed, "
                + "\(grouped(s.cancelled)) cancelled (\(rate) success)",
            "Tokens \(grouped(s.inputTokens)) input (\(grouped(s.cachedInputTokens)) cached), "
                + "\(grouped(s.outputTokens)) output",
            "Estimated cost $\(s.cost)",
        ]
        if s.unpriced > 0 {
            lines.append(
                "\(s.unpriced) request(s) could not be priced"
                    + (report.unpricedModels.isEmpty
                        ? "" : " (no price for: \(report.unpricedModels.joined(separator: ", ")))"))
        }
        lines.append("")
        lines.append(table(report.table))
        return lines.joined(separator: "\n")
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }
}
