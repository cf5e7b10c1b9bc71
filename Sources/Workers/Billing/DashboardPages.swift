import GatewayEdge
import HTTPTypes
import Hummingbird

/// Serves the static billing dashboard (`dashboard/` of the repository, embedded at build time by
/// `scripts/embed-dashboard`) with a strict Content-Security-Policy: the page runs only its own script and
/// style, talks only to this origin, and cannot be framed.
enum DashboardPages {
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let files: [String: (contentType: String, body: String)] = [
        "index.html": ("text/html; charset=utf-8", DashboardAssets.indexHTML),
        "app.js": ("text/javascript; charset=utf-8", DashboardAssets.appJS),
        "app.css": ("text/css; charset=utf-8", DashboardAssets.appCSS),
    ]

    static func addRoutes(to router: Router<GatewayRequestContext>) {
        // Hummingbird matches `/dashboard/` here too.
        router.get("/dashboard") { _, _ in try page("index.html") }
        router.get("/dashboard/{file}") { _, context in try page(context.parameters.require("file")) }
    }

    static func page(_ name: String) throws -> Response {
        guard let file = files[name] else { throw HTTPError(.notFound) }
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: file.body)))
    }
}
