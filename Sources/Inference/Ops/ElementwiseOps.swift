// Elementwise ops: unary activations, binary arithmetic with NumPy broadcasting, PRelu,
// Clip, BatchNormalization (inference form), Softmax.

import Foundation

/// Unary activations map directly to `Activation`.
func activationFor(_ node: Node, _ ctx: OpContext?) throws -> Activation? {
    switch node.op {
    case "Relu": return .relu
    case "LeakyRelu": return .leakyRelu(node.float("alpha", 0.01))
    case "Sigmoid": return .sigmoid
    case "Tanh": return .tanh
    case "HardSigmoid": return .hardSigmoid(node.float("alpha", 0.2), node.float("beta", 0.5))
    case "HardSwish": return .hardSwish
    case "Clip":
        var lo = node.float("min", -Float.greatestFiniteMagnitude)
        var hi = node.float("max", Float.greatestFiniteMagnitude)
        if let ctx {
            if ctx.has(1) { guard let c = ctx.optionalConst(1), c.count == 1 else { return nil }; lo = c.floats[0] }
            if ctx.has(2) { guard let c = ctx.optionalConst(2), c.count == 1 else { return nil }; hi = c.floats[0] }
        }
        return .clip(lo, hi)
    default: return nil
    }
}

func compileUnary(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    guard let act = try activationFor(ctx.node, ctx) else {
        throw ctx.unsupported("min/max must be constant scalars")
    }
    let shape = ctx.shape(0)
    let n = product(shape)
    let threads = ctx.threads
    return CompiledOp(outShapes: [shape], flops: n) { ins, outs, _ in
        Parallel.chunks(n, threads: threads, minChunk: 16384) { lo, hi in
            (outs[0] + lo).update(from: ins[0] + lo, count: hi - lo)
            act.apply(outs[0] + lo, hi - lo, channel: 0)
        }
    }
}

/// Binary elementwise ops with broadcasting: Add, Sub, Mul, Div, Pow, Max, Min, PRelu.
func compileBinary(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(2)
    let a = ctx.shape(0), b = ctx.shape(1)
    guard let out = broadcastShapes(a, b) else { throw ctx.fail("broadcastable shapes", "\(a) and \(b)") }
    let op = ctx.node.op
    let plan = BroadcastPlan(out: out, a: a, b: b)
    let threads = ctx.threads
    let intDiv = op == "Div" && ctx.optionalConst(0)?.ints != nil && ctx.optionalConst(1)?.ints != nil
    let code: BinaryOp
    switch op {
    case "Add", "Sum": code = .add
    case "Sub": code = .sub
    case "Mul": code = .mul
    case "Div" where intDiv: code = .intDiv
    case "Div": code = .div
    case "Pow": code = .pow
    case "Max": code = .max
    case "Min": code = .min
    case "PRelu": code = .prelu
    default: throw InferenceError.unsupportedOp(op: op, node: ctx.node.name)
    }
    return CompiledOp(outShapes: [out], flops: product(out)) { ins, outs, _ in
        plan.run(code, ins[0], ins[1], outs[0], threads: threads)
    }
}

/// The binary elementwise operations.
enum BinaryOp: Sendable {
    case add, sub, mul, div, intDiv, pow, max, min, prelu

