// Transposed convolution kernels over NCHW buffers.
//   x: [n, c, h, w]   weight: [c, m/group, kh, kw]   bias: [m]   y: [n, m, oh, ow]
// where oh = sh*(h-1) + outPadH + (kh-1)*dh + 1 - padTop - padBottom.
// Fields of ConvGeometry keep their conv meaning seen from the output: (h, w) is the
// transposed op's input, (oh, ow) its output.

import CBLAS

/// Naive twin: scatter every input pixel through the kernel.
func convTransposeReference(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>,
                            _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, _ act: Activation) {
    let total = g.n * g.m * g.outPlane
    y.update(repeating: 0, count: total)
    for b in 0..<g.n {
        for ic in 0..<g.c {
            let grp = ic / g.cg
            for j in 0..<g.mg {
                let oc = grp * g.mg + j
                for iy in 0..<g.h {
                    for ix in 0..<g.w {
                        let v = x[((b * g.c + ic) * g.h + iy) * g.w + ix]
                        for ky in 0..<g.kh {
                            let oy = iy * g.sh - g.padTop + ky * g.dh
                            if oy < 0 || oy >= g.oh { continue }
                            for kx in 0..<g.kw {
                                let ox = ix * g.sw - g.padLeft + kx * g.dw
                                if ox < 0 || ox >= g.ow { continue }
                                y[((b * g.m + oc) * g.oh + oy) * g.ow + ox] +=
                                    v * wt[((ic * g.mg + j) * g.kh + ky) * g.kw + kx]
                            }
                        }
                    }
                }
            }
        }
    }
    for b in 0..<g.n {
        for oc in 0..<g.m {
            let p = y + (b * g.m + oc) * g.outPlane
            for i in 0..<g.outPlane { p[i] = act.reference(p[i] + (bias?[oc] ?? 0), channel: oc) }
        }
    }
}

/// Scratch floats for `convTransposeGemm`: the column matrix of one group.
func convTransposeScratch(_ g: ConvGeometry) -> Int { g.mg * g.kh * g.kw * g.inPlane }

/// sgemm to columns, col[(j, ky, kx), (iy, ix)] = sum_ic W[ic, j, ky, kx] x[ic, iy, ix],
/// then col2im accumulation into y, then bias + activation.
func convTransposeGemm(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>,
                       _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, _ act: Activation,
                       col: UnsafeMutablePointer<Float>, threads: Int) {
    let rows = g.mg * g.kh * g.kw
    let kk = g.kh * g.kw
    for b in 0..<g.n {
        for grp in 0..<g.group {
            let xg = x + (b * g.c + grp * g.cg) * g.inPlane
            let wg = wt + grp * g.cg * rows
            let yg = y + (b * g.m + grp * g.mg) * g.outPlane
            gemm(transA: true, m: rows, n: g.inPlane, k: g.cg, wg, lda: rows, xg, ldb: g.inPlane,
                 col, ldc: g.inPlane, threads: threads)
            // col2im: each output channel j is owned by one thread (deterministic sums)
            Parallel.chunks(g.mg, threads: threads) { lo, hi in
                for j in lo..<hi {
                    let dst = yg + j * g.outPlane
                    dst.update(repeating: 0, count: g.outPlane)
                    for kidx in 0..<kk {
                        let ky = kidx / g.kw, kx = kidx % g.kw
                        let src = col + (j * kk + kidx) * g.inPlane
                        for iy in 0..<g.h {
                            let oy = iy * g.sh - g.padTop + ky * g.dh
                            if oy < 0 || oy >= g.oh { continue }
                            let drow = dst + oy * g.ow
                            let srow = src + iy * g.w
                            let oxBase = kx * g.dw - g.padLeft
                            for ix in 0..<g.w {
                                let ox = ix * g.sw + oxBase
                                if ox >= 0 && ox < g.ow { drow[ox] += srow[ix] }
                            }
                        }
                    }
                    let oc = grp * g.mg + j
                    if let bias {
                        let bv = bias[oc]
                        for i in 0..<g.outPlane { dst[i] += bv }
                    }
                    act.apply(dst, g.outPlane, channel: oc)
                }
            }
        }
    }
}
