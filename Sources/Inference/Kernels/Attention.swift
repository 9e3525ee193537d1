// Attention: softmax attention over blocks of query rows, so the N x M score matrix is never
// stored whole. TwinLiteNet's position attention has N = M = 3600: unfused, a MatMul writes 52 MB
// of scores, Softmax reads and writes them, the next MatMul reads them again (39 ms of its 126
// at 1 thread; fused 25 ms, 12 with the AVX-512 softmax rows). Per block of `rows` queries, in
// one worker's scratch (rows x M floats):
//   E = Q[i0..<i1] K                          [rows, M]   (sgemm, one thread)
//   E = softmax over each row of E           (softmaxRowFast)
//   .valuesByScores: Y[:, i0..<i1] = V E^T   V [c, M], Y [c, N]   (TwinLiteNet: V S^T)
//   .scoresByValues: Y[i0..<i1, :] = E V     V [M, c] (or [c, M] with transV), Y [N, c]
// One batch: Q [N, d] (or [d, N] with transQ), K [d, M] (or [M, d] with transK).
// Twin: `attentionReference`. Blocks depend only on the shape: 1 and 2 threads give identical results.

import CBLAS
import Foundation

struct AttentionShape: Equatable {
    enum Form: Int { case valuesByScores = 0, scoresByValues = 1 }
    var n: Int, m: Int, d: Int, c: Int   // queries, keys, query/key depth, value channels
    var transQ = false, transK = false, transV = false
    var form = Form.valuesByScores

    /// Query rows per block: about 128 KiB of scores, a multiple of 8 from 8 to 64 (TwinLiteNet, 3600
    /// keys, 1 core: 8 rows 25.0 ms, 16 rows 30.4, 64 rows 29.5; minimum over 10 runs).
    var rows: Int { min(n, max(8, min(64, 32768 / max(m, 1) / 8 * 8))) }
    var blocks: Int { (n + rows - 1) / rows }
    var qCount: Int { n * d }
    var kCount: Int { d * m }
    var vCount: Int { c * m }
    var yCount: Int { n * c }
}

/// Y = attention(Q, K, V) for one batch; `scratch` holds `threads` x rows x m floats.
func attention(_ s: AttentionShape, _ q: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ v: UnsafePointer<Float>,
               _ y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int) {
    let rows = s.rows
    Parallel.tasks(s.blocks, threads: threads) { worker, lo, hi in
        let e = scratch + worker * rows * s.m
        for blk in lo..<hi {
            let i0 = blk * rows, r = min(rows, s.n - i0)
            cblas_sgemm(CblasRowMajor, s.transQ ? CblasTrans : CblasNoTrans, s.transK ? CblasTrans : CblasNoTrans,
                        Int32(r), Int32(s.m), Int32(s.d), 1, s.transQ ? q + i0 : q + i0 * s.d, Int32(s.transQ ? s.n : s.d),
                        k, Int32(s.transK ? s.d : s.m), 0, e, Int32(s.m))
            for i in 0..<r { softmaxRowFast(e + i * s.m, e + i * s.m, s.m) }
            switch s.form {
            case .valuesByScores:
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(s.c), Int32(r), Int32(s.m), 1,
                            v, Int32(s.m), e, Int32(s.m), 0, y + i0, Int32(s.n))
            case .scoresByValues:
                cblas_sgemm(CblasRowMajor, CblasNoTrans, s.transV ? CblasTrans : CblasNoTrans, Int32(r), Int32(s.c),
                            Int32(s.m), 1, e, Int32(s.m), v, Int32(s.transV ? s.m : s.c), 0, y + i0 * s.c, Int32(s.c))
            }
        }
    }
}

/// Naive twin: the whole score matrix, one value at a time, in Double.
func attentionReference(_ s: AttentionShape, _ q: [Float], _ k: [Float], _ v: [Float]) -> [Float] {
    func qv(_ i: Int, _ t: Int) -> Double { Double(s.transQ ? q[t * s.n + i] : q[i * s.d + t]) }
    func kv(_ t: Int, _ j: Int) -> Double { Double(s.transK ? k[j * s.d + t] : k[t * s.m + j]) }
    func vv(_ ch: Int, _ j: Int) -> Double {   // value channel ch of key j
        switch s.form {
        case .valuesByScores: return Double(v[ch * s.m + j])
        case .scoresByValues: return Double(s.transV ? v[ch * s.m + j] : v[j * s.c + ch])
        }
    }
    var y = [Float](repeating: 0, count: s.yCount)
    for i in 0..<s.n {
        let e = (0..<s.m).map { j in (0..<s.d).reduce(0.0) { $0 + qv(i, $1) * kv($1, j) } }
        let top = e.max() ?? 0
        let p = e.map { Foundation.exp($0 - top) }
        let total = p.reduce(0, +)
        for ch in 0..<s.c {
            let out = Float((0..<s.m).reduce(0.0) { $0 + p[$1] / total * vv(ch, $1) })
            switch s.form {
            case .valuesByScores: y[ch * s.n + i] = out
            case .scoresByValues: y[i * s.c + ch] = out
            }
        }
    }
    return y
}
