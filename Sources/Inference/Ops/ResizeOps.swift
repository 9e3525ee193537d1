// Resize (opset 11+) and Upsample (opset 7-9): nearest and linear over the last two axes
// (outer axes must keep their size), coordinate modes half_pixel, pytorch_half_pixel,
// align_corners, asymmetric, tf_half_pixel_for_nn.

import Foundation

/// Per-axis source coordinate for output index `x`.
private func sourceCoord(_ x: Int, mode: String, scale: Float, inSize: Int, outSize: Int) -> Float {
    let xf = Float(x)
    switch mode {
    case "half_pixel": return (xf + 0.5) / scale - 0.5
    case "pytorch_half_pixel": return outSize > 1 ? (xf + 0.5) / scale - 0.5 : 0
    case "align_corners": return outSize == 1 ? 0 : xf * Float(inSize - 1) / Float(outSize - 1)
    case "tf_half_pixel_for_nn": return (xf + 0.5) / scale
    default: return xf / scale  // asymmetric
    }
}

private func nearestIndex(_ c: Float, mode: String, inSize: Int, upscaling: Bool) -> Int {
    var i: Int
    switch mode {
    case "floor": i = Int(c.rounded(.down))
    case "ceil": i = Int(c.rounded(.up))
    case "round_prefer_ceil": i = Int(c.rounded(.toNearestOrAwayFromZero))
    case "simple": i = upscaling ? Int(c.rounded(.down)) : Int(c.rounded(.up))
    default:  // round_prefer_floor
        let f = c.rounded(.down)
        i = c - f == 0.5 ? Int(f) : Int(c.rounded(.toNearestOrAwayFromZero))
    }
    return min(max(i, 0), inSize - 1)
}

/// The input index each output index of a nearest Resize reads along one axis (the op's own
/// rounding), for the graph optimizer's check that a Resize is a plain upsampling.
func resizeNearestIndices(coordMode: String, nearestMode: String, scale: Float, inSize: Int, outSize: Int) -> [Int] {
    (0..<outSize).map {
        nearestIndex(sourceCoord($0, mode: coordMode, scale: scale, inSize: inSize, outSize: outSize),
                     mode: nearestMode, inSize: inSize, upscaling: scale >= 1)
    }
}

func compileResize(_ ctx: OpContext) throws -> CompiledOp {
    try ctx.requireInputs(1)
    let xs = ctx.shape(0)
    let r = xs.count
    guard r >= 1 else { throw ctx.fail("input of rank >= 1", "\(xs)") }
    var scales: [Float] = []
    var outShape: [Int] = []
    let isUpsample = ctx.node.op == "Upsample"
    // Resize inputs: X, roi, scales, sizes. Upsample: X, scales (or attribute).
    let scalesIndex = isUpsample ? 1 : 2
    if !isUpsample, ctx.has(3), let sizes = ctx.optionalConst(3), sizes.count > 0 {
        outShape = sizes.intValues
        guard outShape.count == r else { throw ctx.fail("sizes of length \(r)", "\(outShape.count)") }
        scales = (0..<r).map { Float(outShape[$0]) / Float(xs[$0]) }
    } else if ctx.has(scalesIndex), let s = ctx.optionalConst(scalesIndex), s.count > 0 {
        scales = s.floats
    } else if let s = ctx.node.floats("scales") {
        scales = s
    } else if ctx.has(scalesIndex) || ctx.has(3) {
        throw ctx.fail("constant scales or sizes", "runtime tensors")
    } else {
        throw ctx.fail("scales or sizes", "neither")
    }
    // Bounded: a hostile file's scale of 1e30 must be an error, not a trap converting to Int.
    guard scales.count == r, scales.allSatisfy({ $0 > 0 && $0 <= 65_536 }) else {
        throw ctx.fail("\(r) positive scales up to 65536", "\(scales)")
    }
    if outShape.isEmpty { outShape = (0..<r).map { Int((Float(xs[$0]) * scales[$0]).rounded(.down)) } }
    guard outShape.allSatisfy({ $0 >= 0 && $0 <= 1 << 24 }) else { throw ctx.fail("output sizes up to 2^24", "\(outShape)") }
    if ctx.node.ints("axes") != nil { throw ctx.unsupported("axes attribute (opset 18)") }
    if r > 2 {
        for i in 0..<(r - 2) where outShape[i] != xs[i] {
            throw ctx.unsupported("resizing outer axis \(i) (\(xs[i]) -> \(outShape[i]))")
        }
    }
    let mode = ctx.node.string("mode", "nearest")
    var coordMode = ctx.node.string("coordinate_transformation_mode", isUpsample ? "asymmetric" : "half_pixel")
    var nearestMode = ctx.node.string("nearest_mode", "round_prefer_floor")
    if isUpsample { coordMode = "asymmetric"; nearestMode = "floor" }
    guard mode == "nearest" || mode == "linear" || mode == "bilinear" else {
        throw ctx.unsupported("mode '\(mode)'")
    }
    guard ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn"].contains(coordMode) else {
        throw ctx.unsupported("coordinate_transformation_mode '\(coordMode)'")
    }
    let inH = r >= 2 ? xs[r - 2] : 1, inW = xs[r - 1]
    let outH = r >= 2 ? outShape[r - 2] : 1, outW = outShape[r - 1]
    let scaleH = r >= 2 ? scales[r - 2] : 1, scaleW = scales[r - 1]
    let planes = r > 2 ? product(xs[..<(r - 2)]) : 1
    let threads = ctx.threads
    let outCount = product(outShape)
    if mode == "nearest" {
        let iy = (0..<outH).map { nearestIndex(sourceCoord($0, mode: coordMode, scale: scaleH, inSize: inH, outSize: outH),
                                               mode: nearestMode, inSize: inH, upscaling: scaleH >= 1) }
        let ix = (0..<outW).map { nearestIndex(sourceCoord($0, mode: coordMode, scale: scaleW, inSize: inW, outSize: outW),
                                               mode: nearestMode, inSize: inW, upscaling: scaleW >= 1) }
        return CompiledOp(outShapes: [outShape], flops: outCount) { ins, outs, _ in
            Parallel.chunks(planes, threads: threads) { lo, hi in
                for p in lo..<hi {
                    let src = ins[0] + p * inH * inW, dst = outs[0] + p * outH * outW
                    for y in 0..<outH {
                        let row = src + iy[y] * inW, d = dst + y * outW
                        for x in 0..<outW { d[x] = row[ix[x]] }
                    }
                }
            }
        }
    }
    // linear: clamp source coordinates into the input, then interpolate between neighbours
    func taps(_ n: Int, _ scale: Float, _ inSize: Int) -> ([Int], [Int], [Float]) {
        var i0 = [Int](), i1 = [Int](), w = [Float]()
        for o in 0..<n {
            var c = sourceCoord(o, mode: coordMode, scale: scale, inSize: inSize, outSize: n)
            c = min(max(c, 0), Float(inSize - 1))
            let a = min(Int(c), inSize - 1)
            i0.append(a); i1.append(min(a + 1, inSize - 1)); w.append(c - Float(a))
        }
        return (i0, i1, w)
    }
    let (y0, y1, wy) = taps(outH, scaleH, inH)
    let (x0, x1, wx) = taps(outW, scaleW, inW)
    let rowTaps = LinearTaps(y0, y1, wy), colTaps = LinearTaps(x0, x1, wx)
    // Separable: every input row an output reads interpolated along x once (into scratch:
    // inH x outW per worker), then each output row is a blend of two of those rows. Same arithmetic, and
    // so the same bits, as blending the four neighbours per output pixel (`resizeLinearReference`).
    return CompiledOp(outShapes: [outShape], scratchCount: threads * inH * outW, flops: 6 * outCount) { ins, outs, scratch in
        Parallel.tasks(planes, threads: threads) { worker, lo, hi in
            let rows = scratch + worker * inH * outW
            for p in lo..<hi {
                resizeLinearPlane(ins[0] + p * inH * inW, inH, inW, outs[0] + p * outH * outW, outH, outW,
                                  rowTaps, colTaps, rows: rows)
            }
        }
    }
}

