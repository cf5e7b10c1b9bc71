#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), pure and I/O-free.
///
/// `sign` produces the headers to add to the request (`x-amz-security-token`, `x-amz-date`, optionally
/// `x-amz-content-sha256`, `authorization`); `presign` produces the query items of a presigned URL. Both expose
/// the canonical request and the string to sign for tests and debugging.
public struct SigV4Signer: Sendable {
    /// Signing choices that differ between services.
    public struct Options: Sendable, Equatable {
        /// Percent-encode the (already encoded) wire path once more in the canonical request. True for every
        /// service except S3.
        public var doubleEncodePath: Bool
        /// Remove `.`, `..` and empty segments from the canonical path. True for every service except S3.
        public var normalizePath: Bool
        /// Add and sign `x-amz-content-sha256` (S3 requires it; other services accept it).
        public var addContentSHA256Header: Bool
        /// Include `x-amz-security-token` in the signature (some services want it added after signing).
        public var signSessionToken: Bool

        public init(
            doubleEncodePath: Bool = true, normalizePath: Bool = true, addContentSHA256Header: Bool = false,
            signSessionToken: Bool = true
        ) {
            self.doubleEncodePath = doubleEncodePath
            self.normalizePath = normalizePath
            self.addContentSHA256Header = addContentSHA256Header
            self.signSessionToken = signSessionToken
        }

        /// The settings S3 needs: no double encoding, no normalization, `x-amz-content-sha256`.
        public static let s3 = Options(doubleEncodePath: false, normalizePath: false, addContentSHA256Header: true)
    }

    public static let algorithm = "AWS4-HMAC-SHA256"
    /// Headers a proxy or client may rewrite; never signed (as botocore).
    static let unsignedHeaders: Set<String> = ["expect", "transfer-encoding", "user-agent", "x-amzn-trace-id"]
    static let replacedHeaders: Set<String> = ["authorization", "x-amz-date", "x-amz-security-token"]

    public var region: String
    public var service: String
    public var options: Options

    public init(region: String, service: String, options: Options = Options()) {
        self.region = region
        self.service = service
        self.options = options
    }

    public init(region: AWSRegion, service: String, options: Options = Options()) {
        self.init(region: region.name, service: service, options: options)
    }

    /// Signs with an `Authorization` header.
    public func sign(_ request: SigV4Request, credentials: AWSCredentials, date: Date) -> SigV4Signature {
        let amzDate = AWSTimestamp.amzDate(date)
        let scope = credentialScope(date)
        let payloadHash = Self.payloadHash(request.payload)
        var extra: [(name: String, value: String)] = []
        if let token = credentials.sessionToken, options.signSessionToken {
            extra.append(("x-amz-security-token", token))
        }
        extra.append(("x-amz-date", amzDate))
        if options.addContentSHA256Header { extra.append(("x-amz-content-sha256", payloadHash)) }
        var headers = request.headers.filter { header in
            let name = header.name.lowercased()
            return !Self.replacedHeaders.contains(name)
                && !(options.addContentSHA256Header && name == "x-amz-content-sha256")
        }
        headers += extra
        let canonicalHeaders = Self.canonicalHeaders(headers)
        let canonicalRequest = [
            request.method.uppercased(),
            AWSPath.canonicalURI(
                wirePath: request.path, normalize: options.normalizePath, doubleEncode: options.doubleEncodePath),
            Self.canonicalQuery(request.query),
            canonicalHeaders.block,
            canonicalHeaders.signed,
            payloadHash,
        ].joined(separator: "\n")
        let stringToSign = Self.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        let signature = signature(stringToSign, secret: credentials.secretAccessKey, date: date)
        let authorization =
            "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(canonicalHeaders.signed), Signature=\(signature)"
        var added: [(name: String, value: String)] = []
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        added += extra.filter { $0.name != "x-amz-security-token" }
        added.append(("authorization", authorization))
        return SigV4Signature(
            headers: added, canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
            signedHeaders: canonicalHeaders.signed, credentialScope: scope)
    }

