// The tracker's knobs, with defaults tuned on the scripted scenarios and the Udacity clip.

import Geometry

public struct TrackerConfig: Sendable, Equatable {
    /// Detections below this score are ignored.
    public var minScore: Float = 0.25
    /// Matched frames needed to confirm a track (N).
    public var confirmHits: Int = 3
    /// Consecutive misses a confirmed track is reported through, coasting (short dropouts).
    public var coastFrames: Int = 5
    /// Consecutive misses a confirmed track survives in all (M; beyond `coastFrames` it is `lost`:
    /// kept to re-associate after occlusions, not reported); one more deletes it.
    /// Tentative tracks are deleted on their first miss.
    public var maxMisses: Int = 25
    /// States kept in `Track.history`.
    public var historyLength: Int = 10

    /// Gate: a pair is allowed if IoU(predicted box, detection) >= minIoU, or if both project to
    /// the road and their distance is within groundGateM + groundGatePerRange * range.
    public var minIoU: Float = 0.1
    public var groundGateM: Double = 1.5
    public var groundGatePerRange: Double = 0.08
    /// The ground gate widens by this much per consecutive miss (the prediction grows uncertain).
    public var gateGrowthPerMissM: Double = 0.1
    /// Cost of an allowed pair: (1 - IoU) + groundWeight * min(distance / gate, 1);
    /// tentative tracks pay `tentativePenalty` extra so confirmed tracks win ties.
    public var groundWeight: Double = 0.5
    public var tentativePenalty: Double = 0.05

    /// An unmatched detection whose box lies at least this much (intersection / its area) inside a
    /// box matched to a confirmed track starts no new track (a detector's duplicate, partial box).
    public var birthSuppressionIoA: Float = 0.8

    /// Frame interval used when timestamps are missing, equal or going backwards; and the cap on dt.
    public var nominalDtS: Double = 0.04
    public var maxDtS: Double = 0.5

    /// Kalman noise: box coordinates in pixels, ground in metres.
    public var boxProcessNoise: Double = 4000        // px²/s³
    public var boxMeasurementVariance: Double = 16   // px²
    public var boxInitialVelocityVariance: Double = 200 * 200
    public var groundProcessNoise: Double = 8        // m²/s³
    public var groundInitialVelocityVariance: Double = 15 * 15
    /// Ground points farther than this are treated as not on the road (too uncertain).
    public var maxGroundRangeM: Double = 150

    /// Coasting tracks whose predicted box is more than this fraction outside the image are deleted
    /// (objects leaving the view). Needs the camera's image size.
    public var maxOutsideFraction: Float = 0.5

    /// A new track confirmed within this many frames of a confirmed track's deletion, of the same
    /// class and near where it was lost, counts as a fragmentation (the same object re-acquired).
    public var fragmentationWindowFrames: Int = 25

    public init() {}

    /// Measurement variance of a ground point: depth error grows with range (pixel error × range²/(f h)).
    func groundMeasurementVariance(at g: GroundPoint) -> (Double, Double) {
        let sx = 0.3 + 0.06 * g.x, sy = 0.15 + 0.01 * g.x
        return (sx * sx, sy * sy)
    }

    func groundGate(at g: GroundPoint) -> Double { groundGateM + groundGatePerRange * g.range }
}