/// Source taps of linear interpolation along one axis: out[o] = in[i0[o]] * (1 - w[o]) + in[i1[o]] * w[o].
final class LinearTaps: @unchecked Sendable {
    // Invariant: written once at compile time, read-only while kernels run.
    let i0: UnsafeMutablePointer<Int>, i1: UnsafeMutablePointer<Int>, w: UnsafeMutablePointer<Float>
    let count: Int
    /// The input indices some output reads (ascending): a downscale skips the others.
    let sources: UnsafeMutablePointer<Int>
    let sourceCount: Int
    init(_ a: [Int], _ b: [Int], _ weights: [Float]) {
        count = a.count
        i0 = .allocate(capacity: max(1, count)); i1 = .allocate(capacity: max(1, count)); w = .allocate(capacity: max(1, count))
        for k in 0..<count { i0[k] = a[k]; i1[k] = b[k]; w[k] = weights[k] }
        let used = Set(a + b).sorted()
        sourceCount = used.count
        sources = .allocate(capacity: max(1, sourceCount))
        for (k, v) in used.enumerated() { sources[k] = v }
    }
    deinit { i0.deallocate(); i1.deallocate(); w.deallocate(); sources.deallocate() }
}

/// Linear resize of one plane, separable.
///   src: [inH, inW]   dst: [outH, outW]   rows (scratch): [inH, outW]
func resizeLinearPlane(_ src: UnsafePointer<Float>, _ inH: Int, _ inW: Int,
                       _ dst: UnsafeMutablePointer<Float>, _ outH: Int, _ outW: Int,
                       _ ty: LinearTaps, _ tx: LinearTaps, rows: UnsafeMutablePointer<Float>) {
    let x0 = tx.i0, x1 = tx.i1, wx = tx.w
    for k in 0..<ty.sourceCount {
        let r = ty.sources[k]
        let s = src + r * inW, h = rows + r * outW
        for x in 0..<outW {
            let q = wx[x]
            h[x] = s[x0[x]] * (1 - q) + s[x1[x]] * q
        }
    }
    for y in 0..<outH {
        let h0 = UnsafePointer(rows + ty.i0[y] * outW), h1 = UnsafePointer(rows + ty.i1[y] * outW)
        let b = ty.w[y], a = 1 - b
        let d = dst + y * outW
        for x in 0..<outW { d[x] = h0[x] * a + h1[x] * b }
    }
}

/// Naive twin of `resizeLinearPlane`: four neighbours per output pixel.
func resizeLinearReference(_ src: UnsafePointer<Float>, _ inH: Int, _ inW: Int,
                           _ dst: UnsafeMutablePointer<Float>, _ outH: Int, _ outW: Int,
                           _ ty: LinearTaps, _ tx: LinearTaps) {
    for y in 0..<outH {
        let r0 = src + ty.i0[y] * inW, r1 = src + ty.i1[y] * inW
        let b = ty.w[y], a = 1 - b
        for x in 0..<outW {
            let q = tx.w[x], pq = 1 - q
            let top = r0[tx.i0[x]] * pq + r0[tx.i1[x]] * q
            let bot = r1[tx.i0[x]] * pq + r1[tx.i1[x]] * q
            dst[y * outW + x] = top * a + bot * b
        }
    }
}
