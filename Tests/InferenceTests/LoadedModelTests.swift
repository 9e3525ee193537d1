// Sessions built from one LoadedModel (the file parsed once, shared) must run exactly like sessions
// that read the file themselves, and building one must leave the shared model as it was for the next.

import Foundation
import Testing
@testable import Inference

@Suite struct LoadedModelTests {
    let path = TestPaths.root.appendingPathComponent("fixtures/models/drivepipe-student.onnx").path

    func bitIdentical(_ a: [Float], _ b: [Float]) -> Bool { a.elementsEqual(b) { $0.bitPattern == $1.bitPattern } }

    @Test func sharedSessionsBitIdenticalToOwnParses() throws {
        let shared = try LoadedModel(path: path)
        let nodesBefore = shared.graph.nodes.map(\.op)
        let featureNames = ["features_s4", "features_s8"]
        // sub-graph sessions first (they prune and optimise their copies), then the whole model
        let backbone = try InferenceSession(model: shared, inputNames: ["images"], outputNames: featureNames)
        let detection = try InferenceSession(model: shared, inputNames: featureNames, outputNames: ["heatmap", "box_size", "box_offset"])
        let whole = try InferenceSession(model: shared)
        #expect(shared.graph.nodes.map(\.op) == nodesBefore)

        let ownBackbone = try InferenceSession(modelPath: path, inputNames: ["images"], outputNames: featureNames)
        let ownDetection = try InferenceSession(modelPath: path, inputNames: featureNames, outputNames: ["heatmap", "box_size", "box_offset"])
        let ownWhole = try InferenceSession(modelPath: path)
        #expect(whole.opCounts.map(\.op) == ownWhole.opCounts.map(\.op) && whole.parameterCount == ownWhole.parameterCount)

        let shape = backbone.inputs[0].shape
        let image = Tensor(shape: shape, data: seededRandom(shape.reduce(1, *), seed: 7))
        let features = try backbone.run(["images": image]), ownFeatures = try ownBackbone.run(["images": image])
        for (k, t) in ownFeatures { #expect(bitIdentical(features[k]!.data, t.data), "backbone \(k)") }
        let heads = try detection.run(features), ownHeads = try ownDetection.run(ownFeatures)
        for (k, t) in ownHeads { #expect(bitIdentical(heads[k]!.data, t.data), "detection \(k)") }
        let all = try whole.run(["images": image]), ownAll = try ownWhole.run(["images": image])
        for (k, t) in ownAll { #expect(bitIdentical(all[k]!.data, t.data), "whole \(k)") }
    }

    @Test func aMissingFileIsTheSameError() {
        #expect(throws: InferenceError.self) { try LoadedModel(path: "/nonexistent/model.onnx") }
        #expect(throws: InferenceError.self) { try InferenceSession(modelPath: "/nonexistent/model.onnx") }
    }
}
