// Activations: applied in place to a row of one channel (fused into Conv/Gemm) or to a
// whole tensor (standalone ops). `apply` is the fast path; `reference` the naive twin.

import Foundation

extension Activation {
    /// Applies the activation in place to `n` floats of output channel `channel`.
    @inline(__always)
    func apply(_ p: UnsafeMutablePointer<Float>, _ n: Int, channel: Int) {
        switch self {
        case .none: return
        case .relu:
            for i in 0..<n { p[i] = max(p[i], 0) }
        case let .leakyRelu(a):
            for i in 0..<n { let v = p[i]; p[i] = v < 0 ? v * a : v }
        case let .clip(lo, hi):
            for i in 0..<n { p[i] = min(max(p[i], lo), hi) }
        case .sigmoid:
            // eight lanes at a time through the polynomial exp (glibc's expf is a scalar call:
            // 0.25 ms for the student's 4 x 72 x 128 heatmap); the tail one by one
            var i = 0
            while i + 8 <= n {
                let raw = UnsafeMutableRawPointer(p + i)
                raw.storeBytes(of: logistic8(raw.loadUnaligned(as: SIMD8<Float>.self)), as: SIMD8<Float>.self)
                i += 8
            }
            while i < n { p[i] = logistic(p[i]); i += 1 }
        case .tanh:
            for i in 0..<n { p[i] = Foundation.tanh(p[i]) }
        case let .hardSigmoid(a, b):
            for i in 0..<n { p[i] = min(max(a * p[i] + b, 0), 1) }
        case .hardSwish:
            for i in 0..<n { let v = p[i]; p[i] = v * min(max(v / 6 + 0.5, 0), 1) }
        case let .prelu(slopes):
            let a = slopes.count == 1 ? slopes[0] : slopes[channel]
            for i in 0..<n { let v = p[i]; p[i] = v < 0 ? v * a : v }
        }
    }

    /// Naive twin: one value at a time.
    func reference(_ v: Float, channel: Int) -> Float {
        switch self {
        case .none: return v
        case .relu: return v > 0 ? v : 0
        case let .leakyRelu(a): return v >= 0 ? v : a * v
        case let .clip(lo, hi): return Swift.min(Swift.max(v, lo), hi)
        case .sigmoid: return 1 / (1 + Foundation.exp(-v))
        case .tanh: return Foundation.tanh(v)
        case let .hardSigmoid(a, b): return Swift.max(0, Swift.min(1, a * v + b))
        case .hardSwish: return v * Swift.max(0, Swift.min(1, v / 6 + 0.5))
        case let .prelu(s): return v >= 0 ? v : v * (s.count == 1 ? s[0] : s[channel])
        }
    }
}

/// Numerically stable logistic function.
@inline(__always) func logistic(_ x: Float) -> Float {
    if x >= 0 {
        return 1 / (1 + expf(-x))
    } else {
        let e = expf(x)
        return e / (1 + e)
    }
}

/// Eight lanes of the logistic function, 1 / (1 + exp(-x)) through `fastExp8` (relative error
/// of exp below 2e-7; exp(-x) saturates at exp(88.3) for x < -88.3, giving about 5e-39 for 0).
@inline(__always) func logistic8(_ x: SIMD8<Float>) -> SIMD8<Float> {
    1 / (1 + fastExp8(-x))
}
