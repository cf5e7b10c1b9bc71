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
        bytes.withUnsafeMutableBytes { fill($0) }
    }

    static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        guard buffer.count <= 1024 else {
            stdlibRandom(base, buffer.count)
            return
        }
        pool.withLock { pool in
            if pool.next + buffer.count > pool.bytes.count {
                pool.bytes.withUnsafeMutableBytes { all in stdlibRandom(all.baseAddress!, all.count) }
                pool.next = 0
            }
            let next = pool.next
            pool.bytes.withUnsafeMutableBytes { all in
                let taken = UnsafeMutableRawBufferPointer(rebasing: all[next..<next + buffer.count])
                buffer.copyMemory(from: UnsafeRawBufferPointer(taken))
                taken.initializeMemory(as: UInt8.self, repeating: 0)
            }
            pool.next += buffer.count
        }
    }
}
