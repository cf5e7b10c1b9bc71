/// The binary header block of an event-stream message: `name length (u8) | name | type (u8) | value`, repeated.
enum EventStreamHeaderCodec {
    static func decode(_ bytes: ArraySlice<UInt8>) throws(EventStreamError) -> EventStreamHeaders {
        var reader = Reader(bytes: bytes)
        var headers: [EventStreamHeaders.Header] = []
        var names: Set<String> = []
        while !reader.isAtEnd {
            let nameLength = Int(try reader.byte())
            guard nameLength > 0 else { throw .malformedHeader("empty name") }
            let name = try reader.text(count: nameLength, what: "name")
            let type = try reader.byte()
            let value: EventStreamHeaderValue
            switch type {
            case 0: value = .bool(true)
            case 1: value = .bool(false)
            case 2: value = .byte(Int8(bitPattern: try reader.byte()))
            case 3: value = .short(Int16(bitPattern: UInt16(try reader.integer(bytes: 2))))
            case 4: value = .int(Int32(bitPattern: UInt32(try reader.integer(bytes: 4))))
            case 5: value = .long(Int64(bitPattern: try reader.integer(bytes: 8)))
            case 6: value = .bytes(try reader.bytes(count: Int(try reader.integer(bytes: 2))))
            case 7: value = .string(try reader.text(count: Int(try reader.integer(bytes: 2)), what: "string value"))
            case 8: value = .timestamp(Int64(bitPattern: try reader.integer(bytes: 8)))
            case 9:
                let high = try reader.integer(bytes: 8)
                let low = try reader.integer(bytes: 8)
                value = .uuid(UInt128(high) << 64 | UInt128(low))
            default: throw .unknownHeaderType(type)
            }
            guard names.insert(name).inserted else { throw .duplicateHeader(name) }
            headers.append(EventStreamHeaders.Header(name: name, value: value))
        }
        return EventStreamHeaders(headers)
    }

    static func encode(_ headers: EventStreamHeaders, into out: inout [UInt8]) throws(EventStreamError) {
        for header in headers {
            let name = Array(header.name.utf8)
            guard !name.isEmpty, name.count <= 255 else {
                throw .malformedHeader("name must be 1 to 255 bytes")
            }
            out.append(UInt8(name.count))
            out += name
            out.append(header.value.typeID)
            switch header.value {
            case .bool: break
            case .byte(let value): out.append(UInt8(bitPattern: value))
            case .short(let value): append(UInt64(UInt16(bitPattern: value)), bytes: 2, to: &out)
            case .int(let value): append(UInt64(UInt32(bitPattern: value)), bytes: 4, to: &out)
            case .long(let value), .timestamp(let value): append(UInt64(bitPattern: value), bytes: 8, to: &out)
            case .bytes(let value): try appendCounted(value, to: &out)
            case .string(let value): try appendCounted(Array(value.utf8), to: &out)
            case .uuid(let value):
                append(UInt64(truncatingIfNeeded: value >> 64), bytes: 8, to: &out)
                append(UInt64(truncatingIfNeeded: value), bytes: 8, to: &out)
            }
        }
    }

    static func append(_ value: UInt64, bytes: Int, to out: inout [UInt8]) {
        for index in stride(from: bytes - 1, through: 0, by: -1) {
            out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))))
        }
    }

    static func appendCounted(_ value: [UInt8], to out: inout [UInt8]) throws(EventStreamError) {
        guard value.count <= Int(UInt16.max) else { throw .malformedHeader("value longer than 65535 bytes") }
        append(UInt64(value.count), bytes: 2, to: &out)
        out += value
    }

    struct Reader {
        let bytes: ArraySlice<UInt8>
        var offset: Int

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            self.offset = bytes.startIndex
        }

        var isAtEnd: Bool { offset >= bytes.endIndex }

        mutating func byte() throws(EventStreamError) -> UInt8 {
            guard offset < bytes.endIndex else { throw .malformedHeader("header runs past the header block") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func integer(bytes count: Int) throws(EventStreamError) -> UInt64 {
            var value: UInt64 = 0
            for _ in 0..<count { value = value << 8 | UInt64(try byte()) }
            return value
        }

        mutating func bytes(count: Int) throws(EventStreamError) -> [UInt8] {
            guard count <= bytes.endIndex - offset else { throw .malformedHeader("header runs past the header block") }
            defer { offset += count }
            return Array(bytes[offset..<(offset + count)])
        }

        mutating func text(count: Int, what: String) throws(EventStreamError) -> String {
            let raw = try bytes(count: count)
            guard let text = String(validating: raw, as: UTF8.self) else {
                throw .malformedHeader("\(what) is not valid UTF-8")
            }
            return text
        }
    }
}
