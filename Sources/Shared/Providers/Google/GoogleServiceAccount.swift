import GatewaySchema

/// The fields of a Google service-account key file (the JSON downloaded from IAM) that token exchange needs.
///
/// `description`, `debugDescription` and the mirror never show `privateKey`.
public struct GoogleServiceAccount: Sendable, Equatable {
    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    public var clientEmail: String
    /// The RSA private key, PEM (PKCS#8 in files Google issues).
    public var privateKey: String
    /// The key's id, sent as the JWT `kid` header.
    public var privateKeyID: String?
    /// Where assertions are exchanged for access tokens; also the JWT audience.
    public var tokenURI: String
    public var projectID: String?

    public init(
        clientEmail: String, privateKey: String, privateKeyID: String? = nil,
        tokenURI: String = GoogleServiceAccount.defaultTokenURI, projectID: String? = nil
    ) {
        self.clientEmail = clientEmail
        self.privateKey = privateKey
        self.privateKeyID = privateKeyID
        self.tokenURI = tokenURI
        self.projectID = projectID
    }

    /// Decodes the key file. Requires `client_email` and `private_key`; a `type` other than `service_account`
    /// is rejected; `token_uri` defaults to `https://oauth2.googleapis.com/token`.
    public init(json: some Sequence<UInt8>) throws(GoogleServiceAccountError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(json)
        } catch {
            throw GoogleServiceAccountError("the key file is not valid JSON")
        }
        guard case .object = document else { throw GoogleServiceAccountError("the key file is not a JSON object") }
        if let type = document["type"], type.stringValue != "service_account" {
            throw GoogleServiceAccountError("the key file's type is not service_account")
        }
        func text(_ field: String, required: Bool) throws(GoogleServiceAccountError) -> String? {
            guard let value = document[field], !value.isNull else {
                if required { throw GoogleServiceAccountError("\(field) is missing") }
                return nil
            }
            guard let string = value.stringValue else { throw GoogleServiceAccountError("\(field) is not a string") }
            guard !string.isEmpty else {
                if required { throw GoogleServiceAccountError("\(field) is empty") }
                return nil
            }
            return string
        }
        let clientEmail = try text("client_email", required: true)!
        let privateKey = try text("private_key", required: true)!
        guard privateKey.contains("-----BEGIN") else {
            throw GoogleServiceAccountError("private_key is not a PEM block")
        }
        self.init(
            clientEmail: clientEmail, privateKey: privateKey, privateKeyID: try text("private_key_id", required: false),
            tokenURI: try text("token_uri", required: false) ?? Self.defaultTokenURI,
            projectID: try text("project_id", required: false))
    }

    /// Decodes the key file from its text.
    public init(jsonString: String) throws(GoogleServiceAccountError) {
        try self.init(json: Array(jsonString.utf8))
    }
}

extension GoogleServiceAccount: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "GoogleServiceAccount(clientEmail: \(clientEmail), privateKeyID: \(privateKeyID ?? "nil"), "
            + "tokenURI: \(tokenURI), projectID: \(projectID ?? "nil"), privateKey: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "clientEmail": clientEmail, "privateKeyID": privateKeyID ?? "nil", "tokenURI": tokenURI,
                "projectID": projectID ?? "nil", "privateKey": "<redacted>",
            ], displayStyle: .struct)
    }
}
