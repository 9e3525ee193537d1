// The planner's knobs (SI units). Defaults: a mid-size sedan on a highway, comfort-oriented limits.

public struct PlannerConfig: Sendable, Equatable, Codable {
    // vehicle
    public var wheelbaseM = 2.8
    /// Vehicle-frame origin (road point below the camera) to the rear axle, metres (pure pursuit pivots there).
    public var originToRearAxleM = 1.5
    /// Vehicle-frame origin to the front bumper, metres (gaps are measured from the bumper).
    public var originToFrontM = 2.0
    /// Ego speed when the frame carries no vehicle signals.
    public var defaultEgoSpeedMps = 25.0
    public var cruiseSpeedMps = 27.0

    // lateral
    public var lookAheadTimeS = 1.0
    public var minLookAheadM = 8.0
    public var maxLookAheadM = 25.0
    /// Ground distances at which the lane is sampled (rows of the mask).
    public var laneSampleFromM = 6.0
    public var laneSampleToM = 30.0
    public var laneSampleStepM = 2.0
    /// Assumed lane width when only one line is seen; plausible range when both are.
    public var laneWidthM = 3.7
    public var minLaneWidthM = 2.5
    public var maxLaneWidthM = 5.0
    /// Centre points needed for a lane estimate.
    public var minLanePoints = 3
    public var maxSteeringAngleRad = 0.5
    public var maxSteeringRateRadps = 0.25

    // longitudinal
    public var timeGapS = 1.8
    public var standstillGapM = 4.0
    public var gapGain = 0.2          // 1/s²
    public var speedGain = 0.6        // 1/s
    public var cruiseGain = 0.3       // 1/s
    public var ttcBrakeS = 3.0
    /// Hard braking on TTC only for leads this close (a pixel of box bottom is ~3 m of range at 60 m).
    public var brakeMaxGapM = 60.0
    /// Objects closing faster than our speed plus this are oncoming traffic, not leads.
    public var oncomingMarginMps = 5.0
    /// Tracks within this lateral distance of the lane centre line are in the path.
    public var inPathHalfWidthM = 1.6
    public var maxLeadRangeM = 120.0
    public var maxAccelMps2 = 2.0
    /// Deceleration limit outside emergencies, and the hard limit in `brake`.
    public var comfortDecelMps2 = 3.0
    public var maxDecelMps2 = 6.0
    /// Below this the vehicle counts as stopped.
    public var stoppedSpeedMps = 0.2

    // health
    public var degradedDecelMps2 = 1.0
    public var maxFrameAgeS = 0.3
    public var maxDropRatio = 0.2
    public var maxTimeouts = 0
    /// Consecutive frames with a lane needed to leave `degraded` after the lane was lost (the
    /// frame that completes the count is the first one out).
    public var laneRecoveryFrames = 3
    /// Frame interval assumed for the first frame or when timestamps do not advance.
    public var nominalDtS = 0.04
    public var maxDtS = 0.5

    public init() {}
}
