// Planner behaviour: lane keeping direction, braking ahead of the TTC threshold, degraded mode on
// lane loss and poor health, stop, limits over random inputs, determinism and the JSON shape.

import Foundation
import Geometry
import Messages
import Testing
@testable import Planning
@testable import Tracking

@Suite struct PlannerTests {
    let cam: GroundCamera
    init() throws { cam = try PlanningFixtures.camera() }

    @Test func laneEstimateFindsOffsetAndHeading() {
        let c = PlannerConfig()
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.35, right: -2.35)   // we are 0.5 m left of centre
        let lane = LaneEstimate.estimate(mask: m, camera: cam, config: c)
        #expect(lane?.source == .laneLines)
        #expect(abs((lane?.offsetM ?? 99) - 0.5) < 0.15, "offset \(String(describing: lane?.offsetM))")
        #expect(abs(lane?.headingRad ?? 99) < 0.01)
        let turned = PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85, heading: 0.03)
        let l2 = LaneEstimate.estimate(mask: turned, camera: cam, config: c)
        // the lane turns left relative to us, i.e. we point right of it: heading negative
        #expect(abs((l2?.headingRad ?? 99) + 0.03) < 0.01, "heading \(String(describing: l2?.headingRad))")
        // drivable area alone still gives the centre
        let d = LaneEstimate.estimate(mask: PlanningFixtures.laneMask(camera: cam, left: 1.35, right: -2.35, lines: false),
                                      camera: cam, config: c)
        #expect(d?.source == .drivable)
        #expect(abs((d?.offsetM ?? 99) - 0.5) < 0.2)
        #expect(LaneEstimate.estimate(mask: PlanningFixtures.emptyMask(), camera: cam, config: c) == nil)
    }

    @Test func offsetLeftSteersRightAndReverse() {
        for (left, right, sign) in [(1.35, -2.35, -1.0), (2.35, -1.35, 1.0)] {
            var p = Planner()
            let m = PlanningFixtures.laneMask(camera: cam, left: left, right: right)
            var d: Decision? = nil
            for i in 0..<10 {
                d = p.decide(frame: PlanningFixtures.frame(i, speed: 20), tracks: [], forecasts: [], lane: m, camera: cam)
            }
            let s = d?.steeringAngleRad ?? 0
            #expect(s * sign > 0.001, "lines at \(left)/\(right): steering \(s)")
            #expect(d?.mode == .cruise)
            #expect(((d?.laneOffsetM ?? 0) > 0) == (sign < 0))
        }
    }

    @Test func leadClosingFastBrakesBeforeTTCThreshold() {
        // Ego at 25 m/s, lead at 80 m doing 10 m/s in our lane. Closed loop at 25 Hz.
        let c = PlannerConfig()
        var p = Planner()
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85)
        var v = 25.0, gapX = 80.0
        let leadV = 10.0
        var firstBrakeTTC: Double? = nil, minGap = Double.infinity, sawBrakeMode = false
        for i in 0..<400 {
            let rel = leadV - v
            let t = PlanningFixtures.track(id: 7, x: gapX, y: 0, vx: rel)
            let d = p.decide(frame: PlanningFixtures.frame(i, speed: v), tracks: [t], forecasts: [], lane: m, camera: cam)
            #expect(d.leadTrackId == 7)
            let ttc = rel < 0 ? (gapX - c.originToFrontM) / -rel : Double.infinity
            if firstBrakeTTC == nil && d.accelerationMps2 < -0.5 { firstBrakeTTC = ttc }
            if d.mode == .brake { sawBrakeMode = true }
            v = max(0, v + d.accelerationMps2 * 0.04)
            gapX += (leadV - v) * 0.04
            minGap = min(minGap, gapX - c.originToFrontM)
        }
        #expect((firstBrakeTTC ?? 0) > c.ttcBrakeS, "braking began at ttc \(String(describing: firstBrakeTTC))")
        #expect(minGap > 0, "collision: min gap \(minGap)")
        #expect(abs(v - leadV) < 1.0, "settles to the lead's speed: \(v)")
        #expect(!sawBrakeMode, "the follow law alone avoided the TTC threshold")
        print("closing lead: braking began at ttc \(firstBrakeTTC ?? -1) s, min gap \(minGap) m, final v \(v)")
    }

    @Test func ttcUnderThresholdBrakes() {
        var p = Planner()
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85)
        // 20 m gap closing at 12 m/s: ttc ≈ 1.5 s
        let d = p.decide(frame: PlanningFixtures.frame(0, speed: 25), tracks: [PlanningFixtures.track(id: 3, x: 22, y: 0.3, vx: -12)],
                         forecasts: [], lane: m, camera: cam)
        #expect(d.mode == .brake)
        #expect(d.accelerationMps2 <= -PlannerConfig().comfortDecelMps2)
        #expect((d.ttcS ?? 99) < 2)
        #expect(d.leadDistanceM == 20)
    }

    @Test func forecastCutInBecomesLead() {
        var p = Planner()
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85)
        let t = PlanningFixtures.track(id: 4, x: 15, y: 3.5, vx: -2, vy: -2)
        let fc = TrackForecast(trackId: 4, horizonsS: [0.5, 1.0],
                               points: [GroundPoint(x: 14, y: 2.5), GroundPoint(x: 13, y: 1.4)])
        let without = p.decide(frame: PlanningFixtures.frame(0, speed: 20), tracks: [t], forecasts: [], lane: m, camera: cam)
        #expect(without.leadTrackId == nil)
        let with = p.decide(frame: PlanningFixtures.frame(1, speed: 20), tracks: [t], forecasts: [fc], lane: m, camera: cam)
        #expect(with.leadTrackId == 4)
        #expect(with.accelerationMps2 < 0)
    }

    @Test func losingTheLaneDegradesGently() {
        let c = PlannerConfig()
        var p = Planner()
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85)
        for i in 0..<5 { _ = p.decide(frame: PlanningFixtures.frame(i, speed: 25), tracks: [], forecasts: [], lane: m, camera: cam) }
        for i in 5..<15 {
            let d = p.decide(frame: PlanningFixtures.frame(i, speed: 25), tracks: [], forecasts: [],
                             lane: PlanningFixtures.emptyMask(), camera: cam)
            #expect(d.mode == .degraded)
            #expect(d.accelerationMps2 < 0 && d.accelerationMps2 >= -c.degradedDecelMps2 - 1e-12)
            #expect(d.reason.contains("no lane"))
        }
        // no mask at all is the same
        let d = p.decide(frame: PlanningFixtures.frame(15, speed: 25), tracks: [], forecasts: [], lane: nil, camera: cam)
        #expect(d.mode == .degraded)
        // the lane must be back for `laneRecoveryFrames` frames before leaving degraded
        var modes: [DrivingMode] = []
        for i in 16..<22 {
            modes.append(p.decide(frame: PlanningFixtures.frame(i, speed: 25), tracks: [], forecasts: [], lane: m, camera: cam).mode)
        }
        // degraded until the lane has been seen `laneRecoveryFrames` frames in a row
        #expect(modes.prefix(c.laneRecoveryFrames - 1).allSatisfy { $0 == .degraded }, "\(modes)")
        #expect(modes[c.laneRecoveryFrames - 1] == .cruise, "\(modes)")
    }

    @Test func unhealthyPerceptionDegrades() {
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85)
        for h in [PerceptionHealth(frameAgeS: 0.8), PerceptionHealth(dropRatio: 0.5), PerceptionHealth(timeouts: 2)] {
            var p = Planner()
            let d = p.decide(frame: PlanningFixtures.frame(0, speed: 25), tracks: [], forecasts: [], lane: m, camera: cam, health: h)
            #expect(d.mode == .degraded, "\(h)")
            #expect(d.accelerationMps2 == -PlannerConfig().degradedDecelMps2)
        }
    }

    @Test func stoppedLeadGivesStop() {
        var p = Planner()
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85)
        let d = p.decide(frame: PlanningFixtures.frame(0, speed: 0), tracks: [PlanningFixtures.track(id: 1, x: 7, y: 0, vx: 0)],
                         forecasts: [], lane: m, camera: cam)
        #expect(d.mode == .stop)
        #expect(d.accelerationMps2 == 0)
        let moving = p.decide(frame: PlanningFixtures.frame(1, speed: 3), tracks: [PlanningFixtures.track(id: 1, x: 7, y: 0, vx: -3)],
                              forecasts: [], lane: m, camera: cam)
        #expect(moving.accelerationMps2 < 0)
    }

    @Test func limitsHoldOverRandomInputs() {
        let c = PlannerConfig()
        let masks: [SegmentationMask?] = [
            nil, PlanningFixtures.emptyMask(),
            PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85),
            PlanningFixtures.laneMask(camera: cam, left: 0.3, right: -3.4, heading: 0.1),
            PlanningFixtures.laneMask(camera: cam, left: 3.6, right: -0.1, heading: -0.1),
            PlanningFixtures.laneMask(camera: cam, left: 1.0, right: -2.7, lines: false),
        ]
        var rng = SplitMix64(seed: 42)
        for run in 0..<20 {
            var p = Planner()
            var timeNs: Int64 = 0, lastTimeNs: Int64? = nil
            var lastSteer = 0.0
            for i in 0..<150 {
                // timestamps: mostly 40 ms, sometimes jumps, repeats or going backwards
                let r = rng.next() % 20
                timeNs += r == 0 ? 0 : r == 1 ? -20_000_000 : r == 2 ? 900_000_000 : Int64(rng.uniform(0.02, 0.1) * 1e9)
                let speed: Double? = rng.next() % 5 == 0 ? nil : rng.uniform(0, 40)
                let tracks = (0..<Int(rng.next() % 5)).map { k in
                    PlanningFixtures.track(id: k + 1, x: rng.uniform(-5, 100), y: rng.uniform(-6, 6),
                                           vx: rng.uniform(-30, 10), vy: rng.uniform(-3, 3))
                }
                let forecasts = tracks.filter { _ in rng.next() % 2 == 0 }.map { t in
                    TrackForecast(trackId: t.id, horizonsS: [0.5, 1.0, 2.0], points: (0..<3).map { _ in
                        GroundPoint(x: rng.uniform(-5, 100), y: rng.uniform(-6, 6)) })
                }
                let health = rng.next() % 4 == 0
                    ? PerceptionHealth(frameAgeS: rng.uniform(0, 1), dropRatio: rng.uniform(0, 1), timeouts: Int(rng.next() % 2))
                    : .healthy
                let mask = masks[Int(rng.next() % UInt64(masks.count))]
                let f = FrameInfo(index: i, source: "\(i)", captureTimeNs: timeNs,
                                  signals: speed.map { VehicleSignals(speedMps: $0) })
                let d = p.decide(frame: f, tracks: tracks, forecasts: forecasts, lane: mask, camera: cam, health: health)
                var dt = c.nominalDtS
                if let l = lastTimeNs { let x = Double(timeNs - l) / 1e9; dt = x > 0 ? min(x, c.maxDtS) : 0 }
                lastTimeNs = timeNs
                #expect(d.accelerationMps2 >= -c.maxDecelMps2 && d.accelerationMps2 <= c.maxAccelMps2, "run \(run) frame \(i)")
                if d.mode == .cruise || d.mode == .follow {
                    #expect(d.accelerationMps2 >= -c.comfortDecelMps2, "run \(run) frame \(i) \(d.mode)")
                }
                #expect(abs(d.steeringAngleRad) <= c.maxSteeringAngleRad + 1e-12)
                #expect(abs(d.steeringAngleRad - lastSteer) <= c.maxSteeringRateRadps * dt + 1e-12,
                        "run \(run) frame \(i): steering step \(d.steeringAngleRad - lastSteer) over dt \(dt)")
                #expect(d.steeringAngleRad.isFinite && d.accelerationMps2.isFinite)
                lastSteer = d.steeringAngleRad
            }
        }
    }

    @Test func deterministicAndJSONShape() throws {
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.5, right: -2.2)
        func run() -> [Decision] {
            var p = Planner()
            return (0..<20).map { i in
                p.decide(frame: PlanningFixtures.frame(i, speed: 22),
                         tracks: [PlanningFixtures.track(id: 2, x: 40 - Double(i), y: 0.2, vx: -5)], forecasts: [],
                         lane: i % 7 == 3 ? nil : m, camera: cam)
            }
        }
        #expect(run() == run())
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let json = String(decoding: try enc.encode(Decision(mode: .cruise, steeringAngleRad: 0, accelerationMps2: 0.5,
                                                            egoSpeedMps: 20)), as: UTF8.self)
        for key in ["\"steering_angle_rad\"", "\"acceleration_mps2\"", "\"mode\":\"cruise\"", "\"lead_track_id\":null",
                    "\"lead_distance_m\":null", "\"ttc_s\":null", "\"lane_offset_m\":null", "\"heading_rad\":null"] {
            #expect(json.contains(key), "\(json)")
        }
        let back = try JSONDecoder().decode(Decision.self, from: Data(json.utf8))
        #expect(back.mode == .cruise)
    }
}

