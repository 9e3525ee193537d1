// Resize RGB8 images: bilinear (half-pixel centres, as OpenCV INTER_LINEAR and PyTorch
// align_corners=False) and area averaging (as OpenCV INTER_AREA when shrinking).
// Kernels work on raw pointers; shapes: src sh×sw×3 u8, dst dh×dw×3 u8, rows packed.
// Each fast kernel has a naive reference twin (`…Reference`) that the tests compare against.

public enum ResizeMethod: Sendable, Equatable {
    /// 2x2 taps at half-pixel centres; aliases when shrinking by more than 2x.
    case bilinear
    /// Each output pixel is the area-weighted mean of the source pixels it covers (shrinking);
    /// falls back to bilinear in a dimension that grows.
    case area
    /// area when shrinking by 2x or more in both dimensions, else bilinear.
    case auto
}

/// Resizes to exactly width×height.
public func resize(_ image: RGBImage, width: Int, height: Int, method: ResizeMethod = .bilinear) throws(ImageIOError) -> RGBImage {
    try checkImage(image)
    guard width > 0, height > 0 else {
        throw .invalidDimensions(expected: "resize target > 0 in both dimensions", width: width, height: height)
    }
    if width == image.width && height == image.height { return image }
    let useArea: Bool
    switch method {
    case .bilinear: useArea = false
    case .area: useArea = width < image.width || height < image.height
    case .auto: useArea = image.width >= 2 * width && image.height >= 2 * height
    }
    let count = width * height * 3
    let pixels = image.pixels.withUnsafeBufferPointer { src in
        [UInt8](unsafeUninitializedCapacity: count) { dst, initialised in
            // Both buffers are non-empty (checked above), so their base addresses exist.
            guard let s = src.baseAddress, let d = dst.baseAddress else { return }
            if useArea, image.width % width == 0, image.height % height == 0 {
                resizeAreaIntegerKernel(src: s, sw: image.width, sh: image.height, dst: d, dw: width, dh: height)
            } else if useArea {
                resizeAreaKernel(src: s, sw: image.width, sh: image.height, dst: d, dw: width, dh: height)
            } else {
                resizeBilinearKernel(src: s, sw: image.width, sh: image.height, dst: d, dw: width, dh: height)
            }
            initialised = count
        }
    }
    return RGBImage(uncheckedWidth: width, height: height, pixels: pixels)
}

/// Checks the invariant pixels.count == width*height*3 (the fields are public and mutable).
func checkImage(_ image: RGBImage) throws(ImageIOError) {
    guard image.width > 0, image.height > 0 else {
        throw .invalidDimensions(expected: "width > 0 and height > 0", width: image.width, height: image.height)
    }
    guard image.pixels.count == image.width * image.height * 3 else {
        throw .bufferSize(expected: image.width * image.height * 3, found: image.pixels.count)
    }
}

// MARK: bilinear

/// One output coordinate's two source taps and the weight of the second.
/// OpenCV convention: s = (d + 0.5) * (srcLen / dstLen) - 0.5, floor, clamp to the edges.
@inline(__always)
func bilinearTap(_ d: Int, scale: Double, srcLen: Int) -> (i0: Int, i1: Int, w1: Float) {
    let s = (Double(d) + 0.5) * scale - 0.5
    var i0 = Int(s.rounded(.down))
    var f = Float(s - Double(i0))
    if i0 < 0 { i0 = 0; f = 0 }
    if i0 >= srcLen - 1 { i0 = srcLen - 1; f = 0 }
    return (i0, min(i0 + 1, srcLen - 1), f)
}

