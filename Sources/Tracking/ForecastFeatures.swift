// The forecaster's input and output layout: the contract with tools/forecaster/common.py and the
// model card fixtures/models/forecaster.json (a test checks these constants against the card).
//
// Input per track: its last `history` measured states (x, y, vx, vy, box w, box h; ground in the
// vehicle frame, m and m/s relative to us, box in frame pixels), oldest first, left-padded by
// repeating the oldest when shorter (at least `minHistory`). Each state becomes 8 features:
// x, y, x − x_now, y − y_now, vx, vy, w, h, each times `featureScale`.
// Output per track: residual [horizons, 2]; forecast displacement = (vx·t, vy·t) + residual · outputScale.

public enum ForecastFeatures {
    public static let history = 10
    public static let minHistory = 3
    public static let featureCount = 8
    public static let featureScale: [Float] = [1.0 / 50, 1.0 / 10, 1.0 / 5, 1.0, 1.0 / 10, 1.0 / 2, 1.0 / 1280, 1.0 / 720]
    public static let outputScale: [Float] = [5, 1]
    public static let horizonsS: [Double] = (1...10).map { Double($0) * 0.2 }

    /// One state: (x, y, vx, vy, w, h).
    public typealias State = (x: Double, y: Double, vx: Double, vy: Double, w: Double, h: Double)

    /// The states a track offers: its measured history samples with ground and velocity (last `history`).
    public static func states(of t: Track) -> [State] {
        let s = t.history.compactMap { h -> State? in
            guard h.measured, let g = h.ground, let v = h.velocity else { return nil }
            return (g.x, g.y, v.vx, v.vy, Double(h.box.width), Double(h.box.height))
        }
        return Array(s.suffix(history))
    }

    /// Writes one track's features ([history, featureCount], time-major rows) into `out` at
    /// `out[(step * batch + row) * featureCount + f]` (the model input is [history, batch, features]).
    public static func write(_ states: [State], row: Int, batch: Int, into out: inout [Float]) {
        guard let first = states.first, let now = states.last else { return }
        let padded = Array(repeating: first, count: max(0, history - states.count)) + states.suffix(history)
        for (step, s) in padded.enumerated() {
            let f: [Double] = [s.x, s.y, s.x - now.x, s.y - now.y, s.vx, s.vy, s.w, s.h]
            let base = (step * batch + row) * featureCount
            for k in 0..<featureCount { out[base + k] = Float(f[k]) * featureScale[k] }
        }
    }
}
