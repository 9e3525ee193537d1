// run(reading:writing:body:): kernels read the caller's input buffers and write the caller's output
// buffers in place. Its outputs must be bit-identical to the copying runs, on every ONNX fixture and
// on the student model's backbone and head sub-graphs, and must leave the session's own buffers in
// place for the next ordinary run.

import Foundation
import Testing
@testable import Inference

@Suite struct ZeroCopyRunTests {
    /// Runs `s` zero-copy on `inputs` (each placed `shift` floats into a bigger array, so the kernels
    /// see other alignments than the arena's), writing every output into its own array.
    func zeroCopy(_ s: InferenceSession, _ inputs: [String: Tensor], shift: Int) throws -> [String: [Float]] {
        let names = s.inputs.map(\.name)
        let padded = names.map { [Float](repeating: .nan, count: shift) + inputs[$0]!.data }
        let outs = s.outputs
        var result: [String: [Float]] = [:]
        func withIns(_ i: Int, _ acc: [String: UnsafeBufferPointer<Float>], _ body: ([String: UnsafeBufferPointer<Float>]) throws -> Void) throws {
            if i == names.count { return try body(acc) }
            try padded[i].withUnsafeBufferPointer { b in
                var next = acc
                next[names[i]] = UnsafeBufferPointer(rebasing: b[shift...])
                try withIns(i + 1, next, body)
            }
        }
        // Each output its own local array (one array of arrays would be accessed overlappingly).
        func withOuts(_ i: Int, _ acc: [String: UnsafeMutableBufferPointer<Float>], _ body: ([String: UnsafeMutableBufferPointer<Float>]) throws -> Void) throws {
            if i == outs.count { return try body(acc) }
            var buffer = [Float](repeating: .nan, count: outs[i].shape.reduce(1, *))
            try buffer.withUnsafeMutableBufferPointer { b in
                var next = acc
                next[outs[i].name] = b
                try withOuts(i + 1, next, body)
            }
            result[outs[i].name] = buffer
        }
        try withIns(0, [:]) { ins in
            try withOuts(0, [:]) { targets in
                try s.run(reading: ins, writing: targets) { views in
                    // the views handed to body are the caller's buffers
                    for (name, b) in targets { #expect(views[name]?.baseAddress == UnsafePointer(b.baseAddress)) }
                }
            }
        }
        // The inputs are only read.
        for (i, n) in names.enumerated() { #expect(Array(padded[i][shift...]).elementsEqual(inputs[n]!.data) { $0.bitPattern == $1.bitPattern }) }
        return result
    }

    func bitIdentical(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    @Test(arguments: TestPaths.fixtureCases())
    func everyFixtureBitIdenticalToTheCopyingRun(_ name: String) throws {
        let fx = try loadFixture(name)
        let s = try InferenceSession(modelPath: fx.model)
        guard s.inputs.allSatisfy({ fx.inputs[$0.name] != nil }) else { return }
        let expected = try s.run(fx.inputs)
        for shift in [0, 1] {
            let got = try zeroCopy(s, fx.inputs, shift: shift)
            for o in s.outputs { #expect(bitIdentical(got[o.name]!, expected[o.name]!.data), "\(name) \(o.name) shift \(shift)") }
            // Reading only, outputs left in the session (views into its memory).
            let names = s.inputs.map(\.name)
            func withIns(_ i: Int, _ acc: [String: UnsafeBufferPointer<Float>], _ body: ([String: UnsafeBufferPointer<Float>]) throws -> Void) throws {
                if i == names.count { return try body(acc) }
                try fx.inputs[names[i]]!.data.withUnsafeBufferPointer { b in
                    var next = acc
                    next[names[i]] = b
                    try withIns(i + 1, next, body)
                }
            }
            try withIns(0, [:]) { ins in
                try s.run(reading: ins) { views in
                    for o in s.outputs { #expect(bitIdentical(Array(views[o.name]!), expected[o.name]!.data), "\(name) \(o.name) views") }
                }
            }
            // The session's own buffers are back: the copying run still gives the same.
            let again = try s.run(fx.inputs)
            for o in s.outputs { #expect(bitIdentical(again[o.name]!.data, expected[o.name]!.data), "\(name) \(o.name) after") }
        }
    }

    /// The pipeline's use: the student model's backbone writes its feature maps into the caller's
    /// arrays, and each head reads them from there.
    @Test func studentBackboneAndHeadsBitIdentical() throws {
        let path = TestPaths.root.appendingPathComponent("fixtures/models/drivepipe-student.onnx").path
        let backbone = try InferenceSession(modelPath: path, inputNames: ["images"], outputNames: ["features_s4", "features_s8"])
        let detection = try InferenceSession(modelPath: path, inputNames: ["features_s4", "features_s8"],
                                             outputNames: ["heatmap", "box_size", "box_offset"])
        let count = backbone.inputs[0].shape.reduce(1, *)
        let image = Tensor(shape: backbone.inputs[0].shape, data: (0..<count).map { Float(($0 * 2_654_435_761) % 1000) / 1000 })
        let features = try backbone.run(["images": image])
        let heads = try detection.run(features)
        for shift in [0, 1] {
            let f = try zeroCopy(backbone, ["images": image], shift: shift)
            for (k, t) in features { #expect(bitIdentical(f[k]!, t.data), "backbone \(k) shift \(shift)") }
            let fz = Dictionary(uniqueKeysWithValues: f.map { ($0.key, Tensor(shape: features[$0.key]!.shape, data: $0.value)) })
            let h = try zeroCopy(detection, fz, shift: shift)
            for (k, t) in heads { #expect(bitIdentical(h[k]!, t.data), "detection \(k) shift \(shift)") }
        }
    }

    @Test func badOutputBuffersAreRefused() throws {
        let fx = try loadFixture("fuse_conv_bn_relu")
        let s = try InferenceSession(modelPath: fx.model)
        let n = s.outputs[0].shape.reduce(1, *)
        var x = fx.inputs["X"]!.data
        var small = [Float](repeating: 0, count: n - 1)
        x.withUnsafeMutableBufferPointer { xb in
            let xr = UnsafeBufferPointer(xb)
            small.withUnsafeMutableBufferPointer { sb in
                #expect(throws: InferenceError.self) { try s.run(reading: ["X": xr], writing: ["Y": sb]) { _ in } }
                #expect(throws: InferenceError.self) { try s.run(reading: ["X": xr], writing: ["nope": sb]) { _ in } }
            }
            if xb.count >= n {   // an output over its own input
                #expect(throws: InferenceError.self) {
                    try s.run(reading: ["X": xr], writing: ["Y": UnsafeMutableBufferPointer(rebasing: xb[0..<n])]) { _ in }
                }
            }
            #expect(throws: InferenceError.missingInput(name: "X")) { try s.run(reading: [:]) { _ in } }
        }
        // Refused runs leave the session usable.
        #expect(bitIdentical(try s.run(fx.inputs)["Y"]!.data, try InferenceSession(modelPath: fx.model).run(fx.inputs)["Y"]!.data))
    }
}
