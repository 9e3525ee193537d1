// The planner: a simple, explainable control law, one decision per frame.
//
// Lateral: lane centre line from the segmentation (LaneEstimate); pure pursuit from the rear axle
// to the centre line at the look-ahead distance: δ = atan(2 L sin α / ld).
// Longitudinal: the lead (LeadSelection) sets the mode:
//   brake  — time-to-collision under `ttcBrakeS` and the lead within `brakeMaxGapM` (farther, the
//            flat-ground range is too coarse to brake hard on; the follow law still slows down):
//            the deceleration that stops the closing speed within the gap left (at least the
//            comfort limit, at most the hard limit);
//   stop   — stopped or stopping behind a lead that is (nearly) stopped within the standstill gap;
//   follow — time-gap law a = kGap (gap − (d0 + T v)) + kSpeed Δv, capped by the cruise law;
//   cruise — a = kCruise (v_set − v).
// Degraded — perception unhealthy (stale frame, drops, timeouts) or no lane: decelerate gently
// (`degradedDecelMps2`, or harder if a lead demands it), hold the last steering.
// Limits, always: |a| within [−maxDecel, maxAccel] (−comfortDecel outside `brake`), |δ| ≤ maxSteering,
// |Δδ| ≤ maxSteeringRate · dt. Deterministic: the output depends only on the inputs and the
// previous decision.

import Foundation
import Geometry
import Messages
import Tracking

public struct Planner: Sendable {
    public let config: PlannerConfig
    private var lastSteering = 0.0
    private var lastTimeNs: Int64?
    private var laneFramesSinceLoss = Int.max   // frames with a lane since the last frame without one
    public private(set) var modeCounts: [DrivingMode: Int] = [:]

    public init(config: PlannerConfig = PlannerConfig()) { self.config = config }