    /// Signs with query parameters (a presigned URL valid for `expires` seconds). The returned `queryItems`
    /// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-SignedHeaders`, `X-Amz-Expires`,
    /// `X-Amz-Security-Token`, `X-Amz-Signature`) are appended to the request's own query on the wire.
    public func presign(
        _ request: SigV4Request, credentials: AWSCredentials, date: Date, expires: Int
    ) -> SigV4Signature {
        let amzDate = AWSTimestamp.amzDate(date)
        let scope = credentialScope(date)
        let headers = request.headers.filter { !Self.replacedHeaders.contains($0.name.lowercased()) }
        let canonicalHeaders = Self.canonicalHeaders(headers)
        var signingItems: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-SignedHeaders", canonicalHeaders.signed),
            ("X-Amz-Expires", String(expires)),
        ]
        let tokenItem = credentials.sessionToken.map { (name: "X-Amz-Security-Token", value: $0) }
        if let tokenItem, options.signSessionToken { signingItems.append(tokenItem) }
        let canonicalRequest = [
            request.method.uppercased(),
            AWSPath.canonicalURI(
                wirePath: request.path, normalize: options.normalizePath, doubleEncode: options.doubleEncodePath),
            Self.canonicalQuery(request.query + signingItems),
            canonicalHeaders.block,
            canonicalHeaders.signed,
            Self.payloadHash(request.payload),
        ].joined(separator: "\n")
        let stringToSign = Self.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        let signature = signature(stringToSign, secret: credentials.secretAccessKey, date: date)
        var items = Array(signingItems.prefix(5))
        if let tokenItem { items.append(tokenItem) }
        items.append(("X-Amz-Signature", signature))
        return SigV4Signature(
            queryItems: items, canonicalRequest: canonicalRequest, stringToSign: stringToSign,
            signature: signature, signedHeaders: canonicalHeaders.signed, credentialScope: scope)
    }

    /// `20150830/us-east-1/service/aws4_request`.
    public func credentialScope(_ date: Date) -> String {
        "\(AWSTimestamp.scopeDate(date))/\(region)/\(service)/aws4_request"
    }

    /// The derived signing key (`AWS4<secret>` → date → region → service → `aws4_request`).
    func signingKey(secret: String, date: Date) -> [UInt8] {
        let dateKey = SigV4Crypto.hmac(key: Array("AWS4\(secret)".utf8), AWSTimestamp.scopeDate(date))
        let regionKey = SigV4Crypto.hmac(key: dateKey, region)
        let serviceKey = SigV4Crypto.hmac(key: regionKey, service)
        return SigV4Crypto.hmac(key: serviceKey, "aws4_request")
    }

    func signature(_ stringToSign: String, secret: String, date: Date) -> String {
        SigV4Crypto.hex(SigV4Crypto.hmac(key: signingKey(secret: secret, date: date), stringToSign))
    }

    static func stringToSign(amzDate: String, scope: String, canonicalRequest: String) -> String {
        [algorithm, amzDate, scope, SigV4Crypto.hex(SigV4Crypto.sha256(canonicalRequest.utf8))]
            .joined(separator: "\n")
    }

    static func payloadHash(_ payload: SigV4Payload) -> String {
        switch payload {
        case .bytes(let bytes): return SigV4Crypto.hex(SigV4Crypto.sha256(bytes))
        case .sha256Hex(let hex): return hex.lowercased()
        case .unsigned: return "UNSIGNED-PAYLOAD"
        }
    }

    /// Encoded `name=value` pairs sorted by name, then value (byte order of the encoded form).
    static func canonicalQuery(_ items: [(name: String, value: String)]) -> String {
        items
            .map { (AWSURIEncoding.encode($0.name), AWSURIEncoding.encode($0.value)) }
            .sorted { lhs, rhs in
                lhs.0 != rhs.0
                    ? lhs.0.utf8.lexicographicallyPrecedes(rhs.0.utf8)
                    : lhs.1.utf8.lexicographicallyPrecedes(rhs.1.utf8)
            }
            .map { $0.0 + "=" + $0.1 }
            .joined(separator: "&")
    }

    /// The `name:value\n` block (names lowercased and sorted, values trimmed with inner runs of spaces collapsed,
    /// repeated names joined with `,`) and the `;`-separated signed header list.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signed: String) {
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            if unsignedHeaders.contains(name) { continue }
            values[name, default: []].append(canonicalValue(header.value))
        }
        let names = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    static func canonicalValue(_ value: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(UInt8(ascii: " ")) }
                pendingSpace = false
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
