// Planning stage: perceived frame → driving decision (Planning.Planner: pure pursuit on the lane,
// following/braking on the in-path lead track). It also judges perception health: frames that
// never reached it (dropped or failed upstream) raise the drop ratio; when following a live
// camera folder, a frame's age (wall clock now − its file's write time) counts too. Either makes
// the planner go `degraded`.
import Foundation
import Geometry
import ImageIO
import Messages
import Planning
import Tracking

/// The decision of one frame with what it was decided on (for the sink and overlays).
public struct PlannedFrame: Sendable {
    public var decision: Decision
    public var perceived: PerceivedFrame
}

/// Perception health as the planner sees it: a sliding window over the last frame indices.
struct HealthWindow {
    let size: Int
    private var missing: [Bool] = []   // per input index in the window: true = never reached the planner
    private var lastIndex = -1

    init(size: Int) { self.size = max(1, size) }

    /// Note that `index` arrived; every index skipped since the last arrival was lost upstream.
    mutating func arrived(_ index: Int) -> Double {
        if lastIndex >= 0 { for _ in (lastIndex + 1)..<max(index, lastIndex + 1) { push(true) } }
        push(false)
        lastIndex = index
        return Double(missing.filter { $0 }.count) / Double(missing.count)
    }

    private mutating func push(_ m: Bool) {
        missing.append(m)
        if missing.count > size { missing.removeFirst(missing.count - size) }
    }
}

public final class PlanningStage {
    var planner: Planner
    let camera: GroundCamera
    var health: HealthWindow
    /// Live camera folder: frame age = wall clock now − capture time (the file's write time).
    /// Replays leave it out so decisions never depend on machine load (byte-identical replays).
    let liveAge: Bool

    public init(config: PlannerConfig, camera: GroundCamera, healthWindow: Int = 20, liveAge: Bool) {
        planner = Planner(config: config)
        self.camera = camera
        health = HealthWindow(size: healthWindow)
        self.liveAge = liveAge
    }

    public func callAsFunction(_ p: PerceivedFrame, _ info: FrameInfo) throws -> PlannedFrame {
        let dropRatio = health.arrived(info.index)
        var age = 0.0
        if liveAge {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            age = max(0, Double(Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec) - info.captureTimeNs) / 1e9)
        }
        let h = PerceptionHealth(frameAgeS: age, dropRatio: dropRatio, timeouts: 0)
        let d = planner.decide(frame: info, tracks: p.tracks, forecasts: p.forecasts, lane: p.mask, camera: camera, health: h)
        return PlannedFrame(decision: d, perceived: p)
    }

    public var modeCounts: [DrivingMode: Int] { planner.modeCounts }
}
