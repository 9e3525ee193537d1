// PaddedLayoutPlan: a conv writing its reader's padded input layout, and the reader skipping its
// padding copy. Kernel level: the producer's padded output equals ck_conv_pad of its plain
// output bit for bit (border zeros included), and the reader's output equals its plain run, for
// every instruction set and register block. Session level: the padded_* fixtures (and every
// other fixture, in OpFixtureTests) against onnxruntime within 1e-4 x max(1, |ref|), and
// bit-identical to the same session with the plan off; which values the plan chooses.

import CKernels
import Foundation
import Testing
@testable import Inference

@Suite struct PaddedLayoutTests {
    typealias G = DirectConvTests

    /// (producer, consumer) pairs: the producer's output is the consumer's input.
    static let chains: [(ConvGeometry, ConvGeometry)] = [
        // 3x3 s1 -> 3x3 s1, 13 channels, rows of 37 (partial vectors)
        (G.geometry(c: 3, m: 13, h: 9, w: 37, kh: 3, pads: (1, 1, 1, 1)),
         G.geometry(c: 13, m: 7, h: 9, w: 37, kh: 3, pads: (1, 1, 1, 1))),
        // 3x3 s1 -> 3x3 s2 (column phases split), odd width
        (G.geometry(c: 4, m: 10, h: 11, w: 35, kh: 3, pads: (1, 1, 1, 1)),
         G.geometry(c: 10, m: 9, h: 11, w: 35, kh: 3, s: 2, pads: (1, 1, 1, 1))),
        // 3x3 s2 -> 5x5 s2 pad 2 (even left pad: the other phase parity), width 32
        (G.geometry(c: 3, m: 6, h: 16, w: 64, kh: 3, s: 2, pads: (1, 1, 1, 1)),
         G.geometry(c: 6, m: 5, h: 8, w: 32, kh: 5, s: 2, pads: (2, 2, 2, 2))),
        // 1x1 (pointwise producer, rows kept as rows) -> 3x3 s1 and asymmetric pads
        (G.geometry(c: 5, m: 11, h: 7, w: 21, kh: 1),
         G.geometry(c: 11, m: 6, h: 7, w: 21, kh: 3, pads: (0, 1, 2, 0))),
        // 1x1 -> 3x3 s2, rows of 16 (whole vectors)
        (G.geometry(c: 8, m: 16, h: 6, w: 16, kh: 1),
         G.geometry(c: 16, m: 8, h: 6, w: 16, kh: 3, s: 2, pads: (1, 1, 1, 1))),
    ]

