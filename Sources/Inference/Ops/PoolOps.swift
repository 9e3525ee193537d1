// Pooling: MaxPool, AveragePool (count_include_pad both ways, ceil_mode, auto_pad),
// GlobalAveragePool, GlobalMaxPool. NCHW (or NCW) input.

struct PoolGeometry {
    var planes = 1, h = 1, w = 1, oh = 1, ow = 1
    var kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1
    var padTop = 0, padLeft = 0, padBottom = 0, padRight = 0

    /// Window tap kx of a row pass: its offset (input column = ox * sw + off) and the output
    /// columns [lo, hi) for which it falls inside the input row (no bounds check per tap).
    @inline(__always)
    func tapColumns(_ kx: Int) -> (off: Int, lo: Int, hi: Int) {
        let off = kx * dw - padLeft
        let lo = off >= 0 ? 0 : (-off + sw - 1) / sw
        let hi = min(ow, w - off <= 0 ? 0 : (w - off + sw - 1) / sw)
        return (off, lo, hi)
    }
}

func compilePool(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let xs = ctx.shape(0)
    guard xs.count == 4 || xs.count == 3 else { throw ctx.fail("4-D (or 3-D) input", "\(xs)") }
    let is1D = xs.count == 3
    let isMax = ctx.node.op == "MaxPool"
    guard let ks = ctx.node.ints("kernel_shape"), ks.count == xs.count - 2 else {
        throw ctx.fail("kernel_shape for \(xs.count - 2) axes", "\(ctx.node.ints("kernel_shape") ?? [])")
    }
    let sp = xs.count - 2
    let strides = ctx.node.ints("strides") ?? [Int](repeating: 1, count: sp)
    let dil = ctx.node.ints("dilations") ?? [Int](repeating: 1, count: sp)
    let pads = ctx.node.ints("pads") ?? [Int](repeating: 0, count: 2 * sp)
    guard strides.count == sp, dil.count == sp, pads.count == 2 * sp else {
        throw ctx.fail("strides/dilations/pads for \(sp) axes", "\(strides) \(dil) \(pads)")
    }
    if ctx.node.outputs.count > 1 && !ctx.node.outputs[1].isEmpty {
        throw ctx.unsupported("MaxPool Indices output")
    }
    let ceilMode = ctx.node.int("ceil_mode", 0) != 0
    let includePad = ctx.node.int("count_include_pad", 0) != 0
    let autoPad = ctx.node.string("auto_pad", "NOTSET")
    var g = PoolGeometry()
    g.planes = xs[0] * xs[1]
    g.h = is1D ? 1 : xs[2]; g.w = xs[xs.count - 1]
    g.kh = is1D ? 1 : ks[0]; g.kw = ks[sp - 1]
    g.sh = is1D ? 1 : strides[0]; g.sw = strides[sp - 1]
    g.dh = is1D ? 1 : dil[0]; g.dw = dil[sp - 1]
    if !is1D { g.padTop = pads[0]; g.padBottom = pads[2] }
    g.padLeft = pads[is1D ? 0 : 1]; g.padRight = pads[is1D ? 1 : 3]

    func outSize(_ inSize: Int, _ k: Int, _ s: Int, _ d: Int, _ p0: inout Int, _ p1: inout Int) -> Int {
        let ek = (k - 1) * d + 1
        switch autoPad {
        case "SAME_UPPER", "SAME_LOWER":
            let out = (inSize + s - 1) / s
            let total = max(0, (out - 1) * s + ek - inSize)
            if autoPad == "SAME_UPPER" { p0 = total / 2; p1 = total - p0 } else { p1 = total / 2; p0 = total - p1 }
            return out
        case "VALID":
            p0 = 0; p1 = 0
            return (inSize - ek) / s + 1
        default:
            let span = inSize + p0 + p1 - ek
            if ceilMode {
                var out = (span + s - 1) / s + 1
                // the last window must start inside the input or the left padding
                if (out - 1) * s >= inSize + p0 { out -= 1 }
                return out
            }
            return span / s + 1
        }
    }
    if !is1D { g.oh = outSize(g.h, g.kh, g.sh, g.dh, &g.padTop, &g.padBottom) }
    g.ow = outSize(g.w, g.kw, g.sw, g.dw, &g.padLeft, &g.padRight)
    guard g.oh >= 1, g.ow >= 1 else { throw ctx.fail("positive output size", "\(g.oh)x\(g.ow)") }
    let outShape = is1D ? [xs[0], xs[1], g.ow] : [xs[0], xs[1], g.oh, g.ow]
    let threads = ctx.threads
    let flops = g.planes * g.oh * g.ow * g.kh * g.kw
    let columns = isMax ? [] : avgPoolColumnDivisors(g, includePad: includePad)
    return CompiledOp(outShapes: [outShape], scratchCount: threads * g.h * g.ow, flops: flops) { ins, outs, scratch in
        if isMax {
            maxPoolSeparable(g, ins[0], outs[0], scratch: scratch, threads: threads)
        } else {
            avgPoolSeparable(g, includePad: includePad, columns: columns, ins[0], outs[0], scratch: scratch, threads: threads)
        }
    }
}

