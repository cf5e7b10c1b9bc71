/// Minimal RIFF/WAVE PCM: writing silence (the mock's speech) and reading a file's duration (the mock's
/// transcripts).
public enum WAVAudio {
    /// A 16-bit mono PCM WAV file of `samples` zero samples at `sampleRate`.
    public static func silence(samples: Int, sampleRate: Int = 8000) -> [UInt8] {
        let dataBytes = samples * 2
        var out: [UInt8] = []
        out.reserveCapacity(44 + dataBytes)
        func u32(_ value: Int) {
            for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: value >> shift)) }
        }
        func u16(_ value: Int) {
            out.append(UInt8(truncatingIfNeeded: value)); out.append(UInt8(truncatingIfNeeded: value >> 8))
        }
        out.append(contentsOf: "RIFF".utf8)
        u32(36 + dataBytes)
        out.append(contentsOf: "WAVEfmt ".utf8)
        u32(16)
        u16(1)  // PCM
        u16(1)  // mono
        u32(sampleRate)
        u32(sampleRate * 2)  // byte rate
        u16(2)  // block align
        u16(16)  // bits per sample
        out.append(contentsOf: "data".utf8)
        u32(dataBytes)
        out.append(contentsOf: repeatElement(0, count: dataBytes))
        return out
    }

    /// The duration in seconds of a PCM WAV file, or nil if `bytes` is not one.
    /// `size`: the whole file's size when `bytes` is only its beginning (a spooled upload's head).
    public static func duration(of bytes: [UInt8], size total: Int? = nil) -> Double? {
        guard bytes.count >= 12, Array(bytes[0..<4]) == Array("RIFF".utf8), Array(bytes[8..<12]) == Array("WAVE".utf8)
        else { return nil }
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        var position = 12
        var byteRate: Int?
        while position + 8 <= bytes.count {
            let id = String(decoding: bytes[position..<position + 4], as: UTF8.self)
            let size = u32(position + 4)
            if id == "fmt " && position + 20 <= bytes.count { byteRate = u32(position + 16) }
            if id == "data", let byteRate, byteRate > 0 {
                return Double(min(size, (total ?? bytes.count) - position - 8)) / Double(byteRate)
            }
            position += 8 + size + (size & 1)
        }
        return nil
    }
}
