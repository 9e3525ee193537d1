// The fused attention kernel (Kernels/Attention.swift) against its naive twin, both forms, with
// transposed operands, blocks that do not divide the queries, 1 and 2 threads bit-identical; and
// the optimiser fusing the two fixture graphs (whose outputs OpFixtureTests checks against onnxruntime).

import Testing
@testable import Inference

@Suite struct AttentionTests {
    static let shapes: [AttentionShape] = [
        AttentionShape(n: 150, m: 150, d: 4, c: 6, transQ: true),                                   // TwinLiteNet's form, small
        AttentionShape(n: 37, m: 2000, d: 3, c: 5, transQ: true),                                   // 32 rows a block: two blocks, the second short
        AttentionShape(n: 70, m: 90, d: 8, c: 5, transK: true, form: .scoresByValues),              // transformer form
        AttentionShape(n: 9, m: 11, d: 2, c: 7, transV: true, form: .scoresByValues),               // one short block, v stored [c, m]
        AttentionShape(n: 200, m: 64, d: 16, c: 3, transQ: true, transK: true, form: .scoresByValues),
    ]

    @Test(arguments: 0..<shapes.count)
    func matchesReference(_ i: Int) {
        let s = Self.shapes[i]
        let q = seededRandom(s.qCount, seed: UInt64(200 + i)), k = seededRandom(s.kCount, seed: UInt64(210 + i))
        let v = seededRandom(s.vCount, seed: UInt64(220 + i))
        let ref = attentionReference(s, q, k, v)
        var outs: [[Float]] = []
        for threads in [1, 2] {
            var y = [Float](repeating: .nan, count: s.yCount)
            var scratch = [Float](repeating: .nan, count: threads * s.rows * s.m)
            attention(s, q, k, v, &y, scratch: &scratch, threads: threads)
            let (err, scale) = maxAbsError(y, ref)
            #expect(err < 1e-5 * scale, "shape \(i) threads \(threads): \(err) (scale \(scale))")
            outs.append(y)
        }
        #expect(outs[0] == outs[1], "shape \(i): 1 and 2 threads differ")
    }

    @Test(arguments: ["fuse_attention_values_by_scores", "fuse_attention_scores_by_values"])
    func fixtureGraphIsFused(_ name: String) throws {
        let fx = try loadFixture(name)
        let session = try InferenceSession(modelPath: fx.model)
        let ops = Dictionary(uniqueKeysWithValues: session.opCounts.map { ($0.op, $0.count) })
        #expect(ops["_Attention"] == 1 && ops["Softmax"] == nil && ops["MatMul"] == nil, "\(name): \(ops)")
    }
}
