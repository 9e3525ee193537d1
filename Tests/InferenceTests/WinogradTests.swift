// Winograd F(2x2,3x3) against the naive conv twin: both ways of splitting the work (whole
// blocks per worker when there are many blocks, each block shared when there are few), with
// and without a fused residual sum, bit-identical at 1 and 2 threads.

import Foundation
import Testing
@testable import Inference

@Suite struct WinogradTests {
    /// (c, m, h, w): one block of a small image (shared block), and enough blocks (c = 512 makes
    /// 32-tile blocks; 32x32 output = 256 tiles = 8 blocks) for whole blocks per worker.
    static let shapes: [(Int, Int, Int, Int)] = [(24, 20, 13, 17), (512, 8, 32, 32), (512, 6, 31, 29)]

    @Test(arguments: 0..<shapes.count, [false, true])
    func matchesReference(_ i: Int, _ withSum: Bool) throws {
        let (c, m, h, w) = Self.shapes[i]
        var g = ConvGeometry()
        g.n = 1; g.c = c; g.m = m; g.h = h; g.w = w; g.kh = 3; g.kw = 3; g.sh = 1; g.sw = 1; g.dh = 1; g.dw = 1
        g.padTop = 1; g.padLeft = 1; g.padBottom = 1; g.padRight = 1; g.group = 1
        g.oh = h; g.ow = w
        let plan = try #require(Winograd.plan(g))
        let tiles = plan.tilesH * plan.tilesW
        let blocks = (tiles + plan.blockTiles - 1) / plan.blockTiles
        #expect((i == 0) == (blocks < Winograd.splitBlocks), "shape \(i): \(blocks) blocks")
        let x = seededRandom(c * h * w, seed: UInt64(10 + i))
        let wt = seededRandom(m * c * 9, seed: UInt64(20 + i)).map { $0 / Float(c).squareRoot() }
        let b = seededRandom(m, seed: UInt64(30 + i))
        let s = seededRandom(m * h * w, seed: UInt64(40 + i))
        var ref = [Float](repeating: 0, count: m * h * w)
        convReference(g, x, wt, b, &ref, .none)
        if withSum { for k in ref.indices { ref[k] += s[k] } }
        for k in ref.indices { ref[k] = max(ref[k], 0) }
        let packed = Winograd.transformWeights(g, wt)
        var outs: [[Float]] = []
        for threads in [1, 2] {
            var scratch = [Float](repeating: 0, count: plan.scratch)
            var y = [Float](repeating: .nan, count: m * h * w)
            s.withUnsafeBufferPointer { sp in
                Winograd.conv(plan, x, packed.p, b, sum: withSum ? sp.baseAddress : nil, &y, .relu,
                              scratch: &scratch, threads: threads)
            }
            let (err, scale) = maxAbsError(y, ref)
            #expect(err < 1e-4 * scale, "shape \(i) sum \(withSum) threads \(threads): \(err)")
            outs.append(y)
        }
        #expect(outs[0] == outs[1], "shape \(i): 1 and 2 threads differ")
    }
}
