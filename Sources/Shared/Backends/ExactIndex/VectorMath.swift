/// The arithmetic of exact cosine search: dot products over contiguous rows and L2 normalisation.
enum VectorMath {
    /// The dot product of `count` floats at `a` and `b`: four 8-lane accumulators (32 floats per step), then
    /// the remainder one lane at a time.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        let lane = MemoryLayout<SIMD8<Float>>.stride
        var sum0 = SIMD8<Float>()
        var sum1 = SIMD8<Float>()
        var sum2 = SIMD8<Float>()
        var sum3 = SIMD8<Float>()
        var offset = 0
        let blocks = count / 32 * 32 * MemoryLayout<Float>.stride
        while offset < blocks {
            sum0 +=
                rawA.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            sum1 +=
                rawA.loadUnaligned(fromByteOffset: offset + lane, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: offset + lane, as: SIMD8<Float>.self)
            sum2 +=
                rawA.loadUnaligned(fromByteOffset: offset + 2 * lane, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: offset + 2 * lane, as: SIMD8<Float>.self)
            sum3 +=
                rawA.loadUnaligned(fromByteOffset: offset + 3 * lane, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: offset + 3 * lane, as: SIMD8<Float>.self)
            offset += 4 * lane
        }
        var index = offset / MemoryLayout<Float>.stride
        let eights = count / 8 * 8
        while index < eights {
            sum0 +=
                rawA.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
            index += 8
        }
        var total = ((sum0 + sum1) + (sum2 + sum3)).sum()
        while index < count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }

    /// The dot product of `count` floats at `a` with `count` bfloat16 values at `b` (the upper halves of
    /// floats: widening one is a 16-bit shift, so this reads half the memory of `dot` at almost no extra work).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, bfloat16 b: UnsafePointer<UInt16>, count: Int) -> Float {
        let rawA = UnsafeRawPointer(a)
        let rawB = UnsafeRawPointer(b)
        var sum0 = SIMD8<Float>()
        var sum1 = SIMD8<Float>()
        var index = 0
        let blocks = count / 16 * 16
        while index < blocks {
            let low = rawB.loadUnaligned(fromByteOffset: index * 2, as: SIMD8<UInt16>.self)
            let high = rawB.loadUnaligned(fromByteOffset: index * 2 + 16, as: SIMD8<UInt16>.self)
            sum0 +=
                rawA.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
                * unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: low) &<< 16, to: SIMD8<Float>.self)
            sum1 +=
                rawA.loadUnaligned(fromByteOffset: index * 4 + 32, as: SIMD8<Float>.self)
                * unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: high) &<< 16, to: SIMD8<Float>.self)
            index += 16
        }
        var total = (sum0 + sum1).sum()
        while index < count {
            total += a[index] * Float(bitPattern: UInt32(b[index]) << 16)
            index += 1
        }
        return total
    }

    /// A float rounded to bfloat16 (to nearest, ties to even): its relative error is at most 2⁻⁹.
    @inline(__always)
    static func bfloat16(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// How far a bfloat16 dot product of two unit vectors can be from the exact one: each product's relative
    /// error is at most 2⁻⁹, so the sum's is at most 2⁻⁹ (Cauchy–Schwarz), plus float rounding of both sums.
    static let bfloat16DotError: Float = 1.0 / 512 + 2e-4

    /// Scales `vector` to length 1 in place; a zero vector stays zero (its cosine distance to anything is 1, as
    /// `CosineDistance` defines it).
    static func normalise(_ vector: UnsafeMutableBufferPointer<Float>) {
        guard let base = vector.baseAddress, !vector.isEmpty else { return }
        let norm = dot(base, base, count: vector.count).squareRoot()
        guard norm > 0, norm.isFinite else { return }
        let scale = 1 / norm
        for index in vector.indices { vector[index] *= scale }
    }

    /// A normalised copy.
    static func normalised(_ vector: [Float]) -> [Float] {
        var copy = vector
        copy.withUnsafeMutableBufferPointer { normalise($0) }
        return copy
    }
}
