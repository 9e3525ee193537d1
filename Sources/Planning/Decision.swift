// What the planner decides for one frame, and why (SI units, the unit in each JSON name).

public enum DrivingMode: String, Sendable, Codable, CaseIterable {
    /// No lead in the path: hold the cruise speed.
    case cruise
    /// A lead in the path: keep the time gap.
    case follow
    /// Time-to-collision under the threshold: brake hard (up to the hard limit).
    case brake
    /// Stopped or stopping behind a stopped lead.
    case stop
    /// Perception unhealthy (no lane, stale or dropped frames): slow down gently.
    case degraded
}

/// Where the lane centre came from.
public enum LaneSource: String, Sendable, Codable {
    case laneLines = "lane_lines", oneLine = "one_line", drivable, none
}

public struct Decision: Sendable, Equatable, Codable {
    public var mode: DrivingMode
    /// Front-wheel steering angle, positive = left (vehicle frame y left).
    public var steeringAngleRad: Double
    public var accelerationMps2: Double
    public var egoSpeedMps: Double
    public var leadTrackId: Int?
    /// Gap from our front bumper to the lead's rear (its box bottom centre on the road).
    public var leadDistanceM: Double?
    /// Lead speed relative to ours (negative = closing).
    public var leadRelativeSpeedMps: Double?
    public var ttcS: Double?
    /// Our lateral position relative to the lane centre, positive = we are left of it.
    public var laneOffsetM: Double?
    /// Our heading relative to the lane direction, positive = pointing left of it.
    public var headingRad: Double?
    public var laneSource: LaneSource
    /// One line saying why this mode.
    public var reason: String

    public init(mode: DrivingMode, steeringAngleRad: Double, accelerationMps2: Double, egoSpeedMps: Double,
                leadTrackId: Int? = nil, leadDistanceM: Double? = nil, leadRelativeSpeedMps: Double? = nil,
                ttcS: Double? = nil, laneOffsetM: Double? = nil, headingRad: Double? = nil,
                laneSource: LaneSource = .none, reason: String = "") {
        self.mode = mode; self.steeringAngleRad = steeringAngleRad; self.accelerationMps2 = accelerationMps2
        self.egoSpeedMps = egoSpeedMps; self.leadTrackId = leadTrackId; self.leadDistanceM = leadDistanceM
        self.leadRelativeSpeedMps = leadRelativeSpeedMps; self.ttcS = ttcS; self.laneOffsetM = laneOffsetM
        self.headingRad = headingRad; self.laneSource = laneSource; self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case mode
        case steeringAngleRad = "steering_angle_rad"
        case accelerationMps2 = "acceleration_mps2"
        case egoSpeedMps = "ego_speed_mps"
        case leadTrackId = "lead_track_id"
        case leadDistanceM = "lead_distance_m"
        case leadRelativeSpeedMps = "lead_relative_speed_mps"
        case ttcS = "ttc_s"
        case laneOffsetM = "lane_offset_m"
        case headingRad = "heading_rad"
        case laneSource = "lane_source"
        case reason
    }

    /// Absent values are written as explicit nulls, so every decision has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(mode, forKey: .mode)
        try c.encode(steeringAngleRad, forKey: .steeringAngleRad)
        try c.encode(accelerationMps2, forKey: .accelerationMps2)
        try c.encode(egoSpeedMps, forKey: .egoSpeedMps)
        try c.encode(leadTrackId, forKey: .leadTrackId)
        try c.encode(leadDistanceM, forKey: .leadDistanceM)
        try c.encode(leadRelativeSpeedMps, forKey: .leadRelativeSpeedMps)
        try c.encode(ttcS, forKey: .ttcS)
        try c.encode(laneOffsetM, forKey: .laneOffsetM)
        try c.encode(headingRad, forKey: .headingRad)
        try c.encode(laneSource, forKey: .laneSource)
        try c.encode(reason, forKey: .reason)
    }
}
