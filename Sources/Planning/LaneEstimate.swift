// The ego lane's centre line on the road, from the segmentation mask (lane lines, else drivable area).
//
// Method: at ground distances X = from, from+step, ..., to (vehicle frame), take the mask row where
// the road straight ahead at X is seen; in that row find the lane-line runs, project each run's
// centre to the road, and take the nearest line on the left (smallest y > 0) and on the right
// (largest y < 0). Both, with a plausible width: the centre is their midpoint; one: that line
// offset by half the assumed lane width. No lane line in the row: the drivable run under the
// straight-ahead point, if narrow enough to be one lane, gives its midpoint. A least-squares line
// y = c0 + c1·x through the centre points is the lane.

import Foundation
import Geometry
import Messages

public struct LaneEstimate: Sendable, Equatable {
    /// Centre line y = c0 + c1·x in the vehicle frame.
    public var c0: Double
    public var c1: Double
    public var source: LaneSource
    /// The centre points the line was fitted to.
    public var points: [GroundPoint]
    /// Lane widths (m) at the sampled distances where both lines were seen.
    public var widthsM: [Double] = []

    public func centreY(atX x: Double) -> Double { c0 + c1 * x }
    /// Our lateral position relative to the centre, positive = left of it (at the origin, x = 0).
    public var offsetM: Double { -c0 }
    /// Our heading relative to the lane direction, positive = pointing left of it.
    public var headingRad: Double { -atan(c1) }

    /// Estimate from a mask (any resolution; the camera is rescaled to it). nil if too few points.
    public static func estimate(mask: SegmentationMask, camera full: GroundCamera, config c: PlannerConfig) -> LaneEstimate? {
        let cam = full.scaled(toWidth: mask.width, height: mask.height)
        let line = SegmentationClass.laneLine.rawValue, drivable = SegmentationClass.drivable.rawValue
        var centres: [GroundPoint] = []
        var widths: [Double] = []
        var counts = [LaneSource: Int]()
        var x = c.laneSampleFromM
        while x <= c.laneSampleToM + 1e-9 {
            defer { x += c.laneSampleStepM }
            guard let ahead = try? cam.pixel(of: GroundPoint(x: x, y: 0)) else { continue }
            let row = Int(ahead.y.rounded(.down))
            guard row >= 0, row < mask.height else { continue }
            let runs = Self.runs(mask, row: row, label: line)
            var left: Double? = nil, right: Double? = nil
            for (a, b) in runs {
                let col = Double(a + b) / 2 + 0.5
                guard let g = try? cam.groundPoint(of: PixelPoint(x: col, y: Double(row) + 0.5)) else { continue }
                if g.y > 0 { left = min(left ?? .infinity, g.y) } else { right = max(right ?? -.infinity, g.y) }
            }
            var centre: Double? = nil, src = LaneSource.none
            // one line: take it if it is where an ego-lane line can be (within a lane width of us)
            func fromLeft(_ l: Double) { if l <= c.laneWidthM { centre = l - c.laneWidthM / 2; src = .oneLine } }
            func fromRight(_ r: Double) { if -r <= c.laneWidthM { centre = r + c.laneWidthM / 2; src = .oneLine } }
            switch (left, right) {
            case let (l?, r?) where l - r >= c.minLaneWidthM && l - r <= c.maxLaneWidthM:
                centre = (l + r) / 2; src = .laneLines
                widths.append(l - r)
            case let (l?, r?):
                if l < -r { fromLeft(l) } else { fromRight(r) }   // implausible width: trust the nearer line
            case let (l?, nil):
                fromLeft(l)
            case let (nil, r?):
                fromRight(r)
            case (nil, nil):
                // drivable run under the straight-ahead point, if it is one lane wide
                let col = Int(ahead.x.rounded(.down))
                if col >= 0, col < mask.width, mask[col, row] == drivable,
                   let (a, b) = Self.runs(mask, row: row, label: drivable).first(where: { $0.0 <= col && col <= $0.1 }),
                   let gl = try? cam.groundPoint(of: PixelPoint(x: Double(a), y: Double(row) + 0.5)),
                   let gr = try? cam.groundPoint(of: PixelPoint(x: Double(b + 1), y: Double(row) + 0.5)),
                   gl.y - gr.y >= c.minLaneWidthM, gl.y - gr.y <= c.maxLaneWidthM {
                    centre = (gl.y + gr.y) / 2; src = .drivable
                }
            }
            if let centre {
                centres.append(GroundPoint(x: x, y: centre))
                counts[src, default: 0] += 1
            }
        }
        guard centres.count >= c.minLanePoints else { return nil }
        // least squares y = c0 + c1 x
        let n = Double(centres.count)
        let sx = centres.reduce(0) { $0 + $1.x }, sy = centres.reduce(0) { $0 + $1.y }
        let sxx = centres.reduce(0) { $0 + $1.x * $1.x }, sxy = centres.reduce(0) { $0 + $1.x * $1.y }
        let den = n * sxx - sx * sx
        guard abs(den) > 1e-9 else { return nil }
        let c1 = (n * sxy - sx * sy) / den
        let c0 = (sy - c1 * sx) / n
        // the most used source names the estimate (ties: lane lines, one line, drivable)
        var source = LaneSource.none, best = 0
        for s in [LaneSource.laneLines, .oneLine, .drivable] where counts[s, default: 0] > best {
            best = counts[s, default: 0]; source = s
        }
        return LaneEstimate(c0: c0, c1: c1, source: source, points: centres, widthsM: widths)
    }

    /// Runs [a, b] (inclusive columns) of `label` in one mask row, left to right.
    static func runs(_ m: SegmentationMask, row: Int, label: UInt8) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var start: Int? = nil
        let base = row * m.width
        for x in 0..<m.width {
            if m.labels[base + x] == label {
                if start == nil { start = x }
            } else if let s = start {
                out.append((s, x - 1)); start = nil
            }
        }
        if let s = start { out.append((s, m.width - 1)) }
        return out
    }
}
