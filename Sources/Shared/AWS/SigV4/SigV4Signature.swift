/// The result of signing: what to add to the request, plus the intermediate strings.
///
/// `description` shows only the signed header list and the signature: the headers may carry the session token,
/// and the canonical request contains it when it is signed.
public struct SigV4Signature: Sendable {
    /// Headers to add for header signing (lowercase names), in this order: `x-amz-security-token` (with a
    /// session token), `x-amz-date`, `x-amz-content-sha256` (when enabled), `authorization`. Empty for `presign`.
    public var headers: [(name: String, value: String)]
    /// Query items to append for query signing (presigned URLs), raw (encode with `AWSURIEncoding.encode`).
    /// Empty for header signing.
    public var queryItems: [(name: String, value: String)]
    public var canonicalRequest: String
    public var stringToSign: String
    /// The hex signature.
    public var signature: String
    /// `host;x-amz-date;…`
    public var signedHeaders: String
    /// `20150830/us-east-1/service/aws4_request`
    public var credentialScope: String

    public init(
        headers: [(name: String, value: String)] = [], queryItems: [(name: String, value: String)] = [],
        canonicalRequest: String, stringToSign: String, signature: String, signedHeaders: String,
        credentialScope: String
    ) {
        self.headers = headers
        self.queryItems = queryItems
        self.canonicalRequest = canonicalRequest
        self.stringToSign = stringToSign
        self.signature = signature
        self.signedHeaders = signedHeaders
        self.credentialScope = credentialScope
    }

    /// The value of an added header, by lowercase name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}

extension SigV4Signature: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "SigV4Signature(scope: \(credentialScope), signedHeaders: \(signedHeaders), signature: \(signature))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["credentialScope": credentialScope, "signedHeaders": signedHeaders, "signature": signature],
            displayStyle: .struct)
    }
}