/// Fast bilinear in 11-bit fixed point (OpenCV's INTER_LINEAR scheme): per-column taps and
/// weights precomputed once; each needed source row is resized horizontally once into an Int32
/// row (value * 2048), kept while consecutive output rows share it; the vertical blend rounds as
/// OpenCV's SIMD path does: ((h0 >> 4) * b0 >> 16) + ((h1 >> 4) * b1 >> 16) + 2) >> 2.
func resizeBilinearKernel(src: UnsafePointer<UInt8>, sw: Int, sh: Int,
                          dst: UnsafeMutablePointer<UInt8>, dw: Int, dh: Int) {
    let scaleX = Double(sw) / Double(dw)
    let scaleY = Double(sh) / Double(dh)
    let one: Float = 2048
    // Column tables: byte offsets of the two taps and their weights (sum ≈ 2048).
    let xo0 = UnsafeMutablePointer<Int>.allocate(capacity: dw)
    let xo1 = UnsafeMutablePointer<Int>.allocate(capacity: dw)
    let ax0 = UnsafeMutablePointer<Int32>.allocate(capacity: dw)
    let ax1 = UnsafeMutablePointer<Int32>.allocate(capacity: dw)
    let rowLen = dw * 3
    var h0 = UnsafeMutablePointer<Int32>.allocate(capacity: rowLen)
    var h1 = UnsafeMutablePointer<Int32>.allocate(capacity: rowLen)
    defer {
        xo0.deallocate(); xo1.deallocate(); ax0.deallocate(); ax1.deallocate()
        h0.deallocate(); h1.deallocate()
    }
    for x in 0..<dw {
        let t = bilinearTap(x, scale: scaleX, srcLen: sw)
        xo0[x] = t.i0 * 3
        xo1[x] = t.i1 * 3
        ax0[x] = Int32(((1 - t.w1) * one).rounded())
        ax1[x] = Int32((t.w1 * one).rounded())
    }
    let srcStride = sw * 3
    // Horizontal pass of one source row into `row` (rowLen Int32, value * 2048).
    func horizontal(_ sy: Int, into row: UnsafeMutablePointer<Int32>) {
        let s = src + sy * srcStride
        var d = row
        for x in 0..<dw {
            let p0 = s + xo0[x], p1 = s + xo1[x], a0 = ax0[x], a1 = ax1[x]
            d[0] = Int32(p0[0]) &* a0 &+ Int32(p1[0]) &* a1
            d[1] = Int32(p0[1]) &* a0 &+ Int32(p1[1]) &* a1
            d[2] = Int32(p0[2]) &* a0 &+ Int32(p1[2]) &* a1
            d += 3
        }
    }
    var row0 = -1, row1 = -1  // source rows currently held in h0, h1
    for y in 0..<dh {
        let ty = bilinearTap(y, scale: scaleY, srcLen: sh)
        if row0 != ty.i0 {
            if row1 == ty.i0 {
                swap(&h0, &h1)
                swap(&row0, &row1)
            } else {
                horizontal(ty.i0, into: h0)
                row0 = ty.i0
            }
        }
        if row1 != ty.i1 {
            horizontal(ty.i1, into: h1)
            row1 = ty.i1
        }
        let b1 = Int32((ty.w1 * one).rounded()), b0 = Int32(((1 - ty.w1) * one).rounded())
        let out = dst + y * rowLen
        let r0 = h0, r1 = h1
        for i in 0..<rowLen {
            let v = (((r0[i] >> 4) &* b0) >> 16) &+ (((r1[i] >> 4) &* b1) >> 16) &+ 2
            out[i] = UInt8(truncatingIfNeeded: max(0, min(255, v >> 2)))
        }
    }
}