@Suite struct PlannerRobustnessTests {
    let cam: GroundCamera
    init() throws { cam = try PlanningFixtures.camera() }

    @Test func oncomingObjectsAreNotLeads() {
        // Closing at 40 m/s while we drive 25 m/s: oncoming (or a misplaced box), not a lead.
        var p = Planner()
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85)
        let d = p.decide(frame: PlanningFixtures.frame(0, speed: 25), tracks: [PlanningFixtures.track(id: 6, x: 30, y: 0, vx: -40)],
                         forecasts: [], lane: m, camera: cam)
        #expect(d.leadTrackId == nil)
        #expect(d.mode == .cruise)
        // a stopped car (closing at our speed) still is one
        let s = p.decide(frame: PlanningFixtures.frame(1, speed: 25), tracks: [PlanningFixtures.track(id: 7, x: 30, y: 0, vx: -25)],
                         forecasts: [], lane: m, camera: cam)
        #expect(s.leadTrackId == 7)
        #expect(s.mode == .brake)
    }

    @Test func farLeadsSlowDownWithoutHardBraking() {
        // TTC 2.7 s but 80 m away: follow (comfort deceleration), not brake.
        var p = Planner()
        let m = PlanningFixtures.laneMask(camera: cam, left: 1.85, right: -1.85)
        let d = p.decide(frame: PlanningFixtures.frame(0, speed: 30), tracks: [PlanningFixtures.track(id: 2, x: 82, y: 0.5, vx: -29)],
                         forecasts: [], lane: m, camera: cam)
        #expect(d.leadTrackId == 2)
        #expect(d.mode == .follow)
        #expect(d.accelerationMps2 == -PlannerConfig().comfortDecelMps2)
    }
}