    @Test(arguments: 0..<chains.count)
    func producerWritesPaddingCopyAndConsumerMatches(_ i: Int) throws {
        let (g1, g2) = Self.chains[i]
        let x = seededRandom(g1.c * g1.inPlane, seed: UInt64(600 + i))
        let w1 = seededRandom(g1.m * g1.kSize, seed: UInt64(700 + i))
        let w2 = seededRandom(g2.m * g2.kSize, seed: UInt64(800 + i))
        let b1 = seededRandom(g1.m, seed: UInt64(900 + i)), b2 = seededRandom(g2.m, seed: UInt64(1000 + i))
        for v in G.variants {
            let p1 = try #require(DirectConv.plan(g1, weights: w1, act: .relu, isa: v.isa, block: v.block))
            let p2 = try #require(DirectConv.plan(g2, weights: w2, act: .none, isa: v.isa, block: v.block))
            let layout = try #require(p2.paddedInput)
            let writer = try #require(p1.variant(inputPadded: false, output: layout))
            let reader = try #require(p2.variant(inputPadded: true, output: nil))
            #expect(reader.scratch == 0)
            for threads in [1, 2] {
                // plain: producer, then the consumer's own padding copy and run
                var y1 = [Float](repeating: .nan, count: g1.m * g1.outPlane)
                var s1 = [Float](repeating: .nan, count: max(1, p1.scratch))
                DirectConv.conv(p1, x, b1, &y1, scratch: &s1, threads: threads)
                var expected = [Float](repeating: 0, count: layout.count)
                var cp = p2.cp
                expected.withUnsafeMutableBufferPointer { e in ck_conv_pad(&cp, y1, e.baseAddress!, 0, Int32(g2.c)) }
                var y2 = [Float](repeating: .nan, count: g2.m * g2.outPlane)
                var s2 = [Float](repeating: .nan, count: max(1, p2.scratch))
                DirectConv.conv(p2, y1, b2, &y2, scratch: &s2, threads: threads)
                // padded: the producer writes the whole padded tensor (border zeros included) over
                // garbage, the reader reads it as it lies
                var padded = [Float](repeating: .nan, count: layout.count)
                var none = [Float](repeating: .nan, count: 1)
                DirectConv.conv(writer, x, b1, &padded, scratch: &s1, threads: threads)
                let rows = layout.hp * layout.sw * layout.wph   // what ck_conv_pad writes of each plane
                for ch in 0..<layout.c {
                    let at = ch * layout.planeStride
                    #expect(padded[at..<(at + rows)] == expected[at..<(at + rows)],
                            "chain \(i) isa \(v.isa) block \(v.block) threads \(threads): padded channel \(ch) differs")
                }
                var y2p = [Float](repeating: .nan, count: g2.m * g2.outPlane)
                DirectConv.conv(reader, padded, b2, &y2p, scratch: &none, threads: threads)
                #expect(y2p == y2, "chain \(i) isa \(v.isa) block \(v.block) threads \(threads): consumer output differs")
            }
        }
    }

    /// Layouts a producer cannot write: stride 3 columns, and an input column the consumer never
    /// reads (ck_conv_pad drops it; the producer would write past the padded row).
    @Test func unsupportedLayoutsFallBack() throws {
        let w = seededRandom(6 * 4 * 9, seed: 5)
        let producer = try #require(DirectConv.plan(G.geometry(c: 4, m: 6, h: 9, w: 30, kh: 3, pads: (1, 1, 1, 1)),
                                                    weights: w, act: .relu))
        let s3 = try #require(DirectConv.plan(G.geometry(c: 6, m: 2, h: 9, w: 30, kh: 1, kw: 3, sw: 3, pads: (0, 1, 0, 1)),
                                              weights: seededRandom(2 * 6 * 3, seed: 6), act: .none))
        let s3Layout = try #require(s3.paddedInput)
        #expect(producer.variant(inputPadded: false, output: s3Layout) == nil)
        // 2x2 stride 2 without padding on 31 columns: column 30 is never read
        let dropsColumn = try #require(DirectConv.plan(G.geometry(c: 6, m: 2, h: 9, w: 31, kh: 2, s: 2),
                                                       weights: seededRandom(2 * 6 * 4, seed: 7), act: .none))
        let p31 = try #require(DirectConv.plan(G.geometry(c: 4, m: 6, h: 9, w: 31, kh: 3, pads: (1, 1, 1, 1)),
                                               weights: w, act: .relu))
        let dropsLayout = try #require(dropsColumn.paddedInput)
        #expect(p31.variant(inputPadded: false, output: dropsLayout) == nil)
        // a Sigmoid after the C epilogue needs plain planes
        let sig = try #require(DirectConv.plan(G.geometry(c: 4, m: 6, h: 9, w: 30, kh: 3, pads: (1, 1, 1, 1)),
                                               weights: w, act: .sigmoid))
        let reader = try #require(DirectConv.plan(G.geometry(c: 6, m: 2, h: 9, w: 30, kh: 3, pads: (1, 1, 1, 1)),
                                                  weights: seededRandom(2 * 6 * 9, seed: 8), act: .none))
        let readerLayout = try #require(reader.paddedInput)
        #expect(sig.variant(inputPadded: false, output: readerLayout) == nil)
        #expect(producer.variant(inputPadded: false, output: readerLayout) != nil)
    }

    func session(_ path: String, threads: Int = 1, padded: Bool) throws -> InferenceSession {
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        return try InferenceSession(modelData: data, threads: threads, inputNames: nil, outputNames: nil, path: path,
                                    paddedMinPixels: padded ? 0 : .max)
    }

    static let fixtures = ["padded_chain_s1_s2", "padded_fallbacks", "padded_fpn_merge"]

    /// Against onnxruntime, and bit-identical to the plain path at 1 and 2 threads.
    @Test(arguments: fixtures)
    func fixtureMatchesPlainPath(_ name: String) throws {
        let fx = try loadFixture(name)
        let plain = try session(fx.model, padded: false).run(fx.inputs)
        for threads in [1, 2] {
            let got = try session(fx.model, threads: threads, padded: true).run(fx.inputs)
            for (oname, expected) in fx.outputs {
                let g = try #require(got[oname])
                let (err, scale) = maxAbsError(g.data, expected.data)
                #expect(err < 1e-4 * scale, "\(name)/\(oname): error \(err)")
                #expect(g == plain[oname], "\(name)/\(oname) at \(threads) threads: differs from the plain path")
            }
        }
    }

    /// Which values the plan keeps padded: the whole chain; in the fallback model only `b` (read by two
    /// padded convs with one layout), not `a` (also read by an Add), `c` (also by a 1x1 conv), `d` (a
    /// graph output); in the merge the folded 1x1 conv's output.
    @Test func chosenValues() throws {
        let dir = TestPaths.fixtures
        func chosen(_ name: String) throws -> [String] {
            try session(dir.appendingPathComponent("\(name)/model.onnx").path, padded: true).paddedValues
        }
        #expect(try chosen("padded_chain_s1_s2") == ["a", "b", "c"])
        #expect(try chosen("padded_fallbacks") == ["b"])
        #expect(try chosen("padded_fpn_merge") == ["m"])
        #expect(try session(dir.appendingPathComponent("padded_chain_s1_s2/model.onnx").path, padded: false).paddedValues.isEmpty)
    }

    /// The student model: bit-identical to the plain path on random input, at 1 and 2 threads, with
    /// every eligible value padded; by default (planes of 4096 pixels and more) the three stride-4
    /// and stride-2 ones (80x144 and 160x288 for the 576x320 input), or only the stem's where the
    /// fused Winograd kernel takes the 3x3 stride-1 convs reading the stride-4 merges (AVX-512; it
    /// reads plain NCHW). With every plane size allowed, more values qualify without Winograd; with
    /// it, how many depends on which small planes it takes (since session 10 it takes the smallest,
    /// 9x16 and 10x18, too), so only the stem's is certain.
    @Test func studentBitIdentical() throws {
        let path = TestPaths.root.appendingPathComponent("fixtures/models/drivepipe-student.onnx").path
        let plainSession = try session(path, padded: false)
        let spec = try #require(plainSession.inputs.first)
        let x = Tensor(shape: spec.shape, data: seededRandom(spec.shape.reduce(1, *), seed: 42).map { $0 * 2 })
        let plain = try plainSession.run([spec.name: x])
        let byDefault = try InferenceSession(modelPath: path)
        let wino = WinogradFused.enabled && DirectConv.isa == Int32(CK_ISA_AVX512)
        #expect(byDefault.paddedValues.count == (wino ? 1 : 3), "\(byDefault.paddedValues)")
        let defaultResult = try byDefault.run([spec.name: x])
        for (k, v) in plain { #expect(defaultResult[k] == v, "student \(k) (default plan) differs from the plain path") }
        for threads in [1, 2] {
            let s = try session(path, threads: threads, padded: true)
            #expect(s.paddedValues.count >= (wino ? 1 : 6), "\(s.paddedValues)")
            let got = try s.run([spec.name: x])
            for (k, v) in plain { #expect(got[k] == v, "student \(k) at \(threads) threads differs from the plain path") }
        }
    }
}
