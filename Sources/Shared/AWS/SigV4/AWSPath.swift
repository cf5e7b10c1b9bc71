/// Builds request paths the way they go on the wire, and derives the SigV4 canonical path from them.
///
/// A Bedrock model id such as `anthropic.claude-3-5-sonnet-20240620-v1:0`, or an inference-profile ARN with `:`
/// and `/`, is one path segment: on the wire it is encoded once (`…-v1%3A0`, `arn%3Aaws%3A…%2Fus.anthropic…`);
/// in the canonical request of every service but S3 it is encoded a second time (`%253A`).
public enum AWSPath {
    /// One path segment percent-encoded for the wire: everything but `A-Z a-z 0-9 - . _ ~` is escaped,
    /// including `/` and `:`.
    public static func encodeSegment(_ segment: some StringProtocol) -> String {
        AWSURIEncoding.encode(segment, keepSlash: false)
    }

    /// A wire path from raw (unencoded) segments: `["model", id, "converse"]` → `/model/<encoded id>/converse`.
    public static func fromSegments(_ segments: [String]) -> String {
        "/" + segments.map { encodeSegment($0) }.joined(separator: "/")
    }

    /// The SigV4 canonical URI for a wire path.
    ///
    /// - `normalize`: remove `.` and `..` segments and empty segments (`//`), keeping a trailing `/`.
    /// - `doubleEncode` (every service but S3): the wire path is percent-encoded once more, so `%3A` becomes
    ///   `%253A` and any raw byte outside the unreserved set is escaped.
    /// - otherwise (S3): each segment is decoded and encoded once, which leaves a well-formed wire path as is.
    public static func canonicalURI(wirePath: String, normalize: Bool, doubleEncode: Bool) -> String {
        var path = wirePath.isEmpty ? "/" : wirePath
        if normalize { path = normalized(path) }
        if doubleEncode { return AWSURIEncoding.encode(path, keepSlash: true) }
        return
            path
            .split(separator: "/", omittingEmptySubsequences: false)
            .map { AWSURIEncoding.encode(AWSURIEncoding.decode($0), keepSlash: false) }
            .joined(separator: "/")
    }

    /// Removes dot segments and empty segments; the result starts with `/` and ends with `/` when the input did.
    public static func normalized(_ path: String) -> String {
        var stack: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = stack.popLast()
            default: stack.append(segment)
            }
        }
        let lastSegment = path.split(separator: "/", omittingEmptySubsequences: false).last
        let trailingSlash = path.hasSuffix("/") || lastSegment == "." || lastSegment == ".."
        var result = "/" + stack.joined(separator: "/")
        if trailingSlash && !stack.isEmpty { result += "/" }
        return result
    }
}
