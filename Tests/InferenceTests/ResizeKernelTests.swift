// Separable linear resize against its naive twin: the same arithmetic, so the same bits.

import Testing
@testable import Inference

@Suite struct ResizeKernelTests {
    @Test(arguments: [(7, 9, 28, 36), (56, 96, 224, 384), (20, 30, 9, 13), (40, 48, 10, 12), (5, 5, 5, 5)])
    func separableMatchesReference(_ shape: (Int, Int, Int, Int)) {
        let (inH, inW, outH, outW) = shape
        func taps(_ n: Int, _ inSize: Int) -> LinearTaps {
            var a = [Int](), b = [Int](), w = [Float]()
            for o in 0..<n {   // half_pixel, clamped
                let c = min(max((Float(o) + 0.5) * Float(inSize) / Float(n) - 0.5, 0), Float(inSize - 1))
                let i = min(Int(c), inSize - 1)
                a.append(i); b.append(min(i + 1, inSize - 1)); w.append(c - Float(i))
            }
            return LinearTaps(a, b, w)
        }
        let ty = taps(outH, inH), tx = taps(outW, inW)
        let x = seededRandom(inH * inW, seed: 7)
        var fast = [Float](repeating: 0, count: outH * outW), ref = fast
        var rows = [Float](repeating: 0, count: inH * outW)
        x.withUnsafeBufferPointer { xp in
            resizeLinearPlane(xp.baseAddress!, inH, inW, &fast, outH, outW, ty, tx, rows: &rows)
            resizeLinearReference(xp.baseAddress!, inH, inW, &ref, outH, outW, ty, tx)
        }
        #expect(fast == ref)
    }
}
