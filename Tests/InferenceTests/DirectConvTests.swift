// The C direct and depthwise convolution kernels (every instruction set this CPU runs, every
// register block) against the naive twin `convReference`, and 1 vs 2 threads bit-identical.

import CKernels
import Foundation
import Testing
@testable import Inference

@Suite struct DirectConvTests {
    static func geometry(c: Int, m: Int, h: Int, w: Int, kh: Int, kw: Int? = nil, s: Int = 1, sw: Int? = nil,
                         d: Int = 1, pads: (Int, Int, Int, Int) = (0, 0, 0, 0), group: Int = 1, n: Int = 1) -> ConvGeometry {
        var g = ConvGeometry()
        g.n = n; g.c = c; g.m = m; g.h = h; g.w = w; g.kh = kh; g.kw = kw ?? kh
        g.sh = s; g.sw = sw ?? s; g.dh = d; g.dw = d
        (g.padTop, g.padLeft, g.padBottom, g.padRight) = pads
        g.group = group
        g.oh = (h + g.padTop + g.padBottom - (g.kh - 1) * d - 1) / g.sh + 1
        g.ow = (w + g.padLeft + g.padRight - (g.kw - 1) * d - 1) / g.sw + 1
        return g
    }

    static let geometries: [ConvGeometry] = [
        geometry(c: 3, m: 12, h: 19, w: 37, kh: 3, s: 2, pads: (1, 1, 1, 1)),
        geometry(c: 12, m: 12, h: 14, w: 40, kh: 3, pads: (1, 1, 1, 1)),
        geometry(c: 13, m: 11, h: 9, w: 17, kh: 3, pads: (1, 1, 1, 1)),            // odd channels and widths
        geometry(c: 5, m: 7, h: 16, w: 21, kh: 1),                                    // pointwise, tail inside the plane
        geometry(c: 9, m: 20, h: 3, w: 5, kh: 1),                                     // pointwise, plane < one vector
        geometry(c: 4, m: 9, h: 11, w: 13, kh: 1, s: 2),                              // strided 1x1
        geometry(c: 6, m: 5, h: 12, w: 23, kh: 2, pads: (0, 1, 1, 0)),               // even kernel, asymmetric pads
        geometry(c: 4, m: 6, h: 15, w: 18, kh: 5, s: 2, pads: (2, 2, 2, 2)),
        geometry(c: 3, m: 10, h: 13, w: 33, kh: 7, pads: (3, 3, 3, 3)),
        geometry(c: 3, m: 8, h: 21, w: 27, kh: 7, s: 2, pads: (3, 2, 1, 3)),
        geometry(c: 8, m: 8, h: 12, w: 14, kh: 3, d: 2, pads: (2, 2, 2, 2)),         // dilation
        geometry(c: 5, m: 4, h: 17, w: 19, kh: 3, s: 2, d: 3, pads: (3, 3, 3, 3)),   // dilation and stride
        geometry(c: 4, m: 6, h: 10, w: 31, kh: 1, kw: 5, sw: 3, pads: (0, 2, 0, 1)), // 1x5, stride 3 along width
        geometry(c: 6, m: 9, h: 1, w: 50, kh: 1, kw: 3, pads: (0, 1, 0, 1)),         // 1-D
        geometry(c: 8, m: 12, h: 9, w: 10, kh: 3, pads: (1, 1, 1, 1), group: 4),     // grouped
        geometry(c: 6, m: 16, h: 7, w: 9, kh: 3, pads: (1, 1, 1, 1), n: 2),          // batch
        geometry(c: 16, m: 40, h: 6, w: 70, kh: 3, pads: (1, 1, 1, 1)),              // many units
        geometry(c: 2, m: 3, h: 5, w: 4, kh: 3),                                      // no padding, tiny
        geometry(c: 5, m: 9, h: 14, w: 29, kh: 4, pads: (1, 2, 2, 1)),               // even kernel 4
        geometry(c: 3, m: 5, h: 20, w: 41, kh: 6, s: 2, pads: (2, 3, 3, 2)),         // kernel 6, stride 2
    ]

    static let depthwise: [ConvGeometry] = [
        geometry(c: 8, m: 8, h: 10, w: 12, kh: 3, pads: (1, 1, 1, 1), group: 8),
        geometry(c: 7, m: 7, h: 11, w: 37, kh: 5, s: 2, pads: (2, 2, 2, 2), group: 7),
        geometry(c: 5, m: 5, h: 9, w: 19, kh: 3, s: 2, pads: (0, 1, 1, 0), group: 5),
        geometry(c: 6, m: 6, h: 12, w: 13, kh: 3, d: 2, pads: (2, 2, 2, 2), group: 6),
        geometry(c: 4, m: 4, h: 7, w: 9, kh: 1, group: 4, n: 2),
        geometry(c: 3, m: 3, h: 8, w: 41, kh: 7, pads: (3, 3, 3, 3), group: 3),
    ]

