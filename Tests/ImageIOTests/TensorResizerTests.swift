// The fused resize-to-tensor kernel (CKernels) against its reference twin, the two-pass path
// (bilinear resize to RGB8, then the normalisation table): bit-identical on every instruction
// set the CPU has, for shrinking, growing, identity and odd sizes, both channel orders.

import CKernels
import Foundation
import Testing
@testable import ImageIO

@Suite struct TensorResizerTests {
    static var isas: [Int32] {
        let best = ck_cpu_isa()
        return [Int32(CK_ISA_SCALAR), Int32(CK_ISA_AVX2), Int32(CK_ISA_AVX512)].filter { $0 <= best }
    }
    static let normalizations = [
        TensorNormalization(),
        TensorNormalization.imagenet,
        TensorNormalization(scale: 1, mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395], order: .bgr),
        TensorNormalization(scale: 1.0 / 127.5, mean: [1, 1, 1]),             // mean only (the kernel skips the division)
        TensorNormalization(std: [0.5, 0.25, 2], order: .bgr),                 // std only (skips the subtraction)
    ]

    /// The reference twin: resize to RGB8 (resizeBilinearKernel), then toNCHW's table.
    static func twoPass(_ image: RGBImage, _ w: Int, _ h: Int, _ n: TensorNormalization) throws -> [Float] {
        try toNCHW(try resize(image, width: w, height: h, method: .bilinear), normalization: n)
    }

    @Test(arguments: [(53, 29, 20, 11), (53, 29, 53, 29), (53, 29, 100, 61), (53, 29, 7, 3), (53, 29, 1, 1),
                      (53, 29, 106, 29), (640, 360, 384, 224), (640, 360, 512, 288), (37, 5, 17, 40), (1, 1, 5, 3)])
    func bitIdenticalToTwoPass(_ c: (Int, Int, Int, Int)) throws {
        let (sw, sh, w, h) = c
        let image = noiseImage(width: sw, height: sh, seed: UInt64(sw * 1000 + sh))
        for n in Self.normalizations {
            let expected = try Self.twoPass(image, w, h, n)
            let resizer = try TensorResizer(width: w, height: h, normalization: n)
            for isa in Self.isas {
                resizer.isa = isa
                let got = try resizer.tensor(image)
                #expect(got == expected, "\(sw)x\(sh) -> \(w)x\(h) isa \(isa) order \(n.order)")
            }
        }
    }

    /// Against the textbook Double formula too (the two-pass path is within one level of it).
    @Test func closeToTheTextbookFormula() throws {
        let image = noiseImage(width: 64, height: 36)
        let resizer = try TensorResizer(width: 38, height: 22, normalization: TensorNormalization())
        let got = try resizer.tensor(image)
        let ref = try toNCHW(resizeBilinearReference(image, width: 38, height: 22))
        let worst = zip(got, ref).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1.0 / 255 + 1e-6)
    }

    /// A stream whose frame size changes rebuilds the tables; the caller's buffer is checked.
    @Test func sizeChangesAndBadBuffers() throws {
        let resizer = try TensorResizer(width: 16, height: 9, normalization: TensorNormalization())
        for (w, h) in [(64, 36), (32, 18), (64, 36), (16, 9)] {
            let image = noiseImage(width: w, height: h, seed: UInt64(w))
            #expect(try resizer.tensor(image) == (try Self.twoPass(image, 16, 9, TensorNormalization())))
        }
        var small = [Float](repeating: 0, count: resizer.count - 1)
        #expect(throws: ImageIOError.bufferSize(expected: resizer.count, found: resizer.count - 1)) {
            try small.withUnsafeMutableBufferPointer { try resizer.write(noiseImage(width: 4, height: 4), into: $0) }
        }
        var broken = noiseImage(width: 4, height: 4)
        broken.pixels.removeLast()
        #expect(throws: ImageIOError.self) { try resizer.tensor(broken) }
        #expect(throws: ImageIOError.self) { try TensorResizer(width: 0, height: 9, normalization: TensorNormalization()) }
        #expect(throws: ImageIOError.self) {
            try TensorResizer(width: 4, height: 4, normalization: TensorNormalization(std: [1, 0, 1]))
        }
    }
}
