// The fused resize + argmax of segmentation logits (CKernels ck_resize_argmax) against its naive
// twin (four neighbours per pixel in the engine's arithmetic) on every instruction set, and on the
// committed student model: the head run up to its trailing Resize, then fused, gives exactly the
// mask of the whole head + argmax, and matches onnxruntime's decoded mask on the real frames.

import CKernels
import Foundation
import Inference
import Messages
import Testing
@testable import Perception

@Suite struct LogitsUpsampleTests {
    static var isas: [Int32] {
        let best = ck_cpu_isa()
        return [Int32(CK_ISA_SCALAR), Int32(CK_ISA_AVX2), Int32(CK_ISA_AVX512)].filter { $0 <= best }
    }

    @Test(arguments: [("half_pixel", Float(4), Float(4), 7, 9), ("half_pixel", 2.5, 1.5, 5, 11), ("align_corners", 3, 2, 4, 6),
                      ("asymmetric", 2, 3, 3, 5), ("pytorch_half_pixel", 1, 0.5, 6, 300), ("half_pixel", 1, 1, 1, 1)])
    func kernelMatchesNaiveTwin(_ c: (String, Float, Float, Int, Int)) throws {
        let (mode, sh, sw, h, w) = c
        let u = LogitsUpsample(source: "x", scaleH: sh, scaleW: sw, coordinateMode: mode, sizeH: nil, sizeW: nil)
        var seed: UInt64 = 99
        let logits: [Float] = (0..<(3 * h * w)).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(seed >> 59)) / 8 - 2
        }
        for labels in [SegmentationClass.allCases, [.laneLine, .background, .drivable]] {
            let f = try #require(UpsampleArgmax(u, inputShape: [1, 3, h, w], channelLabels: labels))
            let expected = f.decodeReference(logits)
            for isa in Self.isas {
                f.isa = isa
                let got = try logits.withUnsafeBufferPointer { try f.decode($0) }
                #expect(got.labels == expected, "\(mode) \(sh)x\(sw) from \(h)x\(w), isa \(isa)")
                #expect(got.width == f.outWidth && got.height == f.outHeight)
            }
        }
        #expect(UpsampleArgmax(u, inputShape: [1, 2, h, w], channelLabels: SegmentationClass.allCases) == nil)
        #expect(throws: PerceptionError.self) {
            try [Float](repeating: 0, count: 5).withUnsafeBufferPointer {
                try UpsampleArgmax(u, inputShape: [1, 3, h, w], channelLabels: SegmentationClass.allCases)!.decode($0)
            }
        }
    }

    @Test func studentHeadFusedEqualsWholeHead() throws {
        let card = try ModelCard.load(path: StudentModelTests.card.path)
        let model = Paths.fixtures.appendingPathComponent("models").appendingPathComponent(card.onnx).path
        let seg = card.heads.segmentation
        let u = try #require(LogitsUpsample.find(modelPath: model, logits: seg.logits), "the student's head ends in a linear Resize")
        let backbone = try InferenceSession(modelPath: model, threads: 1, inputNames: card.backbone.inputs,
                                            outputNames: card.backbone.outputs)
        let whole = try InferenceSession(modelPath: model, threads: 1, inputNames: seg.inputs, outputNames: [seg.logits])
        let cut = try InferenceSession(modelPath: model, threads: 1, inputNames: seg.inputs, outputNames: [u.source])
        let fused = try #require(UpsampleArgmax(u, inputShape: cut.outputs[0].shape, channelLabels: SegmentationClass.allCases))
        let w = card.input.width, h = card.input.height
        #expect(fused.outWidth == whole.outputs[0].shape[3] && fused.outHeight == whole.outputs[0].shape[2])
        for k in 0..<2 {
            let dir = Paths.fixtures.appendingPathComponent("perception")
            let rgb = try readNPY(dir.appendingPathComponent("student_\(k)_input.npy"))
            var x = [Float](repeating: 0, count: 3 * h * w)
            for i in 0..<(h * w) { for c in 0..<3 { x[c * h * w + i] = rgb.floats[i * 3 + c] / 255 } }
            let feats = try backbone.run([card.input.name: Tensor(shape: [1, 3, h, w], data: x)])
            let ins = Dictionary(uniqueKeysWithValues: seg.inputs.map { ($0, feats[$0]!) })
            let logits = try #require(try whole.run(ins)[seg.logits])
            let plain = try SegmentationDecoder().decode(logits: logits.data, height: logits.shape[2], width: logits.shape[3])
            let low = try #require(try cut.run(ins)[u.source])
            let mask = try low.data.withUnsafeBufferPointer { try fused.decode($0) }
            #expect(mask == plain, "frame \(k): fused mask differs from the whole head's")
            let ref = try readNPY(dir.appendingPathComponent("student_\(k)_mask.npy"))
            let same = zip(mask.labels, ref.floats).filter { Float($0) == $1 }.count
            #expect(Double(same) / Double(ref.floats.count) >= 0.999, "frame \(k): \(same)/\(ref.floats.count) agree with onnxruntime")
        }
    }
}
