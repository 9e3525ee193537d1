// One-dimensional constant-velocity Kalman filter: state (position, velocity), covariance 2×2.
// The tracker runs one per coordinate (box centre x/y, width, height in pixels; ground x/y in
// metres). Process noise is white acceleration with spectral density q (units²/s³);
// measurement noise variance r (units²).

public struct KalmanCV: Sendable, Equatable {
    public private(set) var position: Double
    public private(set) var velocity: Double
    // covariance [[pp, pv], [pv, vv]]
    public private(set) var pp: Double, pv: Double, vv: Double

    public init(position: Double, velocity: Double = 0, positionVariance: Double, velocityVariance: Double) {
        self.position = position; self.velocity = velocity
        pp = positionVariance; pv = 0; vv = velocityVariance
    }

    /// Advance by dt seconds: x += v dt; P = F P Fᵀ + Q (discrete white-noise acceleration).
    public mutating func predict(dt: Double, q: Double) {
        position += velocity * dt
        let dt2 = dt * dt, dt3 = dt2 * dt
        let npp = pp + 2 * dt * pv + dt2 * vv + q * dt3 / 3
        let npv = pv + dt * vv + q * dt2 / 2
        let nvv = vv + q * dt
        pp = npp; pv = npv; vv = nvv
    }

    /// Fuse a position measurement z with variance r.
    public mutating func update(measurement z: Double, r: Double) {
        let s = pp + r
        let kp = pp / s, kv = pv / s
        let y = z - position
        position += kp * y
        velocity += kv * y
        let npp = (1 - kp) * pp
        let npv = (1 - kp) * pv
        let nvv = vv - kv * pv
        pp = npp; pv = npv; vv = nvv
    }

    /// Normalised innovation squared of a candidate measurement (for diagnostics and gating).
    public func innovation(_ z: Double, r: Double) -> Double { (z - position) * (z - position) / (pp + r) }
}
