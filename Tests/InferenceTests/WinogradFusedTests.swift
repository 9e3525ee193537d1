// The fused AVX-512 Winograd kernel (ck_wino_*, WinogradFused) against the naive conv twin:
// odd sizes (vectors spanning two or more tile rows, a partial last vector, an odd last output row), same-size and valid and
// one-sided pads, each activation it applies (none, ReLU, LeakyRelu, PRelu per channel and shared), with and without bias, with a fused residual (also in place), 1 and 2 threads
// bit-identical; and the shapes it takes or leaves to the direct kernel. Skipped (nothing to run) without AVX-512.

import CKernels
import Foundation
import Testing
@testable import Inference

@Suite struct WinogradFusedTests {
    /// (c, m, h, w, padTop, padLeft, padBottom, padRight)
    static let shapes: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (16, 16, 7, 9, 1, 1, 1, 1),        // 4 tiles a row: one vector over the 4 tile rows
        (24, 20, 13, 37, 1, 1, 1, 1),      // 19 tiles a row: vectors across row ends, odd rows; m not a multiple of 8
        (20, 16, 10, 18, 1, 1, 1, 1),      // the 576x320 input's stride-32 plane: 9 tiles a row, 45 in 3 vectors
        (16, 16, 6, 5, 0, 1, 1, 0),        // one-sided pads: 5x4 output, 3x2 tiles, an odd last output row
        (17, 33, 36, 64, 1, 1, 1, 1),      // the student's 36x64 shape, odd channel counts
        (16, 24, 20, 70, 0, 0, 0, 0),      // valid: 18x68
        (32, 16, 11, 40, 1, 0, 1, 1),      // one-sided pads: 11x39
        (48, 48, 44, 76, 1, 1, 1, 1),      // a 608x352 input's stride-8 plane
    ]

    static func geometry(_ s: (Int, Int, Int, Int, Int, Int, Int, Int)) -> ConvGeometry {
        var g = ConvGeometry()
        g.n = 1; g.c = s.0; g.m = s.1; g.h = s.2; g.w = s.3; g.kh = 3; g.kw = 3
        g.padTop = s.4; g.padLeft = s.5; g.padBottom = s.6; g.padRight = s.7
        g.oh = g.h + g.padTop + g.padBottom - 2; g.ow = g.w + g.padLeft + g.padRight - 2
        return g
    }

    /// The activations the kernel applies, by name (PRelu's slopes depend on m).
    static let activations = ["none", "relu", "leakyRelu", "prelu", "prelu1"]

    static func activation(_ name: String, m: Int) -> Activation {
        switch name {
        case "relu": return .relu
        case "leakyRelu": return .leakyRelu(0.1)
        case "prelu": return .prelu((0..<m).map { Float($0 % 7) * 0.15 - 0.3 })   // negative, zero and positive slopes
        case "prelu1": return .prelu([0.25])
        default: return .none
        }
    }

    /// Input x (seed) and weights (seed + 10, scaled by 1 / sqrt(c): unit-scale outputs) for `g`.
    static func data(_ g: ConvGeometry, seed: UInt64) -> (x: [Float], wt: [Float]) {
        (seededRandom(g.c * g.h * g.w, seed: seed),
         seededRandom(g.m * g.c * 9, seed: seed + 10).map { $0 / Float(g.c).squareRoot() })
    }

    /// Shape i with the named activation, its input and weights (`data` at `seed`).
    static func problem(_ i: Int, _ name: String, seed: UInt64) -> (g: ConvGeometry, act: Activation, x: [Float], wt: [Float]) {
        let g = geometry(shapes[i])
        let (x, wt) = data(g, seed: seed)
        return (g, activation(name, m: g.m), x, wt)
    }

    @Test(arguments: 0..<shapes.count, activations)
    func matchesReference(_ i: Int, _ name: String) throws {
        guard DirectConv.isa == Int32(CK_ISA_AVX512) else { return }
        let (g, act, x, wt) = Self.problem(i, name, seed: UInt64(50 + i))
        let bias: [Float]? = i % 2 == 0 ? seededRandom(g.m, seed: UInt64(70 + i)) : nil
        var ref = [Float](repeating: 0, count: g.m * g.outPlane)
        if let bias { convReference(g, x, wt, bias, &ref, act) } else { convReference(g, x, wt, nil, &ref, act) }
        var outs: [[Float]] = []
        for threads in [1, 2] {
            let plan = try #require(WinogradFused.plan(g, weights: wt, act: act, threads: threads, anyWidth: true), "shape \(i)")
            var scratch = [Float](repeating: .nan, count: plan.scratch)
            var y = [Float](repeating: .nan, count: g.m * g.outPlane)
            if let bias {
                bias.withUnsafeBufferPointer { WinogradFused.conv(plan, x, $0.baseAddress, &y, scratch: &scratch, threads: threads) }
            } else {
                WinogradFused.conv(plan, x, nil, &y, scratch: &scratch, threads: threads)
            }
            let (err, scale) = maxAbsError(y, ref)
            #expect(err < 1e-5 * scale, "shape \(i) \(act) threads \(threads): \(err) (scale \(scale))")
            outs.append(y)
        }
        #expect(outs[0] == outs[1], "shape \(i): 1 and 2 threads differ")
    }

    /// A fused residual Add (y = act(conv + bias + sum)), also with the sum in y itself, as the
    /// engine may run it in place.
    @Test(arguments: 0..<shapes.count, activations)
    func residualMatchesReference(_ i: Int, _ name: String) throws {
        guard DirectConv.isa == Int32(CK_ISA_AVX512) else { return }
        let (g, act, x, wt) = Self.problem(i, name, seed: UInt64(80 + i))
        let bias = seededRandom(g.m, seed: UInt64(100 + i))
        let sum = seededRandom(g.m * g.outPlane, seed: UInt64(110 + i))
        var ref = [Float](repeating: 0, count: g.m * g.outPlane)
        convReference(g, x, wt, bias, &ref, .none)
        ref = ref.indices.map { act.reference(ref[$0] + sum[$0], channel: $0 / g.outPlane) }
        let plan = try #require(WinogradFused.plan(g, weights: wt, act: act, threads: 2, anyWidth: true), "shape \(i)")
        var scratch = [Float](repeating: .nan, count: plan.scratch)
        var outs: [[Float]] = []
        for (threads, inPlace) in [(1, false), (2, false), (2, true)] {
            var y = inPlace ? sum : [Float](repeating: .nan, count: g.m * g.outPlane)
            bias.withUnsafeBufferPointer { b in
                y.withUnsafeMutableBufferPointer { yp in
                    if inPlace {
                        WinogradFused.conv(plan, x, b.baseAddress, sum: UnsafePointer(yp.baseAddress!), yp.baseAddress!,
                                           scratch: &scratch, threads: threads)
                    } else {
                        sum.withUnsafeBufferPointer {
                            WinogradFused.conv(plan, x, b.baseAddress, sum: $0.baseAddress, yp.baseAddress!, scratch: &scratch,
                                               threads: threads)
                        }
                    }
                }
            }
            let (err, scale) = maxAbsError(y, ref)
            #expect(err < 1e-5 * scale, "shape \(i) \(act) threads \(threads) in place \(inPlace): \(err) (scale \(scale))")
            outs.append(y)
        }
        #expect(outs[0] == outs[1] && outs[1] == outs[2], "shape \(i): threads or in-place runs differ")
    }

    @Test func takesOnlyWhatItSuits() {
        guard DirectConv.isa == Int32(CK_ISA_AVX512) else { return }
        var g = Self.geometry((48, 48, 36, 64, 1, 1, 1, 1))
        #expect(WinogradFused.suits(g, act: .relu))
        #expect(!WinogradFused.suits(g, act: .sigmoid))
        #expect(WinogradFused.suits(g, act: .prelu([Float](repeating: 0.2, count: 48))))   // TwinLiteNet's Conv+PRelu
        #expect(WinogradFused.suits(g, act: .prelu([0.2])) && WinogradFused.suits(g, act: .leakyRelu(0.1)))
        #expect(!WinogradFused.suits(g, act: .prelu([0.2, 0.3])))                          // neither one slope nor one per channel
        #expect(!WinogradFused.suits(g, act: .relu, isa: Int32(CK_ISA_AVX2)))
        g.sh = 2; g.sw = 2; g.oh = 18; g.ow = 32
        #expect(!WinogradFused.suits(g, act: .relu))                      // stride 2
        #expect(WinogradFused.suits(Self.geometry((128, 128, 9, 16, 1, 1, 1, 1)), act: .relu))    // 8 tiles a row, 40 in 3 vectors (v10's 9x16: 0.157 -> 0.117 ms)
        #expect(!WinogradFused.suits(Self.geometry((3, 16, 36, 64, 1, 1, 1, 1)), act: .relu))     // 3 channels
        #expect(!WinogradFused.suits(Self.geometry((16, 16, 36, 64, 2, 2, 2, 2)), act: .relu))    // pad 2
        #expect(WinogradFused.suits(Self.geometry((16, 16, 7, 33, 1, 1, 1, 1)), act: .relu))      // 68 tiles in 5 vectors
        #expect(!WinogradFused.suits(Self.geometry((16, 16, 2, 2, 1, 1, 1, 1)), act: .relu))     // one tile: transforms cost more
        #expect(WinogradFused.suits(Self.geometry((16, 16, 2, 2, 1, 1, 1, 1)), act: .relu, anyWidth: true))
        #expect(WinogradFused.suits(Self.geometry((48, 48, 40, 72, 1, 1, 1, 1)), act: .relu))     // 576x320 input, stride 8
        #expect(WinogradFused.suits(Self.geometry((96, 96, 20, 36, 1, 1, 1, 1)), act: .relu))     // and stride 16
        #expect(WinogradFused.suits(Self.geometry((128, 128, 10, 18, 1, 1, 1, 1)), act: .relu))   // and stride 32
    }
}
