// Errors (malformed/truncated files, unsupported ops, wrong shapes), NPY round trips and the
// allocation-free run API.

import Foundation
import Testing
@testable import Inference

@Suite struct ErrorAndAPITests {
    func fixtureBytes(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: TestPaths.fixtures.appendingPathComponent("\(name)/model.onnx")))
    }

    @Test func truncatedModelIsMalformedOrInvalid() throws {
        let bytes = try fixtureBytes("conv_k3")
        for cut in [1, 7, bytes.count / 3, bytes.count / 2, bytes.count - 5] {
            #expect(throws: InferenceError.self) { _ = try InferenceSession(modelData: Array(bytes.prefix(cut))) }
        }
    }

    @Test func garbageIsMalformed() {
        let junk = (0..<500).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        do {
            _ = try InferenceSession(modelData: junk)
            Issue.record("garbage accepted")
        } catch let e as InferenceError {
            #expect(e.description.contains("malformed") || e.description.contains("invalid"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func missingFileIsIOError() {
        #expect(throws: InferenceError.self) { _ = try InferenceSession(modelPath: "/nonexistent/m.onnx") }
    }

    @Test func unsupportedOpNamesOpAndNode() throws {
        // a Relu fixture with its op type renamed in the bytes ("Relu" -> "Relx")
        var bytes = try fixtureBytes("relu")
        let pat = Array("Relu".utf8)
        for i in 0..<(bytes.count - 4) where Array(bytes[i..<(i + 4)]) == pat { bytes[i + 3] = UInt8(ascii: "x") }
        do {
            _ = try InferenceSession(modelData: bytes)
            Issue.record("unsupported op accepted")
        } catch let InferenceError.unsupportedOp(op, node) {
            #expect(op == "Relx")
            #expect(!node.isEmpty)
        }
    }

    @Test func wrongInputShapeSaysExpectedAndFound() throws {
        let fx = try loadFixture("conv_k3")
        let s = try InferenceSession(modelPath: fx.model)
        #expect(throws: InferenceError.wrongInputShape(name: "X", expected: [1, 3, 11, 12], found: [1, 3, 11, 11])) {
            _ = try s.run(["X": Tensor(zeros: [1, 3, 11, 11])])
        }
        #expect(throws: InferenceError.missingInput(name: "X")) { _ = try s.run([:]) }
    }

    @Test func npyRoundTrip() throws {
        let t = Tensor(shape: [2, 3, 1], data: seededRandom(6, seed: 3))
        #expect(try NPY.read(bytes: NPY.encode(t)) == t)
        let scalar = Tensor(shape: [], data: [4.5])
        #expect(try NPY.read(bytes: NPY.encode(scalar)) == scalar)
        #expect(throws: InferenceError.self) { _ = try NPY.read(bytes: Array(NPY.encode(t).prefix(40))) }
    }

    @Test func allocationFreeRunMatchesTensorRun() throws {
        let fx = try loadFixture("fuse_conv_bn_relu")
        let s = try InferenceSession(modelPath: fx.model)
        let expected = try s.run(fx.inputs)
        let x = fx.inputs["X"]!.data
        let sum = try x.withUnsafeBufferPointer { buf in
            try s.run(inputs: ["X": buf]) { outs in outs["Y"]!.reduce(0, +) }
        }
        #expect(sum == expected["Y"]!.data.reduce(0, +))
    }

    @Test func subGraphSessionBetweenNamedTensors() throws {
        // Conv -> BN -> Relu: ask for the conv output, then run BN+Relu from it.
        let fx = try loadFixture("fuse_conv_bn_relu")
        let full = try InferenceSession(modelPath: fx.model).run(fx.inputs)
        let front = try InferenceSession(modelPath: fx.model, outputNames: ["c"])
        #expect(front.outputs.map { $0.name } == ["c"])
        let mid = try front.run(fx.inputs)
        let back = try InferenceSession(modelPath: fx.model, inputNames: ["c"], outputNames: ["Y"])
        #expect(back.inputs.first?.shape == [1, 5, 8, 8])
        let out = try back.run(mid)
        let (err, _) = maxAbsError(out["Y"]!.data, full["Y"]!.data)
        #expect(err < 1e-5)
        #expect(throws: InferenceError.self) { _ = try InferenceSession(modelPath: fx.model, outputNames: ["nope"]) }
    }

    @Test func loadTimeFoldingAndFusion() throws {
        let fx = try loadFixture("fuse_conv_bn_relu")
        let s = try InferenceSession(modelPath: fx.model)
        #expect(s.opCounts.map { $0.op } == ["Conv+Relu"])
        let chain = try InferenceSession(modelPath: try loadFixture("shape_chain_reshape").model)
        #expect(chain.opCounts.map { $0.op } == ["Reshape"])
        let noops = try InferenceSession(modelPath: try loadFixture("dropout_identity_chain").model)
        #expect(noops.opCounts.map { $0.op }.sorted() == ["Identity", "Relu"])  // the last Identity feeds the output
        // residual Add (and the Relu after it) folded into the conv, skip on either side
        #expect(try InferenceSession(modelPath: try loadFixture("fuse_conv_add_relu").model).opCounts.map { $0.op } == ["Conv+Add+Relu"])
        #expect(try InferenceSession(modelPath: try loadFixture("fuse_dwconv_add").model).opCounts.map { $0.op } == ["Conv+Add"])
        // an Add after the activation, of a same-shaped tensor or of a nearest 2x upsampling
        // (feature pyramid merge), folded into the conv; an upsampling rounding up is not in[o / 2]:
        // only the Add is folded, the Resize stays
        func ops(_ name: String) throws -> [String] {
            try InferenceSession(modelPath: try loadFixture(name).model).opCounts.map { $0.op }.sorted()
        }
        #expect(try ops("fuse_conv_relu_add_same") == ["Conv+Relu+Add"])
        #expect(try ops("fuse_conv1x1_relu_add_up2") == ["Conv+Relu+AddUp2"])
        #expect(try ops("fuse_conv3x3_relu_add_up2") == ["Conv+Relu+AddUp2"])
        #expect(try ops("fuse_conv_sigmoid_add_up2_halfpixel") == ["Conv+Sigmoid+AddUp2"])
        #expect(try ops("conv_relu_add_up2_ceil") == ["Conv+Relu+Add", "Resize"])
    }
}
