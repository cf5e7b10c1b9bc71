import Synchronization

/// The standard library's cryptographic random source (`getrandom` on Linux, `arc4random_buf` on Darwin), which
/// `SystemRandomNumberGenerator` calls for 8 bytes at a time.
@_silgen_name("swift_stdlib_random")
private func stdlibRandom(_ buffer: UnsafeMutableRawPointer, _ count: Int)

/// Random bytes from that source, read 4 KiB at a time: an identifier then costs no system call (one per 8 bytes
/// was a percent of a proxied request's CPU). Bytes handed out are dropped from the pool, never reused.
enum SecureRandom {
    static let pool = Mutex<(bytes: [UInt8], next: Int)>(([UInt8](repeating: 0, count: 4096), 4096))

    static func fill(_ bytes: inout [UInt8]) {
        guard bytes.count <= 1024 else {
            bytes.withUnsafeMutableBytes { buffer in
                if let base = buffer.baseAddress { stdlibRandom(base, buffer.count) }
            }
            return
        }
        pool.withLock { pool in
            if pool.next + bytes.count > pool.bytes.count {
                pool.bytes.withUnsafeMutableBytes { buffer in stdlibRandom(buffer.baseAddress!, buffer.count) }
                pool.next = 0
            }
            for index in bytes.indices {
                bytes[index] = pool.bytes[pool.next + index]
                pool.bytes[pool.next + index] = 0
            }
            pool.next += bytes.count
        }
    }
}
