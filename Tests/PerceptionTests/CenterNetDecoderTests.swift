// CenterNet decoder on synthetic heatmaps: peaks, top-K order, box geometry, frame mapping.

import Messages
import Testing
@testable import Perception

@Suite struct CenterNetDecoderTests {
    let h = 6, w = 8

    /// Heatmap with two vehicle peaks and one pedestrian peak, plus a plateau neighbour.
    func synthetic() -> (hm: [Float], size: [Float], off: [Float]) {
        var hm = [Float](repeating: 0.01, count: 4 * h * w)
        var size = [Float](repeating: 0, count: 2 * h * w)
        var off = [Float](repeating: 0, count: 2 * h * w)
        func set(_ c: Int, _ y: Int, _ x: Int, _ v: Float, sw: Float, sh: Float, dx: Float, dy: Float) {
            hm[(c * h + y) * w + x] = v
            size[y * w + x] = sw; size[h * w + y * w + x] = sh
            off[y * w + x] = dx; off[h * w + y * w + x] = dy
        }
        set(0, 1, 1, 0.9, sw: 2, sh: 1, dx: 0.5, dy: 0.25)
        hm[(0 * h + 1) * w + 2] = 0.5          // neighbour, not a peak
        set(0, 4, 6, 0.6, sw: 4, sh: 2, dx: 0, dy: 0)
        set(1, 3, 3, 0.7, sw: 1, sh: 3, dx: 0.1, dy: 0.9)
        return (hm, size, off)
    }

    @Test func peaksMatchReferenceTwin() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let hm = (0..<(4 * h * w)).map { _ in Float(Int.random(in: 0..<20, using: &g)) / 20 } // ties included
            let fast = hm.withUnsafeBufferPointer { heatmapPeaks($0, channels: 4, height: h, width: w, threshold: 0.3) }
            let ref = heatmapPeaksReference(hm, channels: 4, height: h, width: w, threshold: 0.3)
            #expect(fast == ref)
        }
    }

    /// Sparse heatmaps (the real case: almost every cell below the threshold) at widths that are
    /// and are not multiples of the 16-cell skip, peaks on row ends and chunk borders, NaN cells.
    @Test func sparsePeaksMatchReferenceTwin() {
        var g = SystemRandomNumberGenerator()
        for (hh, ww) in [(36, 64), (5, 37), (3, 16), (4, 15), (1, 1), (7, 33)] {
            for _ in 0..<4 {
                var hm = (0..<(3 * hh * ww)).map { _ in Float(Int.random(in: 0..<6, using: &g)) / 20 }   // all <= 0.25
                for _ in 0..<max(1, hh * ww / 40) {
                    hm[Int.random(in: 0..<hm.count, using: &g)] = Float(Int.random(in: 6..<20, using: &g)) / 20
                }
                hm[ww - 1] = 0.9; hm[hm.count - 1] = 0.8                 // row ends
                if ww > 16 { hm[15] = 0.7; hm[16] = 0.7 }               // a tie across a chunk border
                hm[hm.count / 2] = .nan
                let fast = hm.withUnsafeBufferPointer { heatmapPeaks($0, channels: 3, height: hh, width: ww, threshold: 0.3) }
                let ref = heatmapPeaksReference(hm, channels: 3, height: hh, width: ww, threshold: 0.3)
                #expect(fast == ref, "\(hh)x\(ww)")
            }
        }
    }

    @Test func decodesBoxesBestFirst() throws {
        let (hm, size, off) = synthetic()
        let dec = try CenterNetDecoder(config: CenterNetConfig(stride: 8, scoreThreshold: 0.3, topK: 10))
        let ident = InputMapping.stretch(frameWidth: w * 8, frameHeight: h * 8, inputWidth: w * 8, inputHeight: h * 8)
        let d = try dec.decode(heatmap: hm, size: size, offset: off, height: h, width: w, mapping: ident)
        #expect(d.map(\.score) == [0.9, 0.7, 0.6])
        #expect(d.map(\.objectClass) == [.vehicle, .pedestrian, .vehicle])
        // centre (1.5, 1.25) cells = (12, 10) px; size 16 x 8 px
        #expect(d[0].box == BoundingBox(x1: 4, y1: 6, x2: 20, y2: 14))
        // top-K 1 keeps the best only
        let one = try CenterNetDecoder(config: CenterNetConfig(stride: 8, scoreThreshold: 0.3, topK: 1))
        #expect(try one.decode(heatmap: hm, size: size, offset: off, height: h, width: w, mapping: ident).count == 1)
    }

    @Test func mapsToFramePixelsAndClips() throws {
        let (hm, size, off) = synthetic()
        let dec = try CenterNetDecoder(config: CenterNetConfig(stride: 8, scoreThreshold: 0.3, topK: 10))
        // a 160x120 frame stretched to the 64x48 input: x scale 2.5, y scale 2.5
        let m = InputMapping.stretch(frameWidth: 160, frameHeight: 120, inputWidth: 64, inputHeight: 48)
        let d = try dec.decode(heatmap: hm, size: size, offset: off, height: h, width: w, mapping: m)
        #expect(abs(d[0].box.x1 - 10) < 1e-4 && abs(d[0].box.y2 - 35) < 1e-4)
        // box at cell (6,4) with w 32 px: x2 = 48+16 = 64 input px = 160 frame px (clipped at the frame edge)
        #expect(d[2].box.x2 <= 160)
    }

    @Test func rejectsWrongShapes() throws {
        let dec = try CenterNetDecoder(config: CenterNetConfig())
        let m = InputMapping.stretch(frameWidth: 64, frameHeight: 48, inputWidth: 64, inputHeight: 48)
        #expect(throws: PerceptionError.self) {
            try dec.decode(heatmap: [Float](repeating: 0, count: 10), size: [], offset: [], height: h, width: w, mapping: m)
        }
        #expect(throws: PerceptionError.self) { try CenterNetDecoder(config: CenterNetConfig(stride: 0)) }
    }
}