    /// Decide for one frame. `lane` is the segmentation mask (labels: SegmentationClass) at any
    /// resolution; `camera` is the full-frame camera.
    public mutating func decide(frame: FrameInfo, tracks: [Track], forecasts: [TrackForecast],
                                lane mask: SegmentationMask?, camera: GroundCamera,
                                health: PerceptionHealth = .healthy) -> Decision {
        let c = config
        // time step
        var dt = c.nominalDtS
        if let last = lastTimeNs {
            let d = Double(frame.captureTimeNs - last) / 1e9
            dt = d > 0 ? min(d, c.maxDtS) : 0
        }
        lastTimeNs = frame.captureTimeNs
        let v = max(0, frame.signals?.speedMps ?? c.defaultEgoSpeedMps)

        // lane and health
        let lane = mask.flatMap { LaneEstimate.estimate(mask: $0, camera: camera, config: c) }
        if lane == nil { laneFramesSinceLoss = 0 } else if laneFramesSinceLoss < Int.max { laneFramesSinceLoss += 1 }
        var unhealthy: [String] = []
        if health.frameAgeS > c.maxFrameAgeS { unhealthy.append("frame age \(fmt(health.frameAgeS)) s > \(fmt(c.maxFrameAgeS)) s") }
        if health.dropRatio > c.maxDropRatio { unhealthy.append("drop ratio \(fmt(health.dropRatio)) > \(fmt(c.maxDropRatio))") }
        if health.timeouts > c.maxTimeouts { unhealthy.append("\(health.timeouts) stage timeouts") }
        if lane == nil { unhealthy.append("no lane found") }
        else if laneFramesSinceLoss < c.laneRecoveryFrames {
            unhealthy.append("lane back for \(laneFramesSinceLoss) of \(c.laneRecoveryFrames) frames")
        }
        let degraded = !unhealthy.isEmpty

        // lateral
        var steering = lastSteering
        if !degraded, let lane {
            let ld = min(max(c.lookAheadTimeS * v, c.minLookAheadM), c.maxLookAheadM)   // from the rear axle
            let xr = ld                                     // target x, rear-axle frame
            let yt = lane.centreY(atX: ld - c.originToRearAxleM)
            let alpha = atan2(yt, xr)
            let dist = (xr * xr + yt * yt).squareRoot()
            steering = atan(2 * c.wheelbaseM * sin(alpha) / dist)
        }
        steering = min(max(steering, -c.maxSteeringAngleRad), c.maxSteeringAngleRad)
        let maxStep = c.maxSteeringRateRadps * dt
        steering = min(max(steering, lastSteering - maxStep), lastSteering + maxStep)
        lastSteering = steering

        // longitudinal
        let lead = LeadSelection.select(tracks: tracks, forecasts: forecasts, lane: lane, egoSpeedMps: v, config: c)
        let cruise = c.cruiseGain * (c.cruiseSpeedMps - v)
        var mode = DrivingMode.cruise
        var accel = cruise
        var reason = "no lead in path, cruise to \(fmt(c.cruiseSpeedMps)) m/s"
        if let lead {
            let leadSpeed = max(0, v + lead.relativeSpeedMps)
            let follow = c.gapGain * (lead.gapM - (c.standstillGapM + c.timeGapS * v)) + c.speedGain * lead.relativeSpeedMps
            if let ttc = lead.ttcS, ttc < c.ttcBrakeS, lead.gapM <= c.brakeMaxGapM {
                let closing = max(0, -lead.relativeSpeedMps)
                let room = max(lead.gapM - c.standstillGapM, 0.5)
                let need = closing * closing / (2 * room)
                mode = .brake
                accel = -min(max(need, c.comfortDecelMps2), c.maxDecelMps2)
                accel = min(accel, follow)
                reason = "ttc \(fmt(ttc)) s < \(fmt(c.ttcBrakeS)) s to track \(lead.trackId)"
            } else if leadSpeed < 1.0 && lead.gapM <= c.standstillGapM + 2 {
                mode = .stop
                accel = v > c.stoppedSpeedMps ? -min(max(v * v / (2 * max(lead.gapM, 0.5)), 1.0), c.maxDecelMps2) : 0
                reason = "stopped lead \(lead.trackId) at \(fmt(lead.gapM)) m"
            } else if follow < cruise {
                mode = .follow
                accel = follow
                reason = "following track \(lead.trackId) at \(fmt(lead.gapM)) m, gap target \(fmt(c.standstillGapM + c.timeGapS * v)) m"
                    + (lead.cutIn ? " (cut-in)" : "")
            }
        }
        if degraded {
            let gentle = v > c.stoppedSpeedMps ? -c.degradedDecelMps2 : 0
            accel = min(accel, gentle)
            reason = "degraded: " + unhealthy.joined(separator: ", ") + (mode == .cruise ? "" : "; \(mode.rawValue): \(reason)")
            mode = .degraded
        }
        // limits
        let floor = mode == .brake || mode == .stop
            || (degraded && lead.map { ($0.ttcS ?? .infinity) < c.ttcBrakeS && $0.gapM <= c.brakeMaxGapM } == true)
            ? -c.maxDecelMps2 : -c.comfortDecelMps2
        accel = min(max(accel, floor), c.maxAccelMps2)
        if !accel.isFinite { accel = -c.degradedDecelMps2 }
        if !steering.isFinite { steering = 0; lastSteering = 0 }
        modeCounts[mode, default: 0] += 1

        return Decision(mode: mode, steeringAngleRad: steering, accelerationMps2: accel, egoSpeedMps: v,
                        leadTrackId: lead?.trackId, leadDistanceM: lead?.gapM,
                        leadRelativeSpeedMps: lead?.relativeSpeedMps, ttcS: lead?.ttcS,
                        laneOffsetM: lane?.offsetM, headingRad: lane?.headingRad,
                        laneSource: lane?.source ?? .none, reason: reason)
    }
}

/// Short fixed formatting for reasons (deterministic, 2 decimals).
func fmt(_ x: Double) -> String { String(format: "%.2f", x) }
