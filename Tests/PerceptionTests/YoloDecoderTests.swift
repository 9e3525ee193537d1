// YOLO decoder vs the Python decoding (tools/train/make_perception_fixtures.py --yolo) of the
// teacher's reference outputs in ../shared/models/teachers/reference; skipped when that is absent.

import Foundation
import Messages
import Testing
@testable import Perception

@Suite struct YoloDecoderTests {
    static let teachers = Paths.shared.appendingPathComponent("models/teachers")
    static let available = Paths.exists(teachers.appendingPathComponent("reference/yolo-fastest-1.1/output_real_yolo_stride16.npy"))

    @Test(.enabled(if: available, "../shared/models/teachers/reference is absent: skipping the YOLO reference test"))
    func matchesPythonDecoding() throws {
        let spec = try YoloSpec.load(path: Self.teachers.appendingPathComponent("yolo-fastest-1.1.json").path)
        let dec = try YoloDecoder(spec: spec)
        let expected = try ExpectedDetections.load(Paths.fixtures.appendingPathComponent("perception/yolo_real_expected.json"))
        var arrays: [String: [Float]] = [:]
        for o in spec.outputs {
            arrays[o.name] = try readNPY(Self.teachers.appendingPathComponent("reference/yolo-fastest-1.1/output_real_\(o.name).npy")).floats
        }
        let mapping = InputMapping.stretch(frameWidth: expected.frame_width, frameHeight: expected.frame_height,
                                           inputWidth: spec.input.width, inputHeight: spec.input.height)
        let a = arrays[spec.outputs[0].name]!, b = arrays[spec.outputs[1].name]!
        let got = try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                try dec.decode([spec.outputs[0].name: pa, spec.outputs[1].name: pb], mapping: mapping)
            }
        }
        #expect(got.count == expected.detections.count)
        for (g, e) in zip(got, expected.detections) {
            #expect(g.objectClass.rawValue == e.class)
            #expect(abs(g.score - e.score) < 1e-4)
            for (x, y) in [(g.box.x1, e.x1), (g.box.y1, e.y1), (g.box.x2, e.x2), (g.box.y2, e.y2)] { #expect(abs(x - y) < 0.05) }
        }
    }

    @Test func rejectsMissingOutput() throws {
        let spec = YoloSpec(input: .init(width: 32, height: 32), num_classes: 1, num_anchors_per_output: 1,
                            outputs: [.init(name: "o", grid: [1, 1], stride: 32, anchors: [[10, 10]])],
                            decoding: .init(darknet_defaults: .init(conf_thresh: 0.25, nms_iou: 0.45)), class_names: ["car"])
        let dec = try YoloDecoder(spec: spec)
        let m = InputMapping.stretch(frameWidth: 32, frameHeight: 32, inputWidth: 32, inputHeight: 32)
        #expect(throws: PerceptionError.self) { try dec.decode([:], mapping: m) }
        // one confident car at the cell centre: sigmoid(0) = 0.5 -> centre (16, 16), size 10 x 10
        let raw: [Float] = [0, 0, 0, 0, 5, 5]
        let d = try raw.withUnsafeBufferPointer { try dec.decode(["o": $0], mapping: m) }
        #expect(d.count == 1 && d[0].objectClass == .vehicle && d[0].box == BoundingBox(x1: 11, y1: 11, x2: 21, y2: 21))
    }
}
