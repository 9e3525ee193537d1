// The GRU track forecaster: runs fixtures/models/forecaster.onnx (the ONNX `GRU` op) on our engine,
// batched over all live tracks per frame. The model has a fixed batch (16): tracks are packed into
// as many runs as needed, unused rows zero-padded and ignored.

import Foundation
import Geometry
import Inference

public final class Forecaster: @unchecked Sendable {
    // Invariant: the session (and its buffers) is used only inside `predict`, which callers must
    // not call concurrently on one forecaster (one pipeline stage owns it).
    private let session: InferenceSession
    public let batch: Int
    private let inputName: String, outputName: String
    /// Runs and tracks forecast so far.
    public private(set) var runs = 0, forecasts = 0

    public init(modelPath: String, threads: Int = 1) throws {
        do { session = try InferenceSession(modelPath: modelPath, threads: threads) } catch {
            throw TrackingError.engine(expected: "a loadable forecaster model at \(modelPath)", found: "\(error)")
        }
        let F = ForecastFeatures.self
        guard session.inputs.count == 1, let inp = session.inputs.first, inp.shape.count == 3,
              inp.shape[0] == F.history, inp.shape[2] == F.featureCount else {
            throw TrackingError.modelMismatch(expected: "one input [\(F.history), batch, \(F.featureCount)]",
                                              found: "\(session.inputs.map { "\($0.name) \($0.shape)" })")
        }
        batch = inp.shape[1]
        guard session.outputs.count == 1, let out = session.outputs.first,
              out.shape == [batch, F.horizonsS.count, 2] else {
            throw TrackingError.modelMismatch(expected: "one output [\(inp.shape[1]), \(F.horizonsS.count), 2]",
                                              found: "\(session.outputs.map { "\($0.name) \($0.shape)" })")
        }
        inputName = inp.name; outputName = out.name
    }

    /// Forecasts for every confirmed track with enough measured history, in track order.
    public func predict(_ tracks: [Track]) throws -> [TrackForecast] {
        let F = ForecastFeatures.self
        let eligible = tracks.compactMap { t -> (Track, [ForecastFeatures.State])? in
            guard t.isConfirmed, t.ground != nil, t.velocity != nil else { return nil }
            let s = F.states(of: t)
            return s.count >= F.minHistory ? (t, s) : nil
        }
        var result: [TrackForecast] = []
        result.reserveCapacity(eligible.count)
        var start = 0
        while start < eligible.count {
            let chunk = eligible[start..<min(start + batch, eligible.count)]
            var input = [Float](repeating: 0, count: F.history * batch * F.featureCount)
            for (row, e) in chunk.enumerated() { F.write(e.1, row: row, batch: batch, into: &input) }
            let out: Tensor
            do {
                let r = try session.run([inputName: Tensor(shape: [F.history, batch, F.featureCount], data: input)])
                guard let o = r[outputName] else {
                    throw TrackingError.modelMismatch(expected: "output \(outputName)", found: "\(r.keys.sorted())")
                }
                out = o
            } catch let e as TrackingError { throw e } catch {
                throw TrackingError.engine(expected: "a forecaster run", found: "\(error)")
            }
            runs += 1
            let T = F.horizonsS.count
            for (row, e) in chunk.enumerated() {
                let (t, _) = e
                guard let g = t.ground, let v = t.velocity else { continue }
                var pts: [GroundPoint] = []
                pts.reserveCapacity(T)
                for (k, h) in F.horizonsS.enumerated() {
                    let rx = Double(out.data[(row * T + k) * 2] * F.outputScale[0])
                    let ry = Double(out.data[(row * T + k) * 2 + 1] * F.outputScale[1])
                    pts.append(GroundPoint(x: g.x + v.vx * h + rx, y: g.y + v.vy * h + ry))
                }
                result.append(TrackForecast(trackId: t.id, horizonsS: F.horizonsS, points: pts))
            }
            start += batch
        }
        forecasts += result.count
        return result
    }

    /// Raw model run (for parity tests): states [history, batch, features] → residual [batch, T, 2].
    public func runRaw(_ states: Tensor) throws -> Tensor {
        let r = try session.run([inputName: states])
        guard let o = r[outputName] else {
            throw TrackingError.modelMismatch(expected: "output \(outputName)", found: "\(r.keys.sorted())")
        }
        return o
    }
}
