#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AWSCredentials {
    /// Credentials from the fields of a JSON credential document (the container endpoint's and instance metadata's
    /// answer, a `credential_process`'s output): key id and secret required, an empty session token is none, an
    /// `Expiration` must be ISO 8601. `what` names the document in errors, which never contain a value.
    static func fromDocument(
        accessKeyID: String?, secretAccessKey: String?, sessionToken: String?, expiration: String?, source: String,
        what: String
    ) throws(AWSCredentialError) -> AWSCredentials {
        let missing = [("AccessKeyId", accessKeyID), ("SecretAccessKey", secretAccessKey)]
            .filter { $0.1?.isEmpty ?? true }.map(\.0)
        guard missing.isEmpty, let accessKeyID, let secretAccessKey else {
            throw AWSCredentialError(
                .invalidResponse, source: source, message: "\(what) lacks \(missing.joined(separator: " and "))")
        }
        var date: Date?
        if let expiration {
            guard let parsed = AWSTimestamp.parseISO8601(expiration) else {
                throw AWSCredentialError(
                    .invalidResponse, source: source, message: "\(what) has an Expiration that is not ISO 8601")
            }
            date = parsed
        }
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secretAccessKey,
            sessionToken: sessionToken.flatMap { $0.isEmpty ? nil : $0 }, expiration: date)
    }
}
