// Which track is the lead: the nearest confirmed road user in our path (within the half width of
// the lane centre line), now or, per its forecast, within the next second (cut-ins). Objects that
// approach faster than our own speed plus `oncomingMarginMps` are taken as oncoming traffic (the
// other carriageway seen over the barrier, or a false box whose flat-ground range is wrong) and are
// never leads: a same-direction vehicle cannot close faster than we drive.

import Geometry
import Messages
import Tracking

public struct Lead: Sendable, Equatable {
    public var trackId: Int
    /// Gap from our front bumper to the lead's rear, metres.
    public var gapM: Double
    /// Lead speed relative to ours along x (negative = closing), m/s.
    public var relativeSpeedMps: Double
    /// Time to collision (nil when not closing).
    public var ttcS: Double?
    /// true if selected because its forecast enters the path (not in it yet).
    public var cutIn: Bool
}

public enum LeadSelection {
    /// Path centre line: the lane's, or straight ahead without a lane.
    public static func select(tracks: [Track], forecasts: [TrackForecast], lane: LaneEstimate?,
                              egoSpeedMps v: Double, config c: PlannerConfig) -> Lead? {
        let centre: (Double) -> Double = { x in lane?.centreY(atX: x) ?? 0 }
        let byId = Dictionary(forecasts.map { ($0.trackId, $0) }, uniquingKeysWith: { a, _ in a })
        var best: Lead? = nil
        for t in tracks where t.isConfirmed && t.objectClass != .trafficLight {
            guard let g = t.ground, g.x > 0, g.x <= c.maxLeadRangeM else { continue }
            let inPath = abs(g.y - centre(g.x)) <= c.inPathHalfWidthM
            let fc = byId[t.id]
            var cutIn = false
            if !inPath {
                // forecast points within 1 s that enter the path make it a lead (a cut-in)
                guard let fc, zip(fc.horizonsS, fc.points).contains(where: { h, p in
                    h <= 1.0 + 1e-9 && p.x > 0 && abs(p.y - centre(p.x)) <= c.inPathHalfWidthM
                }) else { continue }
                cutIn = true
            }
            let gap = g.x - c.originToFrontM
            // closing speed: the tracker's velocity, or the forecast's if it closes faster
            var rel = t.velocity?.vx ?? 0
            if let fc {
                for (h, p) in zip(fc.horizonsS, fc.points) where h > 0 { rel = min(rel, (p.x - g.x) / h) }
            }
            if rel < -(v + c.oncomingMarginMps) { continue }   // oncoming: not a lead
            var ttc: Double? = nil
            if rel < -0.1 { ttc = max(0, gap) / -rel }
            // the forecast reaching our bumper earlier wins
            if let fc {
                var prevH = 0.0, prevGap = gap
                for (h, p) in zip(fc.horizonsS, fc.points) {
                    let gp = p.x - c.originToFrontM
                    if gp <= 0 && prevGap > 0 {
                        let hit = prevH + (h - prevH) * prevGap / (prevGap - gp)
                        ttc = min(ttc ?? .infinity, hit)
                        break
                    }
                    prevH = h; prevGap = gp
                }
            }
            let cand = Lead(trackId: t.id, gapM: gap, relativeSpeedMps: rel, ttcS: ttc, cutIn: cutIn)
            if let b = best, (b.gapM, b.trackId) <= (cand.gapM, cand.trackId) { continue }
            best = cand
        }
        return best
    }
}