/// Reference twin: the textbook formula per pixel, in Double.
func resizeBilinearReference(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    var out = [UInt8](repeating: 0, count: width * height * 3)
    let sx = Double(image.width) / Double(width), sy = Double(image.height) / Double(height)
    for y in 0..<height {
        var fy = (Double(y) + 0.5) * sy - 0.5
        fy = max(0, min(fy, Double(image.height - 1)))
        let y0 = Int(fy), y1 = min(y0 + 1, image.height - 1), wy = fy - Double(y0)
        for x in 0..<width {
            var fx = (Double(x) + 0.5) * sx - 0.5
            fx = max(0, min(fx, Double(image.width - 1)))
            let x0 = Int(fx), x1 = min(x0 + 1, image.width - 1), wx = fx - Double(x0)
            for c in 0..<3 {
                func p(_ xx: Int, _ yy: Int) -> Double { Double(image.pixels[(yy * image.width + xx) * 3 + c]) }
                let v = (p(x0, y0) * (1 - wx) + p(x1, y0) * wx) * (1 - wy) + (p(x0, y1) * (1 - wx) + p(x1, y1) * wx) * wy
                out[(y * width + x) * 3 + c] = UInt8(clamping: Int((v + 0.5).rounded(.down)))
            }
        }
    }
    return RGBImage(uncheckedWidth: width, height: height, pixels: out)
}

// MARK: area

/// The source cells one output cell [d*scale, (d+1)*scale) covers, with coverage weights
/// normalised to sum 1 (OpenCV INTER_AREA's shrinking rule; 1e-3 slivers are ignored as there).
func areaTaps(_ d: Int, scale: Double, srcLen: Int) -> [(index: Int, weight: Float)] {
    let f1 = Double(d) * scale, f2 = f1 + scale
    var s1 = Int(f1.rounded(.up)), s2 = Int(f2.rounded(.down))
    s2 = min(s2, srcLen)
    s1 = min(s1, s2)
    var taps: [(Int, Double)] = []
    if Double(s1) - f1 > 1e-3 { taps.append((s1 - 1, Double(s1) - f1)) }
    for s in s1..<s2 { taps.append((s, 1)) }
    if f2 - Double(s2) > 1e-3, s2 < srcLen { taps.append((s2, min(f2 - Double(s2), scale))) }
    let total = taps.reduce(0) { $0 + $1.1 }
    return taps.map { ($0.0, Float($0.1 / total)) }
}

/// Area kernel: horizontal pass over each source row a output row needs, weighted into a float
/// row accumulator, then rounded. Growing dimensions use bilinear taps instead.
func resizeAreaKernel(src: UnsafePointer<UInt8>, sw: Int, sh: Int,
                      dst: UnsafeMutablePointer<UInt8>, dw: Int, dh: Int) {
    let scaleX = Double(sw) / Double(dw)
    let scaleY = Double(sh) / Double(dh)
    let xTaps: [[(index: Int, weight: Float)]] = (0..<dw).map { x in
        if dw <= sw { return areaTaps(x, scale: scaleX, srcLen: sw) }
        let t = bilinearTap(x, scale: scaleX, srcLen: sw)
        return [(t.i0, 1 - t.w1), (t.i1, t.w1)]
    }
    // Flatten the column taps: start/len per output column into shared index/weight arrays.
    var tapStart = [Int](repeating: 0, count: dw + 1)
    var tapIndex: [Int] = []
    var tapWeight: [Float] = []
    for x in 0..<dw {
        tapStart[x] = tapIndex.count
        for t in xTaps[x] { tapIndex.append(t.index * 3); tapWeight.append(t.weight) }
    }
    tapStart[dw] = tapIndex.count
    let srcStride = sw * 3
    let acc = UnsafeMutablePointer<Float>.allocate(capacity: dw * 3)
    defer { acc.deallocate() }
    tapIndex.withUnsafeBufferPointer { ti in
        tapWeight.withUnsafeBufferPointer { tw in
            tapStart.withUnsafeBufferPointer { ts in
                for y in 0..<dh {
                    let yTaps: [(index: Int, weight: Float)]
                    if dh <= sh {
                        yTaps = areaTaps(y, scale: scaleY, srcLen: sh)
                    } else {
                        let t = bilinearTap(y, scale: scaleY, srcLen: sh)
                        yTaps = [(t.i0, 1 - t.w1), (t.i1, t.w1)]
                    }
                    acc.initialize(repeating: 0, count: dw * 3)
                    for (row, wy) in yTaps {
                        let r = src + row * srcStride
                        for x in 0..<dw {
                            var s0: Float = 0, s1: Float = 0, s2: Float = 0
                            for k in ts[x]..<ts[x + 1] {
                                let o = ti[k], w = tw[k]
                                s0 += Float(r[o]) * w
                                s1 += Float(r[o + 1]) * w
                                s2 += Float(r[o + 2]) * w
                            }
                            acc[x * 3] += s0 * wy
                            acc[x * 3 + 1] += s1 * wy
                            acc[x * 3 + 2] += s2 * wy
                        }
                    }
                    let out = dst + y * dw * 3
                    for i in 0..<(dw * 3) { out[i] = UInt8(clamping: Int(acc[i] + 0.5)) }
                }
            }
        }
    }
}

