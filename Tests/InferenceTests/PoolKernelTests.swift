// Separable max pooling against its naive twin: max is exact, so the bits must agree (NaN too).
// Separable average pooling against its twin, within float rounding (the sums' order differs), both divisor rules.

import Testing
@testable import Inference

@Suite struct PoolKernelTests {
    /// Three planes of h x w, a k x k window with equal stride, dilation and pads: (h, w, k, stride, dilation, pad).
    static func geometry(_ c: (Int, Int, Int, Int, Int, Int)) -> PoolGeometry {
        var g = PoolGeometry()
        g.planes = 3; g.h = c.0; g.w = c.1; g.kh = c.2; g.kw = c.2; g.sh = c.3; g.sw = c.3; g.dh = c.4; g.dw = c.4
        g.padTop = c.5; g.padLeft = c.5; g.padBottom = c.5; g.padRight = c.5
        g.oh = (g.h + 2 * c.5 - (c.2 - 1) * c.4 - 1) / c.3 + 1
        g.ow = (g.w + 2 * c.5 - (c.2 - 1) * c.4 - 1) / c.3 + 1
        return g
    }

    @Test(arguments: [(10, 10, 9, 1, 1, 4), (13, 17, 3, 2, 1, 1), (12, 11, 2, 2, 1, 0), (9, 14, 3, 1, 2, 2), (6, 7, 5, 3, 1, 2)])
    func separableMatchesReference(_ c: (Int, Int, Int, Int, Int, Int)) {
        let g = Self.geometry(c)
        var x = seededRandom(g.planes * g.h * g.w, seed: 11)
        x[g.h * g.w + 5] = .nan   // one NaN in the second plane
        var fast = [Float](repeating: 0, count: g.planes * g.oh * g.ow), ref = fast
        var scratch = [Float](repeating: 0, count: g.h * g.ow)
        maxPoolSeparable(g, x, &fast, scratch: &scratch, threads: 1)
        maxPool(g, x, &ref, threads: 1)
        #expect(fast.map(\.bitPattern) == ref.map(\.bitPattern))
        #expect(fast.contains { $0.isNaN })
    }

    @Test(arguments: [(10, 10, 9, 1, 1, 4), (13, 17, 3, 2, 1, 1), (12, 11, 2, 2, 1, 0), (9, 14, 3, 1, 2, 2), (6, 7, 5, 3, 1, 2),
                      (360, 64, 3, 2, 1, 1)],   // TwinLiteNet's input pools: 3x3, stride 2, pad 1
          [false, true])
    func separableAverageMatchesReference(_ c: (Int, Int, Int, Int, Int, Int), _ includePad: Bool) {
        let g = Self.geometry(c)
        let x = seededRandom(g.planes * g.h * g.w, seed: 12)
        var ref = [Float](repeating: 0, count: g.planes * g.oh * g.ow)
        avgPool(g, includePad: includePad, x, &ref, threads: 1)
        for threads in [1, 2] {
            var fast = [Float](repeating: .nan, count: ref.count)
            var scratch = [Float](repeating: .nan, count: threads * g.h * g.ow)
            avgPoolSeparable(g, includePad: includePad, columns: avgPoolColumnDivisors(g, includePad: includePad), x, &fast,
                             scratch: &scratch, threads: threads)
            let (err, scale) = maxAbsError(fast, ref)
            #expect(err < 1e-6 * scale, "\(c) includePad \(includePad) threads \(threads): \(err)")
        }
    }
}
