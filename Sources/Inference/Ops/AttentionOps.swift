// _Attention: the fused softmax attention that GraphOptimizer.fuseAttention makes of
// MatMul -> Softmax (last axis) -> MatMul (kernel: Kernels/Attention.swift).
// Inputs q, k, v, each 3-D with the same batch; attributes _transQ, _transK, _transV, _form.
//   q [B, N, d] (or [B, d, N])   k [B, d, M] (or [B, M, d])
//   _form 0: v [B, c, M] -> y [B, c, N]     _form 1: v [B, M, c] (or [B, c, M]) -> y [B, N, c]

func compileAttention(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(3)
    let qs = ctx.shape(0), ks = ctx.shape(1), vs = ctx.shape(2)
    guard qs.count == 3, ks.count == 3, vs.count == 3, qs[0] == ks[0], ks[0] == vs[0] else {
        throw ctx.fail("3-D q, k, v with one batch size", "\(qs), \(ks), \(vs)")
    }
    var s = AttentionShape(n: 0, m: 0, d: 0, c: 0)
    s.transQ = ctx.node.int("_transQ", 0) != 0
    s.transK = ctx.node.int("_transK", 0) != 0
    s.transV = ctx.node.int("_transV", 0) != 0
    guard let form = AttentionShape.Form(rawValue: ctx.node.int("_form", 0)) else {
        throw ctx.fail("_form 0 or 1", "\(ctx.node.int("_form", 0))")
    }
    s.form = form
    s.n = s.transQ ? qs[2] : qs[1]
    s.d = s.transQ ? qs[1] : qs[2]
    s.m = s.transK ? ks[1] : ks[2]
    let vKeys: Int
    switch form {
    case .valuesByScores: s.c = vs[1]; vKeys = vs[2]
    case .scoresByValues: s.c = s.transV ? vs[1] : vs[2]; vKeys = s.transV ? vs[2] : vs[1]
    }
    guard (s.transK ? ks[2] : ks[1]) == s.d, vKeys == s.m, s.n > 0, s.m > 0 else {
        throw ctx.fail("q, k, v agreeing on depth \(s.d) and \(s.m) keys", "\(qs), \(ks), \(vs)")
    }
    let batch = qs[0], threads = ctx.threads
    let outShape = form == .valuesByScores ? [batch, s.c, s.n] : [batch, s.n, s.c]
    let flops = batch * (2 * s.n * s.m * s.d + 4 * s.n * s.m + 2 * s.n * s.m * s.c)
    return CompiledOp(outShapes: [outShape], scratchCount: threads * s.rows * s.m, flops: flops) { ins, outs, scratch in
        for b in 0..<batch {
            attention(s, ins[0] + b * s.qCount, ins[1] + b * s.kCount, ins[2] + b * s.vCount, outs[0] + b * s.yCount,
                      scratch: scratch, threads: threads)
        }
    }
}
