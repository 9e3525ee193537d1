// A track's forecast path: where the forecaster expects it at future times.

import Geometry

public struct TrackForecast: Sendable, Equatable, Codable {
    public var trackId: Int
    /// Forecast times from now, seconds (ascending).
    public var horizonsS: [Double]
    /// Forecast ground positions in the current vehicle frame (x forward, y left), one per horizon.
    public var points: [GroundPoint]
    public init(trackId: Int, horizonsS: [Double], points: [GroundPoint]) {
        self.trackId = trackId; self.horizonsS = horizonsS; self.points = points
    }

    enum CodingKeys: String, CodingKey {
        case trackId = "track_id", horizonsS = "horizons_s", points
    }
}