    /// pz[j] = op(pa[j * sa], pb[j * sb]) for j in 0..<n (strides 0 or 1). Each case hands
    /// `binaryRow` a literal closure inside this plain function, so every op's loops are
    /// specialised and vectorised (a closure captured by a parallel chunk was not: the
    /// element call stayed indirect, 5x slower).
    func row(_ pa: UnsafePointer<Float>, _ sa: Int, _ pb: UnsafePointer<Float>, _ sb: Int,
             _ pz: UnsafeMutablePointer<Float>, _ n: Int) {
        switch self {
        case .add: binaryRow(pa, sa, pb, sb, pz, n) { $0 + $1 }
        case .sub: binaryRow(pa, sa, pb, sb, pz, n) { $0 - $1 }
        case .mul: binaryRow(pa, sa, pb, sb, pz, n) { $0 * $1 }
        case .div: binaryRow(pa, sa, pb, sb, pz, n) { $0 / $1 }
        case .intDiv: binaryRow(pa, sa, pb, sb, pz, n) { ($0 / $1).rounded(.towardZero) }
        case .pow: binaryRow(pa, sa, pb, sb, pz, n) { powf($0, $1) }
        case .max: binaryRow(pa, sa, pb, sb, pz, n) { Swift.max($0, $1) }
        case .min: binaryRow(pa, sa, pb, sb, pz, n) { Swift.min($0, $1) }
        case .prelu: binaryRow(pa, sa, pb, sb, pz, n) { $0 < 0 ? $0 * $1 : $0 }
        }
    }
}

/// One row of a broadcast binary op: operand strides 0 or 1.
@inline(__always)
func binaryRow(_ pa: UnsafePointer<Float>, _ sa: Int, _ pb: UnsafePointer<Float>, _ sb: Int,
               _ pz: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Float, Float) -> Float) {
    if sa == 1 && sb == 1 {
        for j in 0..<n { pz[j] = f(pa[j], pb[j]) }
    } else if sa == 1 {
        let v = pb[0]
        for j in 0..<n { pz[j] = f(pa[j], v) }
    } else if sb == 1 {
        let v = pa[0]
        for j in 0..<n { pz[j] = f(v, pb[j]) }
    } else {
        let v = f(pa[0], pb[0])
        for j in 0..<n { pz[j] = v }
    }
}

/// Broadcast loop plan: output as rows of `inner`; each operand steps 0 or 1 inside a row.
struct BroadcastPlan {
    var count: Int
    var same: Bool
    var a: StridedPlan
    var b: StridedPlan

    init(out: [Int], a aShape: [Int], b bShape: [Int]) {
        count = product(out)
        same = aShape == bShape
        // collapse to rank >= 1
        let o = out.isEmpty ? [1] : out
        let sa = aShape.isEmpty ? [1] : aShape, sb = bShape.isEmpty ? [1] : bShape
        a = StridedPlan(outShape: o, srcStrides: broadcastStrides(sa, to: o))
        b = StridedPlan(outShape: o, srcStrides: broadcastStrides(sb, to: o))
    }

    func run(_ op: BinaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
             threads: Int) {
        if same {
            Parallel.chunks(count, threads: threads, minChunk: 16384) { lo, hi in
                op.row(x + lo, 1, y + lo, 1, z + lo, hi - lo)
            }
            return
        }
        let inner = a.inner, sa = a.innerStride, sb = b.innerStride
        Parallel.chunks(a.offsets.count, threads: threads, minChunk: max(1, 16384 / max(inner, 1))) { lo, hi in
            for r in lo..<hi {
                op.row(x + a.offsets[r], sa, y + b.offsets[r], sb, z + r * inner, inner)
            }
        }
    }
}

/// BatchNormalization in inference form: y = (x - mean) / sqrt(var + eps) * scale + bias,
/// per channel (axis 1). Inputs 1...4 must be constant.
func compileBatchNorm(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(5)
    let xs = ctx.shape(0)
    guard xs.count >= 2 else { throw ctx.fail("input of rank >= 2", "\(xs)") }
    let c = xs[1]
    let (scale, shift) = try batchNormAffine(ctx, channels: c)
    let plane = product(xs[2...]), n = xs[0]
    let threads = ctx.threads
    let s = FloatStore(scale), t = FloatStore(shift)
    return CompiledOp(outShapes: [xs], flops: 2 * product(xs)) { ins, outs, _ in
        Parallel.chunks(n * c, threads: threads) { lo, hi in
            for p in lo..<hi {
                let ch = p % c
                let a = s.p[ch], b = t.p[ch]
                let src = ins[0] + p * plane, dst = outs[0] + p * plane
                for i in 0..<plane { dst[i] = src[i] * a + b }
            }
        }
    }
}

