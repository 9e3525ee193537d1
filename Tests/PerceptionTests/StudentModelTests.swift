// The committed student model run through our engine as the pipeline does (backbone and the two
// heads as separate sub-graph sessions of one ONNX file), decoded in Swift, compared with
// onnxruntime + Python decoding (tools/train/make_perception_fixtures.py) on real held-out frames:
// boxes within 1 pixel, mask pixels equal to 99.9%.

import Foundation
import Inference
import Messages
import Testing
@testable import Perception

@Suite struct StudentModelTests {
    static let card = Paths.fixtures.appendingPathComponent("models/drivepipe-student.json")

    @Test func decodedOutputsMatchOnnxruntime() throws {
        let card = try ModelCard.load(path: Self.card.path)
        let model = Paths.fixtures.appendingPathComponent("models").appendingPathComponent(card.onnx).path
        let det = card.heads.detection, seg = card.heads.segmentation
        let backbone = try InferenceSession(modelPath: model, threads: 1, inputNames: card.backbone.inputs,
                                            outputNames: card.backbone.outputs)
        let detHead = try InferenceSession(modelPath: model, threads: 1, inputNames: det.inputs, outputNames: det.outputs)
        let segHead = try InferenceSession(modelPath: model, threads: 1, inputNames: seg.inputs, outputNames: seg.outputs)
        let decoder = try CenterNetDecoder(config: card.centerNetConfig)
        let w = card.input.width, h = card.input.height
        for k in 0..<2 {
            let dir = Paths.fixtures.appendingPathComponent("perception")
            let rgb = try readNPY(dir.appendingPathComponent("student_\(k)_input.npy"))   // H x W x 3 uint8
            #expect(rgb.shape == [h, w, 3])
            var x = [Float](repeating: 0, count: 3 * h * w)
            for i in 0..<(h * w) { for c in 0..<3 { x[c * h * w + i] = rgb.floats[i * 3 + c] / 255 } }
            let feats = try backbone.run([card.input.name: Tensor(shape: [1, 3, h, w], data: x)])
            let d = try detHead.run(Dictionary(uniqueKeysWithValues: det.inputs.map { ($0, feats[$0]!) }))
            let s = try segHead.run(Dictionary(uniqueKeysWithValues: seg.inputs.map { ($0, feats[$0]!) }))
            let hm = try #require(d[det.heatmap]), sz = try #require(d[det.box_size]), off = try #require(d[det.box_offset])
            let expected = try ExpectedDetections.load(dir.appendingPathComponent("student_\(k)_expected.json"))
            let mapping = InputMapping.stretch(frameWidth: expected.frame_width, frameHeight: expected.frame_height,
                                               inputWidth: w, inputHeight: h)
            let got = try decoder.decode(heatmap: hm.data, size: sz.data, offset: off.data,
                                         height: hm.shape[2], width: hm.shape[3], mapping: mapping)
            // every expected box found (same class, within 1 px); near-threshold scores may flip
            var used = Set<Int>()
            for e in expected.detections {
                let j = got.indices.first { !used.contains($0) && got[$0].objectClass.rawValue == e.class
                    && abs(got[$0].box.x1 - e.x1) <= 1 && abs(got[$0].box.y1 - e.y1) <= 1
                    && abs(got[$0].box.x2 - e.x2) <= 1 && abs(got[$0].box.y2 - e.y2) <= 1 }
                if let j { used.insert(j); #expect(abs(got[j].score - e.score) < 1e-3) }
                else { #expect(abs(e.score - card.heads.detection.score_threshold) < 1e-3, "frame \(k): missing \(e)") }
            }
            for j in got.indices where !used.contains(j) {
                #expect(abs(got[j].score - card.heads.detection.score_threshold) < 1e-3, "frame \(k): extra \(got[j])")
            }
            let logits = try #require(s[seg.logits])
            let mask = try SegmentationDecoder().decode(logits: logits.data, height: logits.shape[2], width: logits.shape[3])
            let ref = try readNPY(dir.appendingPathComponent("student_\(k)_mask.npy"))
            #expect(ref.shape == [mask.height, mask.width])
            let same = zip(mask.labels, ref.floats).filter { Float($0) == $1 }.count
            #expect(Double(same) / Double(ref.floats.count) >= 0.999, "frame \(k): \(same)/\(ref.floats.count) mask pixels agree")
        }
    }
}