    static let activations: [Activation] = [
        .none, .relu, .leakyRelu(0.1), .clip(-0.5, 0.7), .prelu([0.25]), .hardSigmoid(0.2, 0.5), .hardSwish, .sigmoid,
    ]

    /// Instruction sets this CPU runs, with their register blocks.
    static var variants: [(isa: Int32, block: (Int, Int))] {
        var v: [(Int32, (Int, Int))] = [(Int32(CK_ISA_SCALAR), (4, 3))]
        if ck_cpu_isa() >= Int32(CK_ISA_AVX2) { v.append((Int32(CK_ISA_AVX2), (4, 3))) }
        if ck_cpu_isa() >= Int32(CK_ISA_AVX512) { v += [(Int32(CK_ISA_AVX512), (8, 3)), (Int32(CK_ISA_AVX512), (6, 4)), (Int32(CK_ISA_AVX512), (4, 6))] }
        return v
    }

    /// Per-channel PRelu slopes for m channels (a different slope per channel).
    static func perChannel(_ act: Activation, m: Int) -> Activation {
        if case .prelu = act { return .prelu((0..<m).map { 0.05 + 0.1 * Float($0 % 7) }) }
        return act
    }

    @Test(arguments: 0..<geometries.count)
    func directMatchesReference(_ i: Int) throws {
        let g = Self.geometries[i]
        let x = seededRandom(g.n * g.c * g.inPlane, seed: UInt64(i))
        let w = seededRandom(g.m * g.kSize, seed: UInt64(100 + i))
        let b = seededRandom(g.m, seed: UInt64(200 + i))
        let outCount = g.n * g.m * g.outPlane
        for (ai, act0) in Self.activations.enumerated() {
            let act = Self.perChannel(act0, m: g.m)
            var ref = [Float](repeating: 0, count: outCount)
            convReference(g, x, w, ai % 2 == 0 ? b : nil, &ref, act)
            for v in Self.variants {
                let plan = try #require(DirectConv.plan(g, weights: w, act: act, isa: v.isa, block: v.block))
                var outs: [[Float]] = []
                for threads in [1, 2] {
                    var y = [Float](repeating: .nan, count: outCount)
                    var scratch = [Float](repeating: .nan, count: max(1, plan.scratch))
                    b.withUnsafeBufferPointer { bp in
                        DirectConv.conv(plan, x, ai % 2 == 0 ? bp.baseAddress : nil, &y, scratch: &scratch, threads: threads)
                    }
                    outs.append(y)
                }
                let (err, scale) = maxAbsError(outs[0], ref)
                #expect(err < 1e-4 * scale, "geometry \(i) \(act0) isa \(v.isa) block \(v.block): error \(err)")
                #expect(outs[0] == outs[1], "geometry \(i) \(act0) isa \(v.isa): 1 and 2 threads differ")
            }
        }
    }

    @Test(arguments: 0..<depthwise.count)
    func depthwiseMatchesReference(_ i: Int) throws {
        let g = Self.depthwise[i]
        let x = seededRandom(g.n * g.c * g.inPlane, seed: UInt64(300 + i))
        let w = seededRandom(g.m * g.kSize, seed: UInt64(400 + i))
        let b = seededRandom(g.m, seed: UInt64(500 + i))
        let outCount = g.n * g.m * g.outPlane
        for (ai, act0) in Self.activations.enumerated() {
            let act = Self.perChannel(act0, m: g.m)
            var ref = [Float](repeating: 0, count: outCount)
            convReference(g, x, w, ai % 2 == 0 ? b : nil, &ref, act)
            for isa in Set(Self.variants.map(\.isa)).sorted() {
                let plan = try #require(DirectConv.depthwisePlan(g, act: act, isa: isa))
                var outs: [[Float]] = []
                for threads in [1, 2] {
                    var y = [Float](repeating: .nan, count: outCount)
                    var scratch = [Float](repeating: .nan, count: DirectConv.depthwiseScratch(plan, threads: threads))
                    b.withUnsafeBufferPointer { bp in
                        DirectConv.depthwise(plan, x, w, ai % 2 == 0 ? bp.baseAddress : nil, &y, scratch: &scratch, threads: threads)
                    }
                    outs.append(y)
                }
                let (err, scale) = maxAbsError(outs[0], ref)
                #expect(err < 1e-4 * scale, "depthwise \(i) \(act0) isa \(isa): error \(err)")
                #expect(outs[0] == outs[1], "depthwise \(i) \(act0) isa \(isa): 1 and 2 threads differ")
            }
        }
    }

