// Helpers for planner tests: the real camera, synthetic lane masks rendered through it, and tracks.

import Foundation
import Geometry
import Messages
@testable import Tracking

enum PlanningFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func camera() throws -> GroundCamera {
        GroundCamera(metadata: try CalibrationFile.load(root.appendingPathComponent(
            "fixtures/calibration/udacity_1280x720.json")))
    }

    /// A 320x180 mask of a straight lane whose lines lie at y = left and y = right (vehicle frame),
    /// 15 cm wide, with the drivable area between them; `lines: false` draws only the drivable area.
    static func laneMask(camera: GroundCamera, left: Double, right: Double, lines: Bool = true,
                         heading: Double = 0) -> SegmentationMask {
        let w = 320, h = 180
        let cam = camera.scaled(toWidth: w, height: h)
        var labels = [UInt8](repeating: 0, count: w * h)
        for row in 0..<h {
            for col in 0..<w {
                guard let g = try? cam.groundPoint(of: PixelPoint(x: Double(col) + 0.5, y: Double(row) + 0.5)),
                      g.x > 0, g.x < 80 else { continue }
                let shift = tan(heading) * g.x   // a lane turned by `heading` relative to us
                let yl = left + shift, yr = right + shift
                if lines && (abs(g.y - yl) < 0.075 || abs(g.y - yr) < 0.075) {
                    labels[row * w + col] = SegmentationClass.laneLine.rawValue
                } else if g.y < yl && g.y > yr {
                    labels[row * w + col] = SegmentationClass.drivable.rawValue
                }
            }
        }
        return SegmentationMask(width: w, height: h, labels: labels)
    }

    static func emptyMask() -> SegmentationMask {
        SegmentationMask(width: 320, height: 180, labels: [UInt8](repeating: 0, count: 320 * 180))
    }

    /// A confirmed vehicle track at ground (x, y) moving at (vx, vy) relative to us.
    static func track(id: Int, x: Double, y: Double, vx: Double, vy: Double = 0, cls: ObjectClass = .vehicle) -> Track {
        let d = Detection(box: BoundingBox(x1: 600, y1: 380, x2: 680, y2: 440), objectClass: cls, score: 0.9)
        var t = Track(id: id, detection: d, ground: GroundPoint(x: x, y: y), frame: 0, timeNs: 0, config: TrackerConfig())
        t.status = .confirmed
        t.ground = GroundPoint(x: x, y: y)
        t.velocity = GroundVelocity(vx: vx, vy: vy)
        return t
    }

    static func frame(_ i: Int, speed: Double?, dtS: Double = 0.04) -> FrameInfo {
        FrameInfo(index: i, source: "\(i).jpg", captureTimeNs: Int64((Double(i) * dtS * 1e9).rounded()),
                  signals: speed.map { VehicleSignals(speedMps: $0) })
    }
}

/// SplitMix64 for property tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * Double(next() >> 11) / Double(1 << 53) }
}
