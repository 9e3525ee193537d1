// The GRU forecaster on our engine: parity with onnxruntime on committed fixtures
// (fixtures/models/forecaster_parity, from tools/forecaster/train.py: 16 held-out samples),
// the feature constants against the model card, and batching over more tracks than one run holds.

import Foundation
import Geometry
import Inference
import Messages
import Testing
@testable import Tracking

private let modelPath = Fixtures.url("fixtures/models/forecaster.onnx").path

@Test func engineReproducesOnnxruntimeForecasts() throws {
    let fc = try Forecaster(modelPath: modelPath)
    let states = try NPY.read(path: Fixtures.url("fixtures/models/forecaster_parity/states.npy").path)
    let want = try NPY.read(path: Fixtures.url("fixtures/models/forecaster_parity/residual.npy").path)
    let got = try fc.runRaw(states)
    #expect(got.shape == want.shape)
    var maxDiff: Float = 0
    for (a, b) in zip(got.data, want.data) { maxDiff = max(maxDiff, abs(a - b)) }
    print("forecaster parity: max |engine - onnxruntime| = \(maxDiff) over \(got.data.count) values")
    #expect(maxDiff <= 1e-4)
}

private struct Card: Decodable {
    struct Input: Decodable { var shape: [Int]; var feature_scale: [Float] }
    struct Output: Decodable { var shape: [Int]; var output_scale: [Float]; var horizons_s: [Double] }
    var input: Input
    var output: Output
    var ops: [String]
}

@Test func featureLayoutMatchesModelCard() throws {
    let card = try JSONDecoder().decode(Card.self, from: Data(contentsOf: Fixtures.url("fixtures/models/forecaster.json")))
    let F = ForecastFeatures.self
    #expect(card.input.shape == [F.history, 16, F.featureCount])
    for (a, b) in zip(card.input.feature_scale, F.featureScale) { #expect(abs(a - b) <= 1e-7 * max(1, abs(b))) }
    #expect(card.output.output_scale == F.outputScale)
    #expect(zip(card.output.horizons_s, F.horizonsS).allSatisfy { abs($0 - $1) < 1e-9 })
    #expect(card.ops.contains("GRU"))
}

@Test func forecastsAreBatchedOverAllTracks() throws {
    // 20 separate boxes in a 5 x 4 grid below the horizon, drifting slowly: 20 tracks, two runs of 16.
    let cam = try Fixtures.udacityCamera()
    var tracker = Tracker()
    var tracks: [Track] = []
    for f in 0..<15 {
        let dets = (0..<20).map { k -> Detection in
            let x = Float(60 + (k % 5) * 250) + Float(f) * 0.5, y = Float(440 + (k / 5) * 60) + Float(f) * 0.2
            return Detection(box: BoundingBox(x1: x, y1: y - 40, x2: x + 70, y2: y), objectClass: .vehicle, score: 0.8)
        }
        tracks = tracker.update(detections: dets, frame: FrameInfo(index: f, source: "\(f)", captureTimeNs: Int64(f) * 40_000_000),
                                camera: cam)
    }
    let confirmed = tracks.filter(\.isConfirmed)
    let fc = try Forecaster(modelPath: modelPath)
    let out = try fc.predict(tracks)
    #expect(confirmed.count == 20)
    #expect(out.count == confirmed.count)
    #expect(fc.runs == (confirmed.count + 15) / 16)
    #expect(out.map(\.trackId) == confirmed.map(\.id))
    for f in out {
        #expect(f.points.count == ForecastFeatures.horizonsS.count)
        #expect(f.points.allSatisfy { $0.x.isFinite && $0.y.isFinite })
        // a slowly drifting box stays within a few metres of where it is over one second
        let now = try #require(confirmed.first { $0.id == f.trackId }?.ground)
        #expect(f.points[4].distance(to: now) < 0.25 * now.x + 2, "track \(f.trackId): \(now) → \(f.points[4])")
    }
    #expect(try fc.predict(tracks) == out)   // deterministic
    print("forecaster: \(out.count) tracks in \(fc.runs / 2) runs per frame")
}
