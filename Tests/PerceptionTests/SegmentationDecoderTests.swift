// Segmentation argmax vs its reference twin, two-head (TwinLiteNet) merge, and frame resampling.

import CKernels
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

    /// The C argmax on every instruction set the CPU has against the scalar loop: ties, NaN,
    /// sizes off the kernel's 256-pixel blocks, 1 to 5 channels, a channel-to-label map.
    @Test func vectorArgmaxMatchesLoopOnEveryISA() {
        let best = ck_cpu_isa()
        let isas = [Int32(CK_ISA_SCALAR), Int32(CK_ISA_AVX2), Int32(CK_ISA_AVX512)].filter { $0 <= best }
        var seed: UInt64 = 12345
        for (c, h, w) in [(3, 5, 7), (3, 224, 384), (1, 3, 3), (2, 17, 31), (5, 16, 16), (3, 1, 257)] {
            let n = h * w
            let logits: [Float] = (0..<(c * n)).map { i in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let r = Int(seed >> 60)
                return i % 97 == 5 ? .nan : Float(r % 5) - 2   // many ties, a few NaN
            }
            var expected = [UInt8](repeating: 0, count: n)
            logits.withUnsafeBufferPointer { l in
                expected.withUnsafeMutableBufferPointer { argmaxChannelsLoop(l, channels: c, height: h, width: w, into: $0) }
            }
            let map: [UInt8] = (0..<c).map { UInt8(($0 * 7 + 3) % 11) }
            for isa in isas {
                var got = [UInt8](repeating: 0, count: n), mapped = got
                logits.withUnsafeBufferPointer { l in
                    got.withUnsafeMutableBufferPointer { argmaxChannels(l, channels: c, height: h, width: w, into: $0, isa: isa) }
                    map.withUnsafeBufferPointer { m in
                        mapped.withUnsafeMutableBufferPointer {
                            argmaxChannels(l, channels: c, height: h, width: w, labelMap: m.baseAddress, into: $0, isa: isa)
                        }
                    }
                }
                #expect(got == expected, "\(c)x\(h)x\(w) isa \(isa)")
                #expect(mapped == expected.map { map[Int($0)] }, "\(c)x\(h)x\(w) isa \(isa) mapped")
            }
        }
    }

    @Test func decoderAppliesChannelLabels() throws {
        let logits: [Float] = [0, 5, 1, 0]   // 2 channels x 2 pixels: pixel 0 -> channel 1, pixel 1 -> channel 0
        let m = try SegmentationDecoder(channelLabels: [.laneLine, .drivable]).decode(logits: logits, height: 1, width: 2)
        #expect(m.labels == [SegmentationClass.drivable.rawValue, SegmentationClass.laneLine.rawValue])
    }
}
