// Pipeline config: defaults in code, overrides from YAML, errors naming the key path, the shipped
// pipelines load, and the printed effective config loads back to the same value.
import Foundation
import Testing
@testable import Config

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

@Suite struct ConfigTests {
    @Test func emptyFileIsAllDefaults() throws {
        #expect(try ConfigLoader.parse(yaml: "") == PipelineConfig())
        #expect(try ConfigLoader.parse(yaml: "version: 1\n") == PipelineConfig())
    }

    @Test func inputSizeComesFromTheModelUnlessSet() throws {
        let unset = try ConfigLoader.parse(yaml: "input: {resize: stretch}")
        #expect(unset.input.sizeFromModel)
        let set = try ConfigLoader.parse(yaml: "input: {width: 512, height: 288}")
        #expect(!set.input.sizeFromModel && set.input.width == 512 && set.input.height == 288)
        // printed and loaded back: the same either way
        #expect(try ConfigLoader.parse(yaml: unset.yaml()) == unset)
        #expect(try ConfigLoader.parse(yaml: set.yaml()) == set)
    }

    @Test func overridesOnlyWhatIsNamed() throws {
        let c = try ConfigLoader.parse(yaml: """
        input: {width: 320, height: 192, resize: letterbox, normalization: {mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]}}
        edges:
          backbone: {policy: latestOnly}
          sink: {policy: dropOldest, capacity: 3}
          decode: {capacity: 6, low_watermark: 5}
        planner: {wheelbase_m: 2.7, ttc_threshold_s: 3}
        threads: {blas: 2, scheduling: batch}
        models: {backbone: fixtures/models/x.onnx}
        """)
        #expect(c.input.width == 320 && c.input.resize == .letterbox && c.input.std[0] == 0.229 && c.input.order == .rgb)
        #expect(c.edge("backbone") == EdgeConfig(policy: .latestOnly, capacity: 1))
        #expect(c.edge("sink") == EdgeConfig(policy: .dropOldest, capacity: 3))
        #expect(c.edge("decode") == EdgeConfig(policy: .block, capacity: 6, lowWatermark: 5))
        #expect(c.edge("preprocess") == PipelineConfig().edge("preprocess"))
        #expect(c.planner.wheelbaseM == 2.7 && c.planner.ttcThresholdS == 3 && c.planner.timeGapS == PipelineConfig().planner.timeGapS)
        #expect(c.threads.blas == 2 && c.threads.decode == 1 && c.threads.scheduling == .batch)
        #expect(PipelineConfig().threads.scheduling == .auto)
        #expect(c.models.backbone == "fixtures/models/x.onnx" && c.models.detectionHead == nil)
    }

    @Test(arguments: [
        ("inptu: {width: 3}", "unknown key \"inptu\""),
        ("input: {width: 320, hieght: 2}", "unknown key \"input.hieght\""),
        ("edges: {backbone: {policy: latest}}", "edges.backbone.policy: expected block, dropOldest or latestOnly, found \"latest\""),
        ("edges: {backbone: {policy: latestOnly, capacity: 3}}", "edges.backbone.capacity: expected 1 (or nothing) for latestOnly, found 3"),
        ("edges: {decode: {capacity: 4, low_watermark: 4}}", "edges.decode.low_watermark: expected less than capacity 4, found 4"),
        ("edges: {dekode: {capacity: 4}}", "unknown key \"edges.dekode\""),
        ("input: {width: wide}", "input.width: expected an integer, found \"wide\""),
        ("input: {width: 0}", "input.width: expected an integer in 8...8192, found 0"),
        ("input: {normalization: {std: [1, 0, 1]}}", "input.normalization.std[1]: expected a non-zero number, found 0"),
        ("input: {normalization: {mean: [1, 2]}}", "input.normalization.mean: expected a list of 3 numbers, found 2 items"),
        ("detection: {decoder: ssd}", "detection.decoder: expected one of centernet, yolo, found \"ssd\""),
        ("detection: {score_threshold: 1.5}", "detection.score_threshold: expected a number in 0.0...1.0, found 1.5"),
        ("planner: {wheelbase_m: -1}", "planner.wheelbase_m: expected a positive number, found -1"),
        ("output: {timing: maybe}", "output.timing: expected true or false, found \"maybe\""),
        ("threads: 4", "threads: expected a mapping of keys, found \"4\""),
        ("threads: {scheduling: fifo}", "threads.scheduling: expected one of auto, normal, batch, found \"fifo\""),
        ("version: 2", "version: expected 1, found 2"),
        ("input: [1, 2", "invalid YAML"),
    ])
    func errorsNameTheKeyPath(yaml: String, message: String) {
        do {
            _ = try ConfigLoader.parse(yaml: yaml)
            Issue.record("expected an error for \(yaml)")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func shippedPipelinesLoadAndRoundTrip() throws {
        let def = try ConfigLoader.load(path: packageRoot + "/pipelines/default.yaml")
        #expect(PipelineConfig.edgeNames.allSatisfy { def.edge($0).policy == .block })
        #expect(def.baseDirectory == packageRoot)
        let stream = try ConfigLoader.load(path: packageRoot + "/pipelines/stream.yaml")
        #expect(stream.edge("backbone").policy == .latestOnly)
        for c in [def, stream] {
            var back = try ConfigLoader.parse(yaml: c.yaml())
            back.baseDirectory = c.baseDirectory
            #expect(back == c)
        }
    }

    @Test func missingFileIsUnreadable() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/pipe.yaml") }
    }
}
