import GatewaySchema

extension GoogleServiceAccount {
    /// The `cloud-platform` OAuth scope.
    public static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"
    /// The OAuth grant type of a JWT bearer assertion (RFC 7523).
    public static let jwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    /// The signed JWT this account exchanges for an access token: header `{"alg":"RS256","typ":"JWT","kid":…}`
    /// and claims `{"iat","exp","iss","aud","scope"}` in that order, compact; `exp = iat + lifetime`.
    public func jwtAssertion(
        signer: JWTSigner, issuedAt: Int, scope: String = GoogleServiceAccount.cloudPlatformScope,
        lifetime: Int = 3600
    ) throws(JWTError) -> String {
        var header: JSONObject = ["alg": .string(JWTSigner.algorithm), "typ": "JWT"]
        if let privateKeyID { header.setValue(.string(privateKeyID), forKey: "kid") }
        let claims: JSONObject = [
            "iat": .number(JSONNumber(issuedAt)), "exp": .number(JSONNumber(issuedAt + lifetime)),
            "iss": .string(clientEmail), "aud": .string(tokenURI), "scope": .string(scope),
        ]
        return try signer.sign(header: .object(header), claims: .object(claims))
    }

    /// The `application/x-www-form-urlencoded` token request body for `assertion`.
    public static func tokenRequestBody(assertion: String) -> [UInt8] {
        Array(("grant_type=" + formEncode(jwtBearerGrantType) + "&assertion=" + formEncode(assertion)).utf8)
    }

    /// Form encoding: unreserved characters stay, space becomes `+`, everything else `%XY`.
    static func formEncode(_ text: String) -> String {
        var out: [UInt8] = []
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
