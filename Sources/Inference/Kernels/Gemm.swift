// Gemm: row-major sgemm through OpenBLAS (run single-threaded), parallelised here by
// splitting the columns of C into chunks whose count depends only on the problem size, so
// 1 and 2 threads execute identical sgemm calls (bit-identical results).
//   C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C   (op: optional transpose)

import CBLAS

/// Column chunks for a GEMM with `n` columns: 1 below 1024 columns, else an even count of
/// chunks of at least 512 columns (at most 8), widths multiples of 16.
@inline(__always)
func gemmColumnChunks(_ n: Int) -> Int {
    if n < 1024 { return 1 }
    return min(8, (n / 512) & ~1)
}

@inline(__always)
func chunkRange(_ i: Int, of count: Int, total n: Int) -> (Int, Int) {
    if count == 1 { return (0, n) }
    let w = ((n + count - 1) / count + 15) & ~15
    let lo = min(n, i * w), hi = min(n, (i + 1) * w)
    return (lo, hi)
}

/// C = alpha * op(A) * B + beta * C, then `epilogue(col0, col1)` on each finished column
/// chunk (bias/activation while it is in cache).
func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
          _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
          _ c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
          epilogue: ((Int, Int) -> Void)? = nil) {
    let chunks = gemmColumnChunks(n)
    Parallel.chunks(chunks, threads: threads) { lo, hi in
        for i in lo..<hi {
            let (c0, c1) = chunkRange(i, of: chunks, total: n)
            if c1 <= c0 { continue }
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(c1 - c0), Int32(k), alpha, a, Int32(lda), transB ? b + c0 * ldb : b + c0, Int32(ldb),
                        beta, c + c0, Int32(ldc))
            epilogue?(c0, c1)
        }
    }
}
