// Tracking stage: joins both heads of a frame (boxes + mask), associates the boxes with live
// tracks (stable ids), and forecasts every confirmed track's ground path with the GRU forecaster
// (or a constant-velocity extrapolation when no forecaster model is configured).
import Geometry
import ImageIO
import Messages
import Perception
import Tracking

/// Everything perception knows about one frame, handed to the planner.
public struct PerceivedFrame: Sendable {
    public var detections: [Detection]
    public var tracks: [Track]
    public var forecasts: [TrackForecast]
    public var mask: SegmentationMask
    public var image: RGBImage?
}

/// Ground-path predictor over all live tracks of a frame.
public protocol TrackForecaster {
    func forecast(_ tracks: [Track]) throws -> [TrackForecast]
}

/// The GRU forecaster (fixtures/models/forecaster.onnx on our engine), batched over all tracks.
extension Forecaster: TrackForecaster {
    public func forecast(_ tracks: [Track]) throws -> [TrackForecast] { try predict(tracks) }
}

/// Baseline: each track keeps its current ground velocity.
public struct ConstantVelocityForecaster: TrackForecaster {
    public var horizonsS: [Double] = [0.5, 1.0, 1.5, 2.0]
    public init() {}
    public func forecast(_ tracks: [Track]) throws -> [TrackForecast] {
        tracks.compactMap { t in
            guard let g = t.ground else { return nil }
            let v = t.velocity ?? GroundVelocity(vx: 0, vy: 0)
            return TrackForecast(trackId: t.id, horizonsS: horizonsS,
                                 points: horizonsS.map { GroundPoint(x: g.x + v.vx * $0, y: g.y + v.vy * $0) })
        }
    }
}

public final class TrackingStage {
    var tracker: Tracker
    let camera: GroundCamera?
    let forecaster: any TrackForecaster

    public init(camera: GroundCamera?, forecaster: any TrackForecaster, config: TrackerConfig = TrackerConfig()) {
        tracker = Tracker(config: config)
        self.camera = camera
        self.forecaster = forecaster
    }

    public func callAsFunction(_ detections: [Detection], _ seg: SegmentationResult, _ info: FrameInfo) throws -> PerceivedFrame {
        let cam = camera?.scaled(toWidth: seg.mapping.frameWidth, height: seg.mapping.frameHeight)
        let tracks = tracker.update(detections: detections, frame: info, camera: cam)
        let forecasts = try forecaster.forecast(tracks.filter { $0.isConfirmed })
        return PerceivedFrame(detections: detections, tracks: tracks, forecasts: forecasts, mask: seg.mask, image: seg.image)
    }

    /// End-of-run counters (id switches, fragmentations, gate rejections).
    public var counters: TrackerCounters { tracker.counters }
}
