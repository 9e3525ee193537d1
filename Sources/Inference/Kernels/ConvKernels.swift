// Convolution kernels over NCHW float buffers.
//   x: [n, c, h, w]   weight: [m, c/group, kh, kw]   bias: [m]   y: [n, m, oh, ow]
// `convReference` is the naive twin every fast path is tested against.

import CBLAS

/// Naive direct convolution (the reference twin), with bias and activation.
func convReference(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>,
                   _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, _ act: Activation) {
    for b in 0..<g.n {
        for oc in 0..<g.m {
            let grp = oc / g.mg
            for oy in 0..<g.oh {
                for ox in 0..<g.ow {
                    var acc: Float = 0
                    for ic in 0..<g.cg {
                        let cIn = grp * g.cg + ic
                        for ky in 0..<g.kh {
                            let iy = oy * g.sh - g.padTop + ky * g.dh
                            if iy < 0 || iy >= g.h { continue }
                            for kx in 0..<g.kw {
                                let ix = ox * g.sw - g.padLeft + kx * g.dw
                                if ix < 0 || ix >= g.w { continue }
                                acc += x[((b * g.c + cIn) * g.h + iy) * g.w + ix]
                                    * wt[((oc * g.cg + ic) * g.kh + ky) * g.kw + kx]
                            }
                        }
                    }
                    if let bias { acc += bias[oc] }
                    y[((b * g.m + oc) * g.oh + oy) * g.ow + ox] = act.reference(acc, channel: oc)
                }
            }
        }
    }
}

/// im2col for one image and one group: col[(ic, ky, kx), (oy, ox)] for output rows
/// oy0..<oy1. x points at the group's first input channel; col has kSize rows of
/// (oy1 - oy0) * ow columns.
func im2col(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>,
            rows oy0: Int, _ oy1: Int, threads: Int) {
    let cols = (oy1 - oy0) * g.ow
    let kk = g.kh * g.kw
    Parallel.chunks(g.kSize, threads: threads, minChunk: 4) { lo, hi in
        for r in lo..<hi {
            let ic = r / kk, ky = (r % kk) / g.kw, kx = r % g.kw
            let src = x + ic * g.inPlane
            let dst = col + r * cols
            var o = 0
            for oy in oy0..<oy1 {
                let iy = oy * g.sh - g.padTop + ky * g.dh
                if iy < 0 || iy >= g.h {
                    (dst + o).update(repeating: 0, count: g.ow)
                    o += g.ow
                    continue
                }
                let row = src + iy * g.w
                let ixBase = kx * g.dw - g.padLeft
                if g.sw == 1 {
                    // valid ox range: 0 <= ox + ixBase < w
                    let lo = max(0, -ixBase), hi = min(g.ow, g.w - ixBase)
                    if lo > 0 { (dst + o).update(repeating: 0, count: min(lo, g.ow)) }
                    if hi > lo { (dst + o + lo).update(from: row + lo + ixBase, count: hi - lo) }
                    if hi < g.ow { (dst + o + max(hi, lo)).update(repeating: 0, count: g.ow - max(hi, lo)) }
                } else {
                    for ox in 0..<g.ow {
                        let ix = ox * g.sw + ixBase
                        dst[o + ox] = (ix >= 0 && ix < g.w) ? row[ix] : 0
                    }
                }
                o += g.ow
            }
        }
    }
}

/// Adds bias and applies the activation to rows [m0, m0 + rows) of an output laid out as
/// [m, ld] (each row `n` valid columns).
@inline(__always)
func biasActivate(_ y: UnsafeMutablePointer<Float>, ld: Int, n: Int, m0: Int, rows: Int,
                  bias: UnsafePointer<Float>?, _ act: Activation) {
    for r in 0..<rows {
        let p = y + r * ld
        if let bias {
            let b = bias[m0 + r]
            for i in 0..<n { p[i] += b }
        }
        act.apply(p, n, channel: m0 + r)
    }
}

