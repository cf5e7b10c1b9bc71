import GatewayCore
import GatewayEdge
import GatewaySchema
import HTTPTypes
import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `GET /v1/billing/usage` (JSON or CSV) and the billing dashboard at `/dashboard/`. A key reads its own
/// tenant's usage; an admin key may name another tenant.
public struct BillingService: Sendable {
    let log: any RequestLog
    let clock: any WallClock

    public init(log: any RequestLog, clock: any WallClock = SystemWallClock()) {
        self.log = log
        self.clock = clock
    }

    public func addRoutes(to router: Router<GatewayRequestContext>) {
        router.get("/v1/billing/usage") { request, context in
            try await self.usage(request, context: context)
        }
        DashboardPages.addRoutes(to: router)
    }

    func usage(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        guard let identity = context.identity else { throw GatewayError.missingAPIKey() }
        let parameters = request.uri.queryParameters
        func parameter(_ name: String) -> String? { parameters.get(name).map { String($0) } }
        var tenant = identity.tenant
        if let named = parameter("tenant"), !named.isEmpty, named != identity.tenant {
            guard identity.admin else {
                throw GatewayError(
                    status: 403, type: "invalid_request_error", code: "permission_denied",
                    message: "This API key can only read its own tenant's usage; 'tenant' needs an admin key.",
                    param: "tenant")
            }
            tenant = named
        }
        let format = parameter("format")?.lowercased() ?? "json"
        guard format == "json" || format == "csv" else {
            throw GatewayError.invalidRequest("'format' must be json or csv.", param: "format")
        }
        let query = try UsageQuery.parse(
            tenant: tenant, from: parameter("from"), to: parameter("to"),
            groupBy: parameter("group_by") ?? parameter("groupBy"), today: CalendarDay(clock.now()))
        let report = UsageReport(query: query, data: try await log.usage(query))
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        if format == "csv" {
            headers[.contentType] = "text/csv; charset=utf-8"
            let safeTenant = String(tenant.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
            headers[.contentDisposition] =
                "attachment; filename=\"usage-\(safeTenant)-\(query.from)-\(query.to).csv\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: report.csv)))
        }
        headers[.contentType] = "application/json"
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: report.json.serialized())))
    }
}
