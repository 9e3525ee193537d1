// Counters a tracker keeps over a run, reported at the end (stderr / summary record).

public struct TrackerCounters: Sendable, Equatable, Codable {
    public var frames = 0
    public var detections = 0
    public var detectionsBelowScore = 0
    public var tracksCreated = 0
    public var tracksConfirmed = 0
    public var tracksDeleted = 0
    /// Unmatched detections that had an unmatched same-class track nearby (touching boxes or within
    /// twice the ground gate) whose pairing the gate refused.
    public var gateRejections = 0
    /// Estimated fragmentations: a confirmed track lost, then a new same-class track confirmed near
    /// it within `fragmentationWindowFrames` (likely the same object under a new id).
    public var fragmentations = 0
    public var maxLiveTracks = 0
    /// Unmatched detections that started no track because they lay inside a confirmed track's box.
    public var birthsSuppressed = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case frames, detections
        case detectionsBelowScore = "detections_below_score"
        case tracksCreated = "tracks_created"
        case tracksConfirmed = "tracks_confirmed"
        case tracksDeleted = "tracks_deleted"
        case gateRejections = "gate_rejections"
        case fragmentations
        case maxLiveTracks = "max_live_tracks"
        case birthsSuppressed = "births_suppressed"
    }

    public var summary: String {
        "tracker: frames=\(frames) detections=\(detections) below_score=\(detectionsBelowScore) "
            + "tracks created=\(tracksCreated) confirmed=\(tracksConfirmed) deleted=\(tracksDeleted) "
            + "max_live=\(maxLiveTracks) gate_rejections=\(gateRejections) fragmentations=\(fragmentations) "
            + "births_suppressed=\(birthsSuppressed)"
    }
}
