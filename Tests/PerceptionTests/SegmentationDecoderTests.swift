// Segmentation argmax vs its reference twin, two-head (TwinLiteNet) merge, and frame resampling.

import Messages
import Testing
@testable import Perception

@Suite struct SegmentationDecoderTests {
    @Test func argmaxMatchesReference() throws {
        let c = 3, h = 5, w = 7
        let logits = (0..<(c * h * w)).map { _ in Float(Int.random(in: -3...3)) }   // ties: first wins
        let m = try SegmentationDecoder().decode(logits: logits, height: h, width: w)
        #expect(m.labels == argmaxChannelsReference(logits, channels: c, height: h, width: w))
        #expect(throws: PerceptionError.self) { try SegmentationDecoder().decode(logits: [1, 2], height: h, width: w) }
    }

    @Test func twoHeadsLaneWins() throws {
        // 1x2 pixels: pixel 0 drivable only, pixel 1 drivable and lane
        let da: [Float] = [0, 0, 1, 1], ll: [Float] = [0, 0, -1, 1]
        let m = try da.withUnsafeBufferPointer { d in
            try ll.withUnsafeBufferPointer { l in try SegmentationDecoder.decodeTwoHeads(drivable: d, lane: l, height: 1, width: 2) }
        }
        #expect(m.labels == [1, 2])
    }

    @Test func resamplesToFrame() {
        let m = SegmentationMask(width: 2, height: 1, labels: [1, 2])
        let f = maskToFrame(m, mapping: .stretch(frameWidth: 4, frameHeight: 2, inputWidth: 2, inputHeight: 1))
        #expect(f.labels == [1, 1, 2, 2, 1, 1, 2, 2])
    }
}
