// A track: one object followed across frames, with its state estimate and recent history.

import Geometry
import Messages

/// Life cycle: born `tentative` (deleted on its first miss); `confirmed` after `confirmHits` hits;
/// a confirmed track that goes unmatched is `coasting` (state predicted, still reported) for up to
/// `coastFrames` misses, then `lost` (kept only to re-associate the object after an occlusion, not
/// reported) up to `maxMisses` misses, then deleted. A match brings it back to `confirmed`.
public enum TrackStatus: String, Sendable, Codable {
    case tentative, confirmed, coasting, lost
}

/// Velocity on the ground, vehicle frame (relative to the ego vehicle), m/s.
public struct GroundVelocity: Sendable, Equatable, Hashable, Codable {
    public var vx: Double
    public var vy: Double
    public init(vx: Double, vy: Double) { self.vx = vx; self.vy = vy }
}

/// One past state of a track (measured or, while coasting, predicted).
public struct TrackSample: Sendable, Equatable, Codable {
    public var frame: Int
    public var timeNs: Int64
    public var box: BoundingBox
    public var ground: GroundPoint?
    public var velocity: GroundVelocity?
    /// true if a detection updated the track in this frame.
    public var measured: Bool
}

public struct Track: Sendable, Equatable {
    /// Stable id: assigned in birth order, never reused, monotonically increasing from 1.
    public let id: Int
    public let objectClass: ObjectClass
    public internal(set) var status: TrackStatus
    /// Filtered box (frame pixels).
    public internal(set) var box: BoundingBox
    /// Score of the last matched detection.
    public internal(set) var score: Float
    /// Filtered ground position of the box's bottom centre (nil if it does not project to the road).
    public internal(set) var ground: GroundPoint?
    /// Filtered ground velocity relative to the ego vehicle.
    public internal(set) var velocity: GroundVelocity?
    /// Total matched frames, and consecutive unmatched frames.
    public internal(set) var hits: Int
    public internal(set) var misses: Int
    public let firstFrame: Int
    public internal(set) var lastFrame: Int
    /// The last `historyLength` states, oldest first (including this frame).
    public internal(set) var history: [TrackSample]

    /// Confirmed or coasting: what consumers (forecaster, planner, overlays) should use.
    public var isConfirmed: Bool { status == .confirmed || status == .coasting }

    // filter state (internal)
    var fcx: KalmanCV, fcy: KalmanCV, fw: KalmanCV, fh: KalmanCV
    var fgx: KalmanCV?, fgy: KalmanCV?

    init(id: Int, detection d: Detection, ground: GroundPoint?, frame: Int, timeNs: Int64, config c: TrackerConfig) {
        self.id = id
        objectClass = d.objectClass
        status = .tentative
        box = d.box
        score = d.score
        hits = 1; misses = 0
        firstFrame = frame; lastFrame = frame
        let b = d.box
        fcx = KalmanCV(position: Double(b.x1 + b.x2) / 2, positionVariance: c.boxMeasurementVariance,
                       velocityVariance: c.boxInitialVelocityVariance)
        fcy = KalmanCV(position: Double(b.y1 + b.y2) / 2, positionVariance: c.boxMeasurementVariance,
                       velocityVariance: c.boxInitialVelocityVariance)
        fw = KalmanCV(position: Double(b.width), positionVariance: c.boxMeasurementVariance,
                      velocityVariance: c.boxInitialVelocityVariance)
        fh = KalmanCV(position: Double(b.height), positionVariance: c.boxMeasurementVariance,
                      velocityVariance: c.boxInitialVelocityVariance)
        history = []
        setGround(ground, config: c)
        self.ground = ground
        velocity = ground.map { _ in GroundVelocity(vx: 0, vy: 0) }
        history = [TrackSample(frame: frame, timeNs: timeNs, box: box, ground: self.ground, velocity: velocity,
                               measured: true)]
    }

    /// The box the filters predict (after `predict`).
    var predictedBox: BoundingBox {
        let w = max(1, fw.position), h = max(1, fh.position)
        return BoundingBox(x1: Float(fcx.position - w / 2), y1: Float(fcy.position - h / 2),
                           x2: Float(fcx.position + w / 2), y2: Float(fcy.position + h / 2))
    }

    var predictedGround: GroundPoint? {
        guard let gx = fgx, let gy = fgy else { return nil }
        return GroundPoint(x: gx.position, y: gy.position)
    }

    mutating func setGround(_ g: GroundPoint?, config c: TrackerConfig) {
        guard let g else { return }
        let (rx, ry) = c.groundMeasurementVariance(at: g)
        fgx = KalmanCV(position: g.x, positionVariance: rx, velocityVariance: c.groundInitialVelocityVariance)
        fgy = KalmanCV(position: g.y, positionVariance: ry, velocityVariance: c.groundInitialVelocityVariance)
    }

    mutating func predict(dt: Double, config c: TrackerConfig) {
        fcx.predict(dt: dt, q: c.boxProcessNoise); fcy.predict(dt: dt, q: c.boxProcessNoise)
        fw.predict(dt: dt, q: c.boxProcessNoise); fh.predict(dt: dt, q: c.boxProcessNoise)
        fgx?.predict(dt: dt, q: c.groundProcessNoise); fgy?.predict(dt: dt, q: c.groundProcessNoise)
    }

    mutating func correct(with d: Detection, ground g: GroundPoint?, config c: TrackerConfig) {
        let b = d.box
        let r = c.boxMeasurementVariance
        fcx.update(measurement: Double(b.x1 + b.x2) / 2, r: r)
        fcy.update(measurement: Double(b.y1 + b.y2) / 2, r: r)
        fw.update(measurement: Double(b.width), r: r)
        fh.update(measurement: Double(b.height), r: r)
        if let g {
            if fgx == nil || fgy == nil {
                setGround(g, config: c)
            } else {
                let (rx, ry) = c.groundMeasurementVariance(at: g)
                fgx?.update(measurement: g.x, r: rx)
                fgy?.update(measurement: g.y, r: ry)
            }
        }
        score = d.score
    }

    /// Copy the filters' estimate into the public fields and append to the history.
    mutating func publish(frame: Int, timeNs: Int64, measured: Bool, historyLength: Int) {
        box = predictedBox
        ground = predictedGround
        if let gx = fgx, let gy = fgy { velocity = GroundVelocity(vx: gx.velocity, vy: gy.velocity) } else { velocity = nil }
        history.append(TrackSample(frame: frame, timeNs: timeNs, box: box, ground: ground, velocity: velocity,
                                   measured: measured))
        if history.count > historyLength { history.removeFirst(history.count - historyLength) }
    }
}
