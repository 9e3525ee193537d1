// TwinLiteNet and Yolo-Fastest 1.1 (../shared/models/teachers) against onnxruntime's
// reference outputs, on the seeded random and the real input: max abs error < 1e-4.
// Skipped with a message when ../shared is absent.

import Foundation
import Testing
@testable import Inference

@Suite(.enabled(if: TestPaths.haveTeachers, "../shared/models/teachers absent: teacher parity tests skipped"))
struct TeacherParityTests {
    static let models: [(model: String, outputs: [String])] = [
        ("yolo-fastest-1.1", ["yolo_stride32", "yolo_stride16"]),
        ("twinlitenet", ["da", "ll"]),
    ]

    @Test(arguments: ["yolo-fastest-1.1", "twinlitenet"], ["random", "real"])
    func matchesReference(_ model: String, _ input: String) throws {
        let dir = TestPaths.teachers.appendingPathComponent("reference/\(model)")
        let session = try InferenceSession(modelPath: TestPaths.teachers.appendingPathComponent("\(model).onnx").path,
                                           threads: 2)
        let x = try NPY.read(path: dir.appendingPathComponent("input_\(input).npy").path)
        let out = try session.run(["images": x])
        let names = Self.models.first { $0.model == model }!.outputs
        for name in names {
            let ref = try NPY.read(path: dir.appendingPathComponent("output_\(input)_\(name).npy").path)
            let got = try #require(out[name])
            #expect(got.shape == ref.shape)
            let (err, _) = maxAbsError(got.data, ref.data)
            print("parity \(model) \(input) \(name): max abs error \(err)")
            #expect(err < 1e-4, "\(model) \(input) \(name): max abs error \(err)")
        }
    }

    /// Running backbone and head as two sub-graph sessions gives the full model's result.
    @Test func subGraphSplitMatchesFullRun() throws {
        let path = TestPaths.teachers.appendingPathComponent("yolo-fastest-1.1.onnx").path
        let x = try NPY.read(path: TestPaths.teachers.appendingPathComponent("reference/yolo-fastest-1.1/input_real.npy").path)
        let full = try InferenceSession(modelPath: path).run(["images": x])
        let mid = "/Concat_output_0"  // SPP output: the head's input
        let backbone = try InferenceSession(modelPath: path, outputNames: [mid, "/Add_12_output_0"])
        let feats = try backbone.run(["images": x])
        let head = try InferenceSession(modelPath: path, inputNames: [mid, "/Add_12_output_0"],
                                        outputNames: ["yolo_stride32", "yolo_stride16"])
        #expect(head.inputs.map { $0.name } == [mid, "/Add_12_output_0"])
        let out = try head.run(feats)
        for name in ["yolo_stride32", "yolo_stride16"] {
            let (err, _) = maxAbsError(out[name]?.data ?? [], full[name]!.data)
            #expect(err == 0, "\(name) differs between split and full run: \(err)")
        }
    }

    @Test func twoThreadsBitIdenticalOnTwinLiteNet() throws {
        let path = TestPaths.teachers.appendingPathComponent("twinlitenet.onnx").path
        let x = try NPY.read(path: TestPaths.teachers.appendingPathComponent("reference/twinlitenet/input_real.npy").path)
        let a = try InferenceSession(modelPath: path, threads: 1).run(["images": x])
        let b = try InferenceSession(modelPath: path, threads: 2).run(["images": x])
        for k in ["da", "ll"] {
            let (err, _) = maxAbsError(a[k]!.data, b[k]!.data)
            #expect(err == 0, "\(k): 1 vs 2 threads differ by \(err)")
        }
    }
}
