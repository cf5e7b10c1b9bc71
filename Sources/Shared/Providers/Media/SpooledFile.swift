#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Upload content kept in a temporary file instead of memory: the file is unlinked as soon as it is created (so it
/// disappears with its last descriptor, even after a crash) and read back with `pread`, any number of times (a
/// fallback target re-sends it). A thin wrapper of a file descriptor: immutable once written, and `pread` does not
/// move a shared offset, so concurrent readers are safe.
///
/// Reads and writes are blocking system calls on the calling thread; they hit the page cache (uploads are at most
/// tens of MiB, in 64 KiB steps), which takes microseconds.
public final class SpooledFile: Sendable {
    let descriptor: Int32
    /// Bytes in the file.
    public let length: Int

    init(descriptor: Int32, length: Int) {
        self.descriptor = descriptor
        self.length = length
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes from `offset`.
    public func read(offset: Int, count: Int) throws(SpoolError) -> [UInt8] {
        let wanted = max(0, min(count, length - offset))
        var bytes = [UInt8](repeating: 0, count: wanted)
        var done = 0
        while done < wanted {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + done, wanted - done, off_t(offset + done))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw SpoolError("cannot read the spooled upload (errno \(errno))") }
            done += got
        }
        return bytes
    }
}

/// Why spooling failed (the disk is full, the temporary directory is not writable…).
public struct SpoolError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Writes one `SpooledFile`; closes its descriptor if dropped before `finish` (an upload that failed midway).
final class SpoolWriter {
    let descriptor: Int32
    private(set) var length = 0
    private var finished = false

    /// A new, already unlinked, file in `directory`.
    init(directory: String) throws(SpoolError) {
        var template = Array((directory + "/switchboard-upload-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw SpoolError("cannot create a temporary file in \(directory) (errno \(errno))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
    }

    deinit { if !finished { close(descriptor) } }

    func write(_ bytes: some Collection<UInt8>) throws(SpoolError) {
        let descriptor = self.descriptor
        let written =
            bytes.withContiguousStorageIfAvailable { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes { writeAll(descriptor, $0) }
        guard written else { throw SpoolError("cannot write the upload to a temporary file (errno \(errno))") }
        length += bytes.count
    }

    /// The written file, for reading; the writer must not be used afterwards.
    func finish() -> SpooledFile {
        finished = true
        return SpooledFile(descriptor: descriptor, length: length)
    }
}

private func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
    var done = 0
    while done < buffer.count {
        let wrote = write(descriptor, buffer.baseAddress! + done, buffer.count - done)
        if wrote < 0 && errno == EINTR { continue }
        guard wrote > 0 else { return false }
        done += wrote
    }
    return true
}

extension SpooledFile: Equatable {
    /// The same file (identity).
    public static func == (lhs: SpooledFile, rhs: SpooledFile) -> Bool { lhs === rhs }
}
