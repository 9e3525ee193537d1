// Fast convolution kernels against their naive twins on random geometries.

import Foundation
import Testing
@testable import Inference

@Suite struct ConvKernelTests {
    static let geometries: [ConvGeometry] = {
        var list: [ConvGeometry] = []
        func add(c: Int, m: Int, h: Int, w: Int, k: Int, s: Int = 1, d: Int = 1, p: Int, group: Int = 1, n: Int = 1) {
            var g = ConvGeometry()
            g.n = n; g.c = c; g.m = m; g.h = h; g.w = w; g.kh = k; g.kw = k
            g.sh = s; g.sw = s; g.dh = d; g.dw = d
            g.padTop = p; g.padLeft = p; g.padBottom = p; g.padRight = p; g.group = group
            g.oh = (h + 2 * p - (k - 1) * d - 1) / s + 1
            g.ow = (w + 2 * p - (k - 1) * d - 1) / s + 1
            list.append(g)
        }
        add(c: 3, m: 8, h: 17, w: 19, k: 3, p: 1)
        add(c: 16, m: 16, h: 24, w: 40, k: 3, p: 1)          // Winograd-shaped
        add(c: 9, m: 5, h: 13, w: 11, k: 3, p: 1)            // odd sizes
        add(c: 8, m: 8, h: 12, w: 12, k: 3, d: 2, p: 2)
        add(c: 6, m: 4, h: 15, w: 14, k: 5, s: 2, p: 2)
        add(c: 4, m: 6, h: 9, w: 9, k: 7, p: 3)
        add(c: 32, m: 16, h: 10, w: 12, k: 1, p: 0)
        add(c: 8, m: 8, h: 10, w: 12, k: 3, p: 1, group: 8)  // depthwise
        add(c: 8, m: 8, h: 11, w: 13, k: 5, s: 2, p: 2, group: 8)
        add(c: 8, m: 12, h: 9, w: 10, k: 3, p: 1, group: 4)
        add(c: 4, m: 4, h: 30, w: 200, k: 3, p: 1, n: 2)     // several im2col bands
        return list
    }()

    @Test(arguments: 0..<geometries.count, [Activation.none, .relu, .leakyRelu(0.1)])
    func fastMatchesReference(_ i: Int, _ act: Activation) throws {
        let g = Self.geometries[i]
        let x = seededRandom(g.n * g.c * g.inPlane, seed: UInt64(i))
        let w = seededRandom(g.m * g.kSize, seed: UInt64(100 + i))
        let b = seededRandom(g.m, seed: UInt64(200 + i))
        let outCount = g.n * g.m * g.outPlane
        var ref = [Float](repeating: 0, count: outCount)
        convReference(g, x, w, b, &ref, act)
        for threads in [1, 2] {
            var fast = [Float](repeating: .nan, count: outCount)
            if g.isDepthwise {
                convDepthwise(g, x, w, b, &fast, act, threads: threads)
            } else {
                var col = [Float](repeating: 0, count: max(1, convScratch(g)))
                convGemm(g, x, w, b, &fast, act, col: &col, threads: threads)
            }
            let (err, scale) = maxAbsError(fast, ref)
            #expect(err < 1e-4 * scale, "geometry \(i) gemm/depthwise threads \(threads): \(err)")
            if let plan = Winograd.plan(g) {
                let packed = Winograd.transformWeights(g, w)
                var scratch = [Float](repeating: 0, count: plan.scratch)
                var wino = [Float](repeating: .nan, count: outCount)
                Winograd.conv(plan, x, packed.p, b, &wino, act, scratch: &scratch, threads: threads)
                let (e2, s2) = maxAbsError(wino, ref)
                #expect(e2 < 1e-4 * s2, "geometry \(i) winograd threads \(threads): \(e2)")
            }
        }
    }

    @Test func convTransposeMatchesReference() {
        var g = ConvGeometry()
        g.n = 1; g.c = 4; g.m = 6; g.h = 7; g.w = 5; g.kh = 3; g.kw = 3; g.sh = 2; g.sw = 2
        g.padTop = 1; g.padLeft = 1; g.padBottom = 1; g.padRight = 1; g.group = 2
        g.oh = 2 * (g.h - 1) + 3 - 2; g.ow = 2 * (g.w - 1) + 3 - 2
        let x = seededRandom(g.c * g.inPlane, seed: 7)
        let w = seededRandom(g.c * g.mg * 9, seed: 8)
        let b = seededRandom(g.m, seed: 9)
        var ref = [Float](repeating: 0, count: g.m * g.outPlane), fast = ref
        convTransposeReference(g, x, w, b, &ref, .relu)
        var col = [Float](repeating: 0, count: convTransposeScratch(g))
        convTransposeGemm(g, x, w, b, &fast, .relu, col: &col, threads: 2)
        let (err, scale) = maxAbsError(fast, ref)
        #expect(err < 1e-4 * scale)
    }
}

@Suite struct FastMathTests {
    /// fastExp (Softmax's exp) against its reference, expf.
    @Test func fastExpMatchesExpf() {
        var worst: Float = 0
        var x: Float = -90
        while x < 88.3 {
            let ref = expf(x)
            if ref > 1e-30 { worst = max(worst, abs(fastExp(x) - ref) / ref) }
            x += 0.0137
        }
        #expect(worst < 5e-7, "max relative error \(worst)")
        #expect(fastExp(-200) == 0)
    }

    /// The vectorised sigmoid (eight lanes through fastExp8, then a scalar tail) against its
    /// naive twin, over the tails too: 1e-6 absolute, 1e-6 relative.
    @Test func sigmoidMatchesReference() {
        var xs: [Float] = []
        var x: Float = -120
        while x < 120 { xs.append(x); x += 0.0731 }
        xs += [0, -0, 1e-8, -1e-8, .infinity, -.infinity, 88.3, -88.3, 87.4, -87.4]
        let n = xs.count   // not a multiple of 8: the tail runs too
        var y = xs
        y.withUnsafeMutableBufferPointer { Activation.sigmoid.apply($0.baseAddress!, n, channel: 0) }
        var worst: Float = 0
        for i in 0..<n {
            let ref = Activation.sigmoid.reference(xs[i], channel: 0)
            worst = max(worst, abs(y[i] - ref) / max(ref, 1))
            #expect(abs(y[i] - ref) <= 1e-6 * max(ref, 1e-30) || abs(y[i] - ref) < 1e-30, "sigmoid(\(xs[i])): \(y[i]) vs \(ref)")
        }
        #expect(worst < 1e-6)
    }
}