/// GEMM convolution: im2col (skipped for pointwise) then sgemm per group, tiled over
/// bands of output rows so each band's column buffer stays in L2; bias + activation per band
/// while it is in cache. Bands are the parallel work units (each worker has its own column
/// buffer). `col` needs `convScratch(g, threads:)` floats.
func convGemm(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>,
              _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, _ act: Activation,
              col: UnsafeMutablePointer<Float>, threads: Int) {
    let band = convBandRows(g)
    let bands = (g.oh + band - 1) / band
    let colStride = g.kSize * band * g.ow
    for b in 0..<g.n {
        for grp in 0..<g.group {
            let xg = x + (b * g.c + grp * g.cg) * g.inPlane
            let wg = wt + grp * g.mg * g.kSize
            let yg = y + (b * g.m + grp * g.mg) * g.outPlane
            let bg = bias.map { $0 + grp * g.mg }
            let actg = act.channelOffset(grp * g.mg)
            if g.isPointwise {
                gemm(m: g.mg, n: g.outPlane, k: g.cg, wg, lda: g.cg, xg, ldb: g.outPlane, yg, ldc: g.outPlane,
                     threads: threads) { c0, c1 in
                    biasActivate(yg + c0, ld: g.outPlane, n: c1 - c0, m0: 0, rows: g.mg, bias: bg, actg)
                }
                continue
            }
            Parallel.tasks(bands, threads: threads) { worker, lo, hi in
                let colBuf = col + worker * colStride
                for bi in lo..<hi {
                    let oy0 = bi * band, oy1 = min(g.oh, oy0 + band)
                    let cols = (oy1 - oy0) * g.ow
                    im2col(g, xg, colBuf, rows: oy0, oy1, threads: 1)
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                Int32(g.mg), Int32(cols), Int32(g.kSize), 1,
                                wg, Int32(g.kSize), colBuf, Int32(cols), 0, yg + oy0 * g.ow, Int32(g.outPlane))
                    biasActivate(yg + oy0 * g.ow, ld: g.outPlane, n: cols, m0: 0, rows: g.mg, bias: bg, actg)
                }
            }
        }
    }
}

/// Output rows per im2col band: the column buffer near 96K floats (384 KiB, inside L2).
func convBandRows(_ g: ConvGeometry) -> Int {
    let perRow = max(1, g.kSize * g.ow)
    let rows = max(1, (96 * 1024) / perRow)
    return min(g.oh, rows)
}

func convScratch(_ g: ConvGeometry, threads: Int = 2) -> Int {
    g.isPointwise ? 0 : g.kSize * convBandRows(g) * g.ow * max(1, threads)
}

/// Depthwise convolution (group == c == m, one weight plane per channel): per output row,
/// accumulate kh*kw shifted input rows (contiguous, vectorisable for stride 1) into it.
func convDepthwise(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>,
                   _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, _ act: Activation,
                   threads: Int) {
    let planes = g.n * g.c
    Parallel.chunks(planes, threads: threads) { lo, hi in
        for p in lo..<hi {
            let ch = p % g.c
            let src = x + p * g.inPlane
            let dst = y + p * g.outPlane
            let k = wt + ch * g.kh * g.kw
            let b0: Float = bias?[ch] ?? 0
            for oy in 0..<g.oh {
                let drow = dst + oy * g.ow
                drow.update(repeating: b0, count: g.ow)
                for ky in 0..<g.kh {
                    let iy = oy * g.sh - g.padTop + ky * g.dh
                    if iy < 0 || iy >= g.h { continue }
                    let srow = src + iy * g.w
                    for kx in 0..<g.kw {
                        let wv = k[ky * g.kw + kx]
                        let off = kx * g.dw - g.padLeft          // ix = ox * sw + off
                        // valid ox: 0 <= ox*sw + off < w
                        let oxLo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw
                        let oxHi = min(g.ow, (g.w - off + g.sw - 1) / g.sw)
                        if oxHi <= oxLo { continue }
                        if g.sw == 1 {
                            let s = srow + off
                            for ox in oxLo..<oxHi { drow[ox] += wv * s[ox] }
                        } else {
                            for ox in oxLo..<oxHi { drow[ox] += wv * srow[ox * g.sw + off] }
                        }
                    }
                }
            }
            act.apply(dst, g.outPlane, channel: ch)
        }
    }
}

extension Activation {
    /// The activation for a block of channels starting at `offset` (shifts PRelu slopes).
    func channelOffset(_ offset: Int) -> Activation {
        if offset == 0 { return self }
        if case let .prelu(s) = self, s.count > 1 { return .prelu(Array(s[offset...])) }
        return self
    }
}
