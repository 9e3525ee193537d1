// MatMul (NumPy semantics: batched, broadcast batch axes, 1-D promotion) and Gemm
// (alpha, beta, transA, transB, broadcast C, fused activation), both via cblas_sgemm.

import CBLAS

/// MatMul; the optimiser may set internal attributes `_transA` / `_transB` when it folded a
/// Transpose of the last two axes into this node (the input is then stored transposed).
func compileMatMul(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(2)
    let ta = ctx.node.int("_transA", 0) != 0, tb = ctx.node.int("_transB", 0) != 0
    var a = ctx.shape(0), b = ctx.shape(1)
    if ta { a.swapAt(a.count - 1, a.count - 2) }
    if tb { b.swapAt(b.count - 1, b.count - 2) }
    guard !a.isEmpty, !b.isEmpty else { throw ctx.fail("non-scalar operands", "\(a) x \(b)") }
    let aVec = a.count == 1, bVec = b.count == 1
    if aVec { a = [1, a[0]] }
    if bVec { b = [b[0], 1] }
    let m = a[a.count - 2], k = a[a.count - 1], k2 = b[b.count - 2], n = b[b.count - 1]
    guard k == k2 else { throw ctx.fail("inner dimensions equal", "\(ctx.shape(0)) x \(ctx.shape(1))") }
    let aBatch = Array(a.dropLast(2)), bBatch = Array(b.dropLast(2))
    guard let batch = broadcastShapes(aBatch, bBatch) else {
        throw ctx.fail("broadcastable batch axes", "\(aBatch) and \(bBatch)")
    }
    var outShape = batch + [m, n]
    if aVec { outShape.remove(at: outShape.count - 2) }
    if bVec { outShape.removeLast() }
    let nb = product(batch)
    // per-batch operand offsets (in matrices)
    let bs = batch.isEmpty ? [1] : batch
    let aOff = StridedPlan(outShape: bs + [1], srcStrides: broadcastStrides(aBatch.isEmpty ? [1] : aBatch, to: bs) + [0]).offsets
    let bOff = StridedPlan(outShape: bs + [1], srcStrides: broadcastStrides(bBatch.isEmpty ? [1] : bBatch, to: bs) + [0]).offsets
    let threads = ctx.threads
    let lda = ta ? m : k, ldb = tb ? k : n
    return CompiledOp(outShapes: [outShape], flops: 2 * nb * m * n * k) { ins, outs, _ in
        for i in 0..<nb {
            gemm(transA: ta, transB: tb, m: m, n: n, k: k, ins[0] + aOff[i] * m * k, lda: lda,
                 ins[1] + bOff[i] * k * n, ldb: ldb, outs[0] + i * m * n, ldc: n, threads: threads)
        }
    }
}

func compileGemm(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(2)
    let a = ctx.shape(0), b = ctx.shape(1)
    guard a.count == 2, b.count == 2 else { throw ctx.fail("2-D A and B", "\(a), \(b)") }
    let ta = ctx.node.int("transA", 0) != 0, tb = ctx.node.int("transB", 0) != 0
    let m = ta ? a[1] : a[0], k = ta ? a[0] : a[1]
    let kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1]
    guard k == kb else { throw ctx.fail("inner dimensions equal", "A \(a) (transA \(ta)) B \(b) (transB \(tb))") }
    let alpha = ctx.node.float("alpha", 1), beta = ctx.node.float("beta", 1)
    let hasC = ctx.has(2) && beta != 0
    var cPlan: StridedPlan? = nil
    if hasC {
        let cs = ctx.shape(2)
        guard broadcastShapes(cs, [m, n]) == [m, n] else { throw ctx.fail("C broadcastable to [\(m), \(n)]", "\(cs)") }
        cPlan = StridedPlan(outShape: [m, n], srcStrides: broadcastStrides(cs.isEmpty ? [1] : cs, to: [m, n]))
    }
    let act = ctx.node.activation
    return CompiledOp(outShapes: [[m, n]], flops: 2 * m * n * k) { ins, outs, _ in
        let y = outs[0]
        if let cPlan {
            cPlan.gather(ins[2], y)
            if beta != 1 { for i in 0..<(m * n) { y[i] *= beta } }
        }
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, ins[0], Int32(a[1]), ins[1], Int32(b[1]),
                    hasC ? 1 : 0, y, Int32(n))
        if act != .none {
            // Gemm's output channel is its column: apply per element for per-channel PRelu
            if case .prelu = act {
                for r in 0..<m { for j in 0..<n { y[r * n + j] = act.reference(y[r * n + j], channel: j) } }
            } else {
                act.apply(y, m * n, channel: 0)
            }
        }
    }
}
