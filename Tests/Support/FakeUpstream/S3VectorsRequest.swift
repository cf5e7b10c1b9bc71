import Foundation
import NIOCore

/// A decoded S3 Vectors request body with the service's validation of common members.
struct S3VectorsRequest {
    let body: [String: S3VectorsJSON]

    init(_ buffer: ByteBuffer) throws(S3VectorsError) {
        let data = Data(buffer.readableBytesView)
        guard !data.isEmpty else {
            body = [:]
            return
        }
        guard let value = try? JSONDecoder().decode(S3VectorsJSON.self, from: data), let object = value.object else {
            throw S3VectorsError(status: 400, code: "SerializationException", message: "Malformed JSON request body")
        }
        body = object
    }

    func string(_ name: String) throws(S3VectorsError) -> String {
        guard let value = body[name]?.string else { throw .validation("Member \(name) is required") }
        return value
    }

    func int(_ name: String, default value: Int? = nil, in range: ClosedRange<Int>) throws(S3VectorsError) -> Int {
        guard let member = body[name] else {
            if let value { return value }
            throw .validation("Member \(name) is required")
        }
        guard let number = member.int, range.contains(number) else {
            throw .validation(
                "1 validation error detected. Value at '/\(name)' failed to satisfy constraint: Member must be "
                    + "between \(range.lowerBound) and \(range.upperBound), inclusive")
        }
        return number
    }

    func bool(_ name: String) -> Bool { body[name]?.bool ?? false }

    /// The bucket name (or the bucket in `vectorBucketArn` / `indexArn`), validated.
    func bucketName() throws(S3VectorsError) -> String {
        let name: String
        if let direct = body["vectorBucketName"]?.string {
            name = direct
        } else if let arn = body["vectorBucketArn"]?.string ?? body["indexArn"]?.string,
            let range = arn.range(of: ":bucket/")
        {
            name = String(arn[range.upperBound...].prefix { $0 != "/" })
        } else {
            throw .validation("Member vectorBucketName is required")
        }
        guard Self.validName(name, dots: false) else {
            throw .validation("Invalid vector bucket name: 3-63 lowercase letters, numbers and hyphens")
        }
        return name
    }

    /// The index name (or the index in `indexArn`), validated.
    func indexName() throws(S3VectorsError) -> String {
        let name: String
        if let direct = body["indexName"]?.string {
            name = direct
        } else if let arn = body["indexArn"]?.string, let range = arn.range(of: "/index/") {
            name = String(arn[range.upperBound...])
        } else {
            throw .validation("Member indexName is required")
        }
        guard Self.validName(name, dots: true) else {
            throw .validation("Invalid index name: 3-63 lowercase letters, numbers, hyphens and dots")
        }
        return name
    }

    /// 3–63 characters of lowercase letters, digits, `-` (and `.`), starting and ending with a letter or digit.
    static func validName(_ name: String, dots: Bool) -> Bool {
        let bytes = Array(name.utf8)
        func alnum(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard (3...63).contains(bytes.count), alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || (dots && $0 == UInt8(ascii: ".")) }
    }

    /// `{"float32": [...]}` of `dimension` finite numbers (any length when nil).
    static func vectorData(
        _ value: S3VectorsJSON?, dimension: Int?, what: String
    ) throws(S3VectorsError) -> [Float] {
        guard let list = value?["float32"]?.array else { throw .validation("\(what): data.float32 is required") }
        var floats: [Float] = []
        floats.reserveCapacity(list.count)
        for item in list {
            guard let number = item.number, Float(number).isFinite else {
                throw .validation("\(what): vector values must be finite numbers")
            }
            floats.append(Float(number))
        }
        if let dimension, floats.count != dimension {
            throw .validation("\(what): vector must have length \(dimension), but has length \(floats.count)")
        }
        return floats
    }
}
