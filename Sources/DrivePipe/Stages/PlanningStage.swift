// Planning stage: perceived frame → driving decision (Planning.Planner: pure pursuit on the lane,
// following/braking on the in-path lead track). It also judges perception health from the
// runtime's view of its input (StageContext): the share of recent frames dropped or failed
// upstream, frames on which a stage overran its time budget (`budgets_ms`), and, when following a
// live camera folder, the frame's age (wall clock now − its file's write time). Any of them over
// its limit makes the planner go `degraded`.
import Foundation
import Geometry
import ImageIO
import Messages
import Pipeline
import Planning
import Tracking

/// The decision of one frame with what it was decided on (for the sink and overlays).
public struct PlannedFrame: Sendable {
    public var decision: Decision
    public var perceived: PerceivedFrame
}

public final class PlanningStage {
    var planner: Planner
    let camera: GroundCamera
    /// Live camera folder: frame age = wall clock now − capture time (the file's write time).
    /// Replays leave it out so decisions never depend on machine load (byte-identical replays).
    let liveAge: Bool

    public init(config: PlannerConfig, camera: GroundCamera, liveAge: Bool) {
        planner = Planner(config: config)
        self.camera = camera
        self.liveAge = liveAge
    }

    public func callAsFunction(_ p: PerceivedFrame, _ ctx: StageContext) throws -> PlannedFrame {
        let info = ctx.info
        // Frames that never made it here (dropped, or failed in an earlier stage) count as lost.
        let w = ctx.window
        let lost = w.count == 0 ? 0 : Double(w.dropped + w.failed) / Double(w.count)
        var age = 0.0
        if liveAge {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            age = max(0, Double(Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec) - info.captureTimeNs) / 1e9)
        }
        let h = PerceptionHealth(frameAgeS: age, dropRatio: lost, timeouts: w.overBudget)
        let d = planner.decide(frame: info, tracks: p.tracks, forecasts: p.forecasts, lane: p.mask, camera: camera, health: h)
        return PlannedFrame(decision: d, perceived: p)
    }

    public var modeCounts: [DrivingMode: Int] { planner.modeCounts }
}
