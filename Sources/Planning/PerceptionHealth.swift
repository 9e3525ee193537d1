// How healthy perception is, as the runtime sees it; the planner degrades when it is poor.

public struct PerceptionHealth: Sendable, Equatable, Codable {
    /// Age of the frame being decided on when it reaches the planner (now - capture), seconds.
    public var frameAgeS: Double
    /// Fraction of recent frames dropped upstream (0...1).
    public var dropRatio: Double
    /// Stage timeouts in the recent window.
    public var timeouts: Int
    public init(frameAgeS: Double = 0, dropRatio: Double = 0, timeouts: Int = 0) {
        self.frameAgeS = frameAgeS; self.dropRatio = dropRatio; self.timeouts = timeouts
    }
    public static let healthy = PerceptionHealth()

    enum CodingKeys: String, CodingKey {
        case frameAgeS = "frame_age_s", dropRatio = "drop_ratio", timeouts
    }
}
