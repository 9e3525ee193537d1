// The softmax row kernels against a naive twin in Double: the AVX-512 one (CKernels/softmax.c,
// skipped without AVX-512) and the portable 8-lane softmaxRow, at lengths with and without a
// masked tail, wide ranges, -inf entries, and in place.

import CKernels
import Foundation
import Testing
@testable import Inference

@Suite struct SoftmaxKernelTests {
    static func reference(_ x: [Float]) -> [Float] {
        let m = Double(x.max() ?? 0)
        let e = x.map { Foundation.exp(Double($0) - m) }
        let s = e.reduce(0, +)
        return e.map { Float($0 / s) }
    }

    /// Largest relative error over the outputs the reference puts above 1e-30 (every output but exact zeros).
    static func relativeError(_ y: [Float], _ ref: [Float]) -> Float {
        zip(y, ref).reduce(0) { worst, p in p.1 > 1e-30 ? max(worst, abs(p.0 - p.1) / p.1) : (p.0 == 0 ? worst : .infinity) }
    }

    static func row(_ n: Int, seed: UInt64) -> [Float] {
        var x = seededRandom(n, seed: seed).map { $0 * 6 }    // exponents over +-6: every output counts
        if n > 5 { x[3] = -.infinity; x[n - 1] = 9 }            // a masked-out key and one above the rest
        return x
    }

    @Test(arguments: [1, 7, 16, 17, 100, 3600])
    func avx512MatchesReference(_ n: Int) {
        guard DirectConv.isa == Int32(CK_ISA_AVX512) else { return }
        let x = Self.row(n, seed: UInt64(300 + n)), ref = Self.reference(x)
        var y = [Float](repeating: .nan, count: n)
        ck_softmax_row_avx512(x, &y, Int32(n))
        let err = Self.relativeError(y, ref)
        #expect(err < 2e-6, "n \(n): relative error \(err)")
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { ck_softmax_row_avx512($0.baseAddress!, $0.baseAddress!, Int32(n)) }
        #expect(inPlace == y, "n \(n): in place differs")
    }

    @Test(arguments: [1, 7, 16, 17, 100, 3600])
    func portableMatchesReference(_ n: Int) {
        let x = Self.row(n, seed: UInt64(300 + n)), ref = Self.reference(x)
        var y = [Float](repeating: .nan, count: n)
        softmaxRow(x, &y, n, log: false)
        let err = Self.relativeError(y, ref)
        #expect(err < 2e-6, "n \(n): relative error \(err)")
    }

    @Test func nanStaysNaN() {
        guard DirectConv.isa == Int32(CK_ISA_AVX512) else { return }
        var x = Self.row(40, seed: 9)
        x[20] = .nan
        var y = [Float](repeating: 0, count: 40)
        ck_softmax_row_avx512(x, &y, 40)
        #expect(y.allSatisfy { $0.isNaN })
    }
}
