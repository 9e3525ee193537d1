import CKernels
import Foundation

// FastMath: a vectorisable exp for Softmax (glibc's expf is a scalar call).
// exp(x) = 2^n * p(r), n = round(x / ln2), r = x - n ln2 in [-0.35, 0.35], p the degree-6
// Taylor polynomial: relative error below 2e-7 (checked against expf in the tests).

/// exp(x): 0 below -87.3 (where expf turns denormal), saturates at exp(88.3) above 88.3.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    let xc = min(max(x, -87.3), 88.3)
    // round to nearest with the 1.5 * 2^23 trick (plain SSE2, vectorises)
    let n = (xc * 1.442695041 + 12582912.0) - 12582912.0
    let r = (xc - n * 0.693359375) - n * -2.12194440e-4
    var p: Float = 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let scale = Float(bitPattern: UInt32(bitPattern: (Int32(n) &+ 127) << 23))
    return x < -87.3 ? 0 : p * scale
}

/// Eight lanes of `fastExp` (same arithmetic; 2^n built from the rounding constant's bits).
@inline(__always)
func fastExp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // (mask selects: the generic clamped/pointwiseMax are not inlined)
    var xc = x
    xc.replace(with: -87.3, where: x .< -87.3)
    xc.replace(with: 88.3, where: x .> 88.3)
    let t = xc * 1.442695041 + 12582912.0
    let n = t - 12582912.0
    let r = (xc - n * 0.693359375) - n * -2.12194440e-4
    var p = SIMD8<Float>(repeating: 1.0 / 720)
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let ni = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let scale = unsafeBitCast((ni &+ 127) &<< 23, to: SIMD8<Float>.self)
    var res = p * scale
    res.replace(with: 0, where: x .< -87.3)
    return res
}

/// Whether softmax rows take the AVX-512 kernel (CKernels/softmax.c); DRIVEPIPE_ISA lowers it like the convs.
let softmaxAVX512 = DirectConv.isa == Int32(CK_ISA_AVX512)

/// Softmax of one contiguous row: the 16-lane AVX-512 kernel where the CPU has it (TwinLiteNet's
/// 3600 x 3600 attention scores: about 16 -> 5 ms), else `softmaxRow` (its twin; `dst` may be `src`).
@inline(__always)
func softmaxRowFast(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    if softmaxAVX512 { ck_softmax_row_avx512(src, dst, Int32(n)) } else { softmaxRow(src, dst, n, log: false) }
}

/// In-place softmax of one contiguous row of `n` floats read from `src` into `dst`
/// (max, exp and sum, scale: eight lanes at a time).
@inline(__always)
func softmaxRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, log: Bool) {
    let v = n / 8 * 8
    var m8 = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    while i < v {
        let x = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
        m8.replace(with: x, where: x .> m8)
        i += 8
    }
    var m = m8.max()
    for k in v..<n { m = max(m, src[k]) }
    var s8 = SIMD8<Float>(repeating: 0)
    i = 0
    while i < v {
        let e = fastExp8(UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self) - m)
        UnsafeMutableRawPointer(dst + i).storeBytes(of: e, as: SIMD8<Float>.self)
        s8 += e
        i += 8
    }
    var sum = s8.sum()
    for k in v..<n { let e = fastExp(src[k] - m); dst[k] = e; sum += e }
    if log {
        let ls = logf(sum)
        for k in 0..<n { dst[k] = src[k] - m - ls }
    } else {
        let inv = 1 / sum
        for k in 0..<n { dst[k] *= inv }
    }
}