/// Area kernel for integer factors kx = sw/dw, ky = sh/dh (e.g. 1280x720 → 640x360 or 320x180):
/// each output pixel is the rounded mean of its kx×ky block, (sum + n/2) / n, as OpenCV's fast
/// INTER_AREA path. Sums ky rows into a UInt32 row (contiguous, vectorises), then kx columns.
func resizeAreaIntegerKernel(src: UnsafePointer<UInt8>, sw: Int, sh: Int,
                             dst: UnsafeMutablePointer<UInt8>, dw: Int, dh: Int) {
    let kx = sw / dw, ky = sh / dh
    let n = UInt32(kx * ky), half = UInt32(kx * ky / 2)
    let srcStride = sw * 3
    let acc = UnsafeMutablePointer<UInt32>.allocate(capacity: srcStride)
    defer { acc.deallocate() }
    for y in 0..<dh {
        acc.initialize(repeating: 0, count: srcStride)
        for r in 0..<ky {
            let row = src + (y * ky + r) * srcStride
            for i in 0..<srcStride { acc[i] &+= UInt32(row[i]) }
        }
        var out = dst + y * dw * 3
        var a = UnsafePointer(acc)
        for _ in 0..<dw {
            var s0: UInt32 = half, s1: UInt32 = half, s2: UInt32 = half
            for k in 0..<kx {
                s0 &+= a[k * 3]
                s1 &+= a[k * 3 + 1]
                s2 &+= a[k * 3 + 2]
            }
            out[0] = UInt8(truncatingIfNeeded: s0 / n)
            out[1] = UInt8(truncatingIfNeeded: s1 / n)
            out[2] = UInt8(truncatingIfNeeded: s2 / n)
            out += 3
            a += kx * 3
        }
    }
}

/// Reference twin for shrinking: exact box integral of each output cell over the source, in Double.
func resizeAreaReference(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
    var out = [UInt8](repeating: 0, count: width * height * 3)
    let sx = Double(image.width) / Double(width), sy = Double(image.height) / Double(height)
    func overlap(_ a0: Double, _ a1: Double, _ i: Int) -> Double { max(0, min(a1, Double(i + 1)) - max(a0, Double(i))) }
    for y in 0..<height {
        let y0 = Double(y) * sy, y1 = y0 + sy
        for x in 0..<width {
            let x0 = Double(x) * sx, x1 = x0 + sx
            for c in 0..<3 {
                var sum = 0.0, area = 0.0
                for yy in Int(y0)..<min(image.height, Int(y1.rounded(.up))) {
                    let wy = overlap(y0, y1, yy)
                    for xx in Int(x0)..<min(image.width, Int(x1.rounded(.up))) {
                        let w = wy * overlap(x0, x1, xx)
                        sum += w * Double(image.pixels[(yy * image.width + xx) * 3 + c])
                        area += w
                    }
                }
                out[(y * width + x) * 3 + c] = UInt8(clamping: Int((sum / area + 0.5).rounded(.down)))
            }
        }
    }
    return RGBImage(uncheckedWidth: width, height: height, pixels: out)
}