/// Max pooling as two 1-D passes (max is exact, so the bits equal `maxPool`'s): each input row's
/// window maxima along x into scratch, then maxima of those along y. kh + kw comparisons per
/// output instead of kh * kw (the SPP block's 9x9 windows: 18 instead of 81).
///   x: [planes, h, w] -> y: [planes, oh, ow]; scratch: [threads, h, ow]
func maxPoolSeparable(_ g: PoolGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                      scratch: UnsafeMutablePointer<Float>, threads: Int) {
    Parallel.tasks(g.planes, threads: threads) { worker, lo, hi in
        let rows = scratch + worker * g.h * g.ow
        for p in lo..<hi {
            let src = x + p * g.h * g.w, dst = y + p * g.oh * g.ow
            for iy in 0..<g.h {
                let row = src + iy * g.w, r = rows + iy * g.ow
                for ox in 0..<g.ow { r[ox] = -Float.infinity }
                // tap kx outer, outputs inner (the same comparisons in the same order per
                // output, without a bounds check per tap: the loop vectorises at stride 1)
                for kx in 0..<g.kw {
                    let (off, lo, hi) = g.tapColumns(kx)
                    if lo >= hi { continue }
                    if g.sw == 1 {
                        let s = row + off
                        for ox in lo..<hi {
                            let v = s[ox], m = r[ox]
                            r[ox] = v > m || v.isNaN ? v : m
                        }
                    } else {
                        for ox in lo..<hi {
                            let v = row[ox * g.sw + off], m = r[ox]
                            r[ox] = v > m || v.isNaN ? v : m
                        }
                    }
                }
            }
            for oy in 0..<g.oh {
                let y0 = oy * g.sh - g.padTop
                let d = dst + oy * g.ow
                for ox in 0..<g.ow { d[ox] = -Float.infinity }
                for ky in 0..<g.kh {
                    let iy = y0 + ky * g.dh
                    if iy < 0 || iy >= g.h { continue }
                    let r = rows + iy * g.ow
                    for ox in 0..<g.ow {
                        let v = r[ox], m = d[ox]
                        // a NaN window stays NaN (as in the naive twin)
                        d[ox] = (v > m || v.isNaN) && !m.isNaN ? v : m
                    }
                }
            }
        }
    }
}

/// Naive twin of `maxPoolSeparable`.   x: [planes, h, w] -> y: [planes, oh, ow]
func maxPool(_ g: PoolGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, threads: Int) {
    Parallel.chunks(g.planes, threads: threads) { lo, hi in
        for p in lo..<hi {
            let src = x + p * g.h * g.w, dst = y + p * g.oh * g.ow
            for oy in 0..<g.oh {
                let y0 = oy * g.sh - g.padTop
                for ox in 0..<g.ow {
                    let x0 = ox * g.sw - g.padLeft
                    var m = -Float.infinity
                    for ky in 0..<g.kh {
                        let iy = y0 + ky * g.dh
                        if iy < 0 || iy >= g.h { continue }
                        let row = src + iy * g.w
                        for kx in 0..<g.kw {
                            let ix = x0 + kx * g.dw
                            if ix < 0 || ix >= g.w { continue }
                            let v = row[ix]
                            if v > m || v.isNaN { m = v }
                        }
                    }
                    dst[oy * g.ow + ox] = m
                }
            }
        }
    }
}

/// Window sums along x of every input row, into scratch [h, ow] (`maxPoolSeparable`'s row pass with +).
@inline(__always)
private func rowSums(_ g: PoolGeometry, _ row: UnsafePointer<Float>, _ r: UnsafeMutablePointer<Float>) {
    for ox in 0..<g.ow { r[ox] = 0 }
    for kx in 0..<g.kw {
        let (off, lo, hi) = g.tapColumns(kx)
        if lo >= hi { continue }
        if g.sw == 1 {
            let s = row + off
            for ox in lo..<hi { r[ox] += s[ox] }
        } else {
            for ox in lo..<hi { r[ox] += row[ox * g.sw + off] }
        }
    }
}

