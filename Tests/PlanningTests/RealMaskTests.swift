// The lane estimate and planner on real masks: TwinLiteNet's drivable/lane-line masks of frames 0,
// 25, 50, 75 and 99 of the bundled demo log (Tests/PlanningTests/Fixtures/clip_masks.json, written by
// `tools/calibrate_camera.py --mask-fixture fixtures/logs/udacity_project_clip`), seen through the
// committed calibration. The car drives in its lane, so the lane must be found from both lines,
// near the centre and aligned, about 3.7 m wide, and the planner must cruise with small steering.

import Foundation
import Geometry
import Messages
import Testing
@testable import Planning

private struct MaskFixture: Decodable {
    struct Frame: Decodable { var index: Int; var file: String; var rle_rows: [[Int]] }
    var width: Int
    var height: Int
    var frames: [Frame]
}

@Test func realMasksGiveTheEgoLane() throws {
    let fx = try JSONDecoder().decode(MaskFixture.self, from: Data(contentsOf: PlanningFixtures.root
        .appendingPathComponent("Tests/PlanningTests/Fixtures/clip_masks.json")))
    let cam = try PlanningFixtures.camera()
    var planner = Planner()
    var allWidths: [Double] = []
    for (k, f) in fx.frames.enumerated() {
        var labels = [UInt8]()
        labels.reserveCapacity(fx.width * fx.height)
        for row in f.rle_rows {
            var i = 0
            while i + 1 < row.count { labels += Array(repeating: UInt8(row[i]), count: row[i + 1]); i += 2 }
        }
        try #require(labels.count == fx.width * fx.height)
        let mask = SegmentationMask(width: fx.width, height: fx.height, labels: labels)
        let lane = try #require(LaneEstimate.estimate(mask: mask, camera: cam, config: PlannerConfig()))
        let widths = lane.widthsM.sorted()
        let median = widths.isEmpty ? .nan : widths[widths.count / 2]
        allWidths += widths
        print("real mask frame \(f.index): source \(lane.source.rawValue), offset \(fmt(lane.offsetM)) m, heading "
              + "\(fmt(lane.headingRad)) rad, width median \(fmt(median)) m over \(widths.count) distances")
        #expect(lane.source == .laneLines)
        #expect(abs(lane.offsetM) < 1.0)
        #expect(abs(lane.headingRad) < 0.1)
        #expect(median > 3.2 && median < 4.4)
        let d = planner.decide(frame: FrameInfo(index: k, source: f.file, captureTimeNs: Int64(f.index) * 40_000_000),
                               tracks: [], forecasts: [], lane: mask, camera: cam)
        #expect(d.mode == .cruise)
        #expect(abs(d.steeringAngleRad) < 0.05)
    }
    allWidths.sort()
    print("real masks: lane width median \(fmt(allWidths[allWidths.count / 2])) m over \(allWidths.count) samples")
}
