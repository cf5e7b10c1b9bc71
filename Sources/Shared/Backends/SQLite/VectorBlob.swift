import NIOCore

/// A vector as a SQLite BLOB: its floats as little-endian IEEE 754 single precision, 4 bytes each.
enum VectorBlob {
    static func encode(_ vector: [Float]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: vector.count * MemoryLayout<Float>.size)
        #if _endian(little)
            vector.withUnsafeBytes { _ = buffer.writeBytes($0) }
        #else
            for value in vector { buffer.writeInteger(value.bitPattern, endianness: .little) }
        #endif
        return buffer
    }

    /// Decodes `buffer` into `destination`; false when its length is not `destination.count` floats.
    static func decode(_ buffer: ByteBuffer, into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        buffer.withUnsafeReadableBytes { bytes in
            guard bytes.count == destination.count * MemoryLayout<Float>.size else { return false }
            UnsafeMutableRawBufferPointer(destination).copyMemory(from: bytes)
            #if !_endian(little)
                for index in destination.indices {
                    destination[index] = Float(bitPattern: UInt32(littleEndian: destination[index].bitPattern))
                }
            #endif
            return true
        }
    }
}
