// What every message carries about its frame (see the conventions: frame, source, capture time).

/// Vehicle signals recorded with a frame, SI units; any may be absent.
public struct VehicleSignals: Sendable, Equatable, Codable {
    public var speedMps: Double?
    public var steeringAngleRad: Double?
    public var yawRateRadps: Double?
    public init(speedMps: Double? = nil, steeringAngleRad: Double? = nil, yawRateRadps: Double? = nil) {
        self.speedMps = speedMps; self.steeringAngleRad = steeringAngleRad; self.yawRateRadps = yawRateRadps
    }
}

/// Identity of one input frame: its 0-based input index, source name (file name) and capture time.
public struct FrameInfo: Sendable, Equatable {
    public var index: Int
    public var source: String
    public var captureTimeNs: Int64
    public var signals: VehicleSignals?
    public init(index: Int, source: String, captureTimeNs: Int64, signals: VehicleSignals? = nil) {
        self.index = index; self.source = source; self.captureTimeNs = captureTimeNs; self.signals = signals
    }
}