/// The divisor's column factor for each output column: window columns inside the padded input
/// (`includePad`) or inside the input.
func avgPoolColumnDivisors(_ g: PoolGeometry, includePad: Bool) -> [Int] {
    (0..<g.ow).map { ox in
        let x0 = ox * g.sw - g.padLeft
        if includePad { return (min(x0 + (g.kw - 1) * g.dw + 1, g.w + g.padRight) - x0 + g.dw - 1) / g.dw }
        return (0..<g.kw).filter { x0 + $0 * g.dw >= 0 && x0 + $0 * g.dw < g.w }.count
    }
}

/// Average pooling as two 1-D passes: window sums along x of each input row into scratch, then
/// sums of those along y, divided by (window rows) x (window columns) counted as `avgPool` does (the
/// window and the input are both rectangles). kh + kw additions per output instead of kh * kw; the
/// sums' order differs from `avgPool`'s, so results differ by float rounding.
///   x: [planes, h, w] -> y: [planes, oh, ow]; columns: avgPoolColumnDivisors; scratch: [threads, h, ow]
func avgPoolSeparable(_ g: PoolGeometry, includePad: Bool, columns: [Int], _ x: UnsafePointer<Float>,
                      _ y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int) {
    Parallel.tasks(g.planes, threads: threads) { worker, lo, hi in
        let rows = scratch + worker * g.h * g.ow
        for p in lo..<hi {
            let src = x + p * g.h * g.w, dst = y + p * g.oh * g.ow
            for iy in 0..<g.h { rowSums(g, src + iy * g.w, rows + iy * g.ow) }
            for oy in 0..<g.oh {
                let y0 = oy * g.sh - g.padTop
                let d = dst + oy * g.ow
                for ox in 0..<g.ow { d[ox] = 0 }
                var inside = 0
                for ky in 0..<g.kh {
                    let iy = y0 + ky * g.dh
                    if iy < 0 || iy >= g.h { continue }
                    inside += 1
                    let r = rows + iy * g.ow
                    for ox in 0..<g.ow { d[ox] += r[ox] }
                }
                let rowDiv = includePad ? (min(y0 + (g.kh - 1) * g.dh + 1, g.h + g.padBottom) - y0 + g.dh - 1) / g.dh : inside
                for ox in 0..<g.ow {
                    let div = rowDiv * columns[ox]
                    d[ox] = div > 0 ? d[ox] / Float(div) : 0
                }
            }
        }
    }
}

/// Naive twin of `avgPoolSeparable`. With `includePad` the divisor counts padding cells inside the padded
/// input (not cells past it, which ceil_mode can add), as onnxruntime does.
func avgPool(_ g: PoolGeometry, includePad: Bool, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
             threads: Int) {
    Parallel.chunks(g.planes, threads: threads) { lo, hi in
        for p in lo..<hi {
            let src = x + p * g.h * g.w, dst = y + p * g.oh * g.ow
            for oy in 0..<g.oh {
                let y0 = oy * g.sh - g.padTop
                let y1 = min(y0 + (g.kh - 1) * g.dh + 1, g.h + g.padBottom)
                for ox in 0..<g.ow {
                    let x0 = ox * g.sw - g.padLeft
                    let x1 = min(x0 + (g.kw - 1) * g.dw + 1, g.w + g.padRight)
                    var sum: Float = 0
                    var n = 0
                    for ky in 0..<g.kh {
                        let iy = y0 + ky * g.dh
                        if iy < 0 || iy >= g.h { continue }
                        for kx in 0..<g.kw {
                            let ix = x0 + kx * g.dw
                            if ix < 0 || ix >= g.w { continue }
                            sum += src[iy * g.w + ix]
                            n += 1
                        }
                    }
                    let div = includePad ? ((y1 - y0 + g.dh - 1) / g.dh) * ((x1 - x0 + g.dw - 1) / g.dw) : n
                    dst[oy * g.ow + ox] = div > 0 ? sum / Float(div) : 0
                }
            }
        }
    }
}

func compileGlobalPool(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let xs = ctx.shape(0)
    guard xs.count >= 3 else { throw ctx.fail("input of rank >= 3", "\(xs)") }
    let planes = xs[0] * xs[1], plane = product(xs[2...])
    let isMax = ctx.node.op == "GlobalMaxPool"
    let outShape = [xs[0], xs[1]] + [Int](repeating: 1, count: xs.count - 2)
    let threads = ctx.threads
    return CompiledOp(outShapes: [outShape], flops: planes * plane) { ins, outs, _ in
        Parallel.chunks(planes, threads: threads) { lo, hi in
            for p in lo..<hi {
                let src = ins[0] + p * plane
                if isMax {
                    var m = -Float.infinity
                    for i in 0..<plane { m = max(m, src[i]) }
                    outs[0][p] = m
                } else {
                    var s: Float = 0
                    for i in 0..<plane { s += src[i] }
                    outs[0][p] = s / Float(plane)
                }
            }
        }
    }
}