    /// Geometries with even output sizes for the fused Add after the activation (post), plain
    /// and nearest-upsampled by 2: pointwise with rows of 18 (vectors cross row ends), 3x3 on
    /// rows of 34 (a partial last vector), stride 2, grouped, batch.
    static let postGeometries: [ConvGeometry] = [
        geometry(c: 5, m: 7, h: 10, w: 18, kh: 1),
        geometry(c: 4, m: 9, h: 8, w: 34, kh: 3, pads: (1, 1, 1, 1)),
        geometry(c: 3, m: 8, h: 12, w: 40, kh: 3, s: 2, pads: (1, 1, 1, 1)),
        geometry(c: 6, m: 8, h: 6, w: 20, kh: 3, pads: (1, 1, 1, 1), group: 2, n: 2),
        geometry(c: 16, m: 20, h: 4, w: 64, kh: 1),
    ]

    /// y = act(conv) + post (post upsampled by 1 or 2) from the C epilogue against the naive
    /// conv followed by PostAdd; bit-identical to running PostAdd after the unfused kernel
    /// (the same single float add); 1 and 2 threads bit-identical.
    @Test(arguments: 0..<postGeometries.count)
    func postAddMatchesReference(_ i: Int) throws {
        let g = Self.postGeometries[i]
        let x = seededRandom(g.n * g.c * g.inPlane, seed: UInt64(600 + i))
        let w = seededRandom(g.m * g.kSize, seed: UInt64(700 + i))
        let b = seededRandom(g.m, seed: UInt64(800 + i))
        let outCount = g.n * g.m * g.outPlane
        for up in [1, 2] {
            let post = seededRandom(outCount / (up * up), seed: UInt64(900 + i))
            for act0 in [Activation.relu, .none, .sigmoid] {
                let act = Self.perChannel(act0, m: g.m)
                var ref = [Float](repeating: 0, count: outCount)
                convReference(g, x, w, b, &ref, act)
                ref.withUnsafeMutableBufferPointer { PostAdd.add($0.baseAddress!, post, planes: g.n * g.m, oh: g.oh, ow: g.ow, up: up, threads: 1) }
                for v in Self.variants {
                    let plan = try #require(DirectConv.plan(g, weights: w, act: act, isa: v.isa, block: v.block))
                    var scratch = [Float](repeating: .nan, count: max(1, plan.scratch))
                    var unfused = [Float](repeating: .nan, count: outCount)
                    DirectConv.conv(plan, x, b, &unfused, scratch: &scratch, threads: 1)
                    unfused.withUnsafeMutableBufferPointer { PostAdd.add($0.baseAddress!, post, planes: g.n * g.m, oh: g.oh, ow: g.ow, up: up, threads: 1) }
                    var outs: [[Float]] = []
                    for threads in [1, 2] {
                        var y = [Float](repeating: .nan, count: outCount)
                        DirectConv.conv(plan, x, b, post: post, postUp: up, &y, scratch: &scratch, threads: threads)
                        outs.append(y)
                    }
                    let (err, scale) = maxAbsError(outs[0], ref)
                    #expect(err < 1e-4 * scale, "post \(i) up \(up) \(act0) isa \(v.isa) block \(v.block): error \(err)")
                    #expect(outs[0] == unfused, "post \(i) up \(up) \(act0) isa \(v.isa): fused differs from unfused")
                    #expect(outs[0] == outs[1], "post \(i) up \(up) \(act0) isa \(v.isa): 1 and 2 threads differ")
                }
            }
        }
    }

    /// The depthwise kernel's epilogue with the post Add (upsampled by 2), all instruction sets.
    @Test func depthwisePostAdd() throws {
        let g = Self.geometry(c: 6, m: 6, h: 10, w: 38, kh: 3, pads: (1, 1, 1, 1), group: 6, n: 2)
        let x = seededRandom(g.n * g.c * g.inPlane, seed: 1000)
        let w = seededRandom(g.m * g.kSize, seed: 1001)
        let b = seededRandom(g.m, seed: 1002)
        let outCount = g.n * g.m * g.outPlane
        let post = seededRandom(outCount / 4, seed: 1003)
        var ref = [Float](repeating: 0, count: outCount)
        convReference(g, x, w, b, &ref, .relu)
        ref.withUnsafeMutableBufferPointer { PostAdd.add($0.baseAddress!, post, planes: g.n * g.m, oh: g.oh, ow: g.ow, up: 2, threads: 1) }
        for isa in Set(Self.variants.map(\.isa)).sorted() {
            let plan = try #require(DirectConv.depthwisePlan(g, act: .relu, isa: isa))
            for threads in [1, 2] {
                var y = [Float](repeating: .nan, count: outCount)
                var scratch = [Float](repeating: .nan, count: DirectConv.depthwiseScratch(plan, threads: threads))
                DirectConv.depthwise(plan, x, w, b, post: post, postUp: 2, &y, scratch: &scratch, threads: threads)
                let (err, scale) = maxAbsError(y, ref)
                #expect(err < 1e-4 * scale, "depthwise post isa \(isa) threads \(threads): error \(err)")
            }
        }
    }
}
