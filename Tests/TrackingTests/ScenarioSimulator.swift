// Scripted traffic in the vehicle frame, seen through the real Udacity camera model: objects move
// at constant velocity on the road; each frame gives the ground-truth boxes of visible objects and
// the detector's output (jittered boxes, scripted dropouts, occlusion by nearer objects).

import Geometry
import Messages
import Tracking

struct SimObject {
    var id: Int
    var cls: ObjectClass = .vehicle
    var start: GroundPoint
    var velocity: GroundVelocity
    var widthM = 1.8, heightM = 1.5
    var firstFrame = 0, lastFrame = Int.max
    /// Frames in which the detector misses this object (it is still there: ground truth keeps it).
    var dropouts: Set<Int> = []
}

struct SimFrame {
    var info: FrameInfo
    /// Ground truth; `ignored` = more than 60% hidden behind a nearer object (a don't-care region).
    var truth: [(id: Int, box: BoundingBox, ignored: Bool)]
    var detections: [Detection]
}

struct ScenarioSimulator {
    var camera: GroundCamera
    var objects: [SimObject]
    var fps = 25.0
    var jitterPx = 2.0
    var seed: UInt64 = 1

    /// Box of an object standing at g: width and height from the projection of its extent.
    func box(of o: SimObject, at g: GroundPoint) -> BoundingBox? {
        guard g.x > 2,
              let l = try? camera.pixel(of: GroundPoint(x: g.x, y: g.y + o.widthM / 2)),
              let r = try? camera.pixel(of: GroundPoint(x: g.x, y: g.y - o.widthM / 2)),
              let b = try? camera.pixel(of: g),
              let t = try? camera.pixel(of: g, z: o.heightM) else { return nil }
        return BoundingBox(x1: Float(l.x), y1: Float(t.y), x2: Float(r.x), y2: Float(b.y))
    }

    func frames(count: Int) -> [SimFrame] {
        var rng = SplitMix64(seed: seed)
        let W = Float(camera.camera.width), H = Float(camera.camera.height)
        var out: [SimFrame] = []
        for f in 0..<count {
            let t = Double(f) / fps
            var visible: [(o: SimObject, g: GroundPoint, box: BoundingBox)] = []
            for o in objects where f >= o.firstFrame && f <= o.lastFrame {
                let g = GroundPoint(x: o.start.x + o.velocity.vx * t, y: o.start.y + o.velocity.vy * t)
                guard let b = box(of: o, at: g) else { continue }
                // visible if at least half the box is inside the image and it is not tiny
                let inside = BoundingBox(x1: max(0, b.x1), y1: max(0, b.y1), x2: min(W, b.x2), y2: min(H, b.y2))
                guard b.area > 0, inside.area / b.area >= 0.5, inside.width >= 8, inside.height >= 8 else { continue }
                visible.append((o, g, inside))
            }
            // occluded: more than 60% covered by a nearer object; the detector misses it
            let occluded = visible.map { v in
                visible.contains { w in w.g.x < v.g.x && intersection(v.box, w.box) > 0.6 * v.box.area }
            }
            let truth = visible.indices.map { (id: visible[$0].o.id, box: visible[$0].box, ignored: occluded[$0]) }
            var dets: [Detection] = []
            for (k, v) in visible.enumerated() where !v.o.dropouts.contains(f) {
                if occluded[k] { continue }
                let j = { Float(rng.uniform(-jitterPx, jitterPx)) }
                let b = BoundingBox(x1: v.box.x1 + j(), y1: v.box.y1 + j(), x2: v.box.x2 + j(), y2: v.box.y2 + j())
                dets.append(Detection(box: b, objectClass: v.o.cls, score: Float(rng.uniform(0.4, 0.95))))
            }
            // detector output order is arbitrary: shuffle deterministically
            dets.shuffle(using: &rng)
            let info = FrameInfo(index: f, source: String(format: "%06d.jpg", f),
                                 captureTimeNs: Int64((t * 1e9).rounded()))
            out.append(SimFrame(info: info, truth: truth, detections: dets))
        }
        return out
    }

    private func intersection(_ a: BoundingBox, _ b: BoundingBox) -> Float {
        max(0, min(a.x2, b.x2) - max(a.x1, b.x1)) * max(0, min(a.y2, b.y2) - max(a.y1, b.y1))
    }
}

import Foundation