/// Per-channel (scale, shift) equivalent of a BatchNormalization node.
func batchNormAffine(_ ctx: OpContext, channels c: Int) throws -> ([Float], [Float]) {
    let gamma = try ctx.const(1, "scale"), beta = try ctx.const(2, "bias")
    let mean = try ctx.const(3, "mean"), variance = try ctx.const(4, "var")
    for (i, t) in [gamma, beta, mean, variance].enumerated() where t.count != c {
        throw ctx.fail("input \(i + 1) of \(c) values", "\(t.count)")
    }
    let eps = ctx.node.float("epsilon", 1e-5)
    var scale = [Float](repeating: 0, count: c), shift = scale
    for i in 0..<c {
        scale[i] = gamma.floats[i] / (variance.floats[i] + eps).squareRoot()
        shift[i] = beta.floats[i] - mean.floats[i] * scale[i]
    }
    return (scale, shift)
}

/// Softmax along one axis (opset 13 semantics); LogSoftmax too.
func compileSoftmax(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let xs = ctx.shape(0)
    let axis = try normAxis(ctx.node.int("axis", -1), xs.count, ctx)
    let outer = product(xs[..<axis]), len = xs[axis], inner = product(xs[(axis + 1)...])
    let log = ctx.node.op == "LogSoftmax"
    let threads = ctx.threads
    return CompiledOp(outShapes: [xs], flops: 4 * product(xs)) { ins, outs, _ in
        if inner == 1 {
            // rows are contiguous: three vectorisable passes per row
            Parallel.chunks(outer, threads: threads, minChunk: 8) { lo, hi in
                for o in lo..<hi {
                    if log { softmaxRow(ins[0] + o * len, outs[0] + o * len, len, log: true) }
                    else { softmaxRowFast(ins[0] + o * len, outs[0] + o * len, len) }
                }
            }
            return
        }
        Parallel.chunks(outer * inner, threads: threads, minChunk: 8) { lo, hi in
            for r in lo..<hi {
                let o = r / inner, i = r % inner
                let src = ins[0] + o * len * inner + i, dst = outs[0] + o * len * inner + i
                var m = -Float.infinity
                for k in 0..<len { m = max(m, src[k * inner]) }
                var sum: Float = 0
                for k in 0..<len { let e = fastExp(src[k * inner] - m); dst[k * inner] = e; sum += e }
                if log {
                    let ls = logf(sum)
                    for k in 0..<len { dst[k * inner] = src[k * inner] - m - ls }
                } else {
                    let inv = 1 / sum
                    for k in 0..<len { dst[k * inner] *= inv }
                }
            }
        }
    }
}

/// Other unary math: Exp, Log, Sqrt, Neg, Abs, Reciprocal, Erf, Floor, Ceil.
func compileMath(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let f: (Float) -> Float
    switch ctx.node.op {
    case "Exp": f = { expf($0) }
    case "Log": f = { logf($0) }
    case "Sqrt": f = { $0.squareRoot() }
    case "Neg": f = { -$0 }
    case "Abs": f = { abs($0) }
    case "Reciprocal": f = { 1 / $0 }
    case "Erf": f = { erff($0) }
    case "Floor": f = { $0.rounded(.down) }
    case "Ceil": f = { $0.rounded(.up) }
    default: throw InferenceError.unsupportedOp(op: ctx.node.op, node: ctx.node.name)
    }
    let shape = ctx.shape(0), n = product(shape), threads = ctx.threads
    return CompiledOp(outShapes: [shape], flops: n) { ins, outs, _ in
        Parallel.chunks(n, threads: threads, minChunk: 16384) { lo, hi in
            for i in lo..<hi { outs[0][i] = f(ins[0][i]) }
        }
    }
}
