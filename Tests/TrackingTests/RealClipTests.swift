// The tracker on real frames: Yolo-Fastest's vehicle detections on the 100 frames of the bundled
// demo log (project_video frames 540..639), committed as Tests/TrackingTests/Fixtures/
// udacity_clip_detections.json by tools/forecaster/clip_fixture.py.
//
// Persistent cars, chosen by looking at frames 0, 50 and 90 (boxes drawn from the fixture):
//  - the white car in the right lane, visible in every frame, box centre near x 940, bottom near y 465;
//  - the dark car far ahead in our lane, detected in most frames, box centre near x 790, y 415.
// For each, every frame's detection of it (centre inside its region) is looked up among the
// confirmed tracks (IoU >= 0.5): the car should carry one id through the clip.

import Foundation
import Geometry
import Messages
import Testing
@testable import Tracking

private struct ClipFixture: Decodable {
    struct Frame: Decodable { var file: String; var t_ns: Int64; var detections: [[Float]] }
    var frames: [Frame]
}

@Test func persistentCarsKeepOneIdOnTheBundledClip() throws {
    let url = Fixtures.url("Tests/TrackingTests/Fixtures/udacity_clip_detections.json")
    let clip = try JSONDecoder().decode(ClipFixture.self, from: Data(contentsOf: url))
    let cam = try Fixtures.udacityCamera()
    var tracker = Tracker()
    struct Car { var name: String; var xs: ClosedRange<Float>; var ys: ClosedRange<Float> }
    let cars = [Car(name: "white car, right lane", xs: 900...985, ys: 425...460),
                Car(name: "dark car ahead", xs: 760...820, ys: 400...430)]
    var ids = [[Int]](repeating: [], count: cars.count)
    var seen = [Int](repeating: 0, count: cars.count), covered = [Int](repeating: 0, count: cars.count)
    var confirmedIds = Set<Int>()
    for (i, f) in clip.frames.enumerated() {
        let dets = f.detections.map {
            Detection(box: BoundingBox(x1: $0[0], y1: $0[1], x2: $0[2], y2: $0[3]), objectClass: .vehicle, score: $0[4])
        }
        let tracks = tracker.update(detections: dets, frame: FrameInfo(index: i, source: f.file, captureTimeNs: f.t_ns),
                                    camera: cam).filter(\.isConfirmed)
        confirmedIds.formUnion(tracks.map(\.id))
        for (k, car) in cars.enumerated() {
            guard let d = dets.filter({ car.xs.contains(($0.box.x1 + $0.box.x2) / 2) && car.ys.contains(($0.box.y1 + $0.box.y2) / 2) })
                .max(by: { $0.score < $1.score }) else { continue }
            seen[k] += 1
            if let t = tracks.max(by: { $0.box.iou(d.box) < $1.box.iou(d.box) }), t.box.iou(d.box) >= 0.5 {
                covered[k] += 1
                if ids[k].last != t.id { ids[k].append(t.id) }
            }
        }
    }
    for (k, car) in cars.enumerated() {
        print("real clip: \(car.name): detected in \(seen[k]) frames, tracked in \(covered[k]), ids \(ids[k])")
    }
    print("real clip: \(confirmedIds.count) confirmed ids in 100 frames; \(tracker.counters.summary)")
    #expect(seen[0] >= 95)
    #expect(Set(ids[0]).count == 1, "white car ids \(ids[0])")
    #expect(covered[0] >= seen[0] - 3)
    #expect(Set(ids[1]).count == 1, "dark car ids \(ids[1])")
}
