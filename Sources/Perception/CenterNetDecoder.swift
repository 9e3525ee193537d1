// CenterNet decoding: heatmap peaks (3x3 max) -> top-K -> boxes from size + offset -> frame pixels.
// No box NMS: a 3x3 peak is one object.

import Messages

/// One heatmap peak: class channel, cell, score.
public struct HeatmapPeak: Sendable, Equatable {
    public var channel: Int, y: Int, x: Int
    public var score: Float
}

/// Peaks of a C x H x W heatmap: cells whose score is > `threshold` and >= each of their 8 neighbours
/// (equal to a 3x3 max-pool with -inf padding). Order: channel, row, column. Shape: hm is C x H x W
/// (at least that many floats). Rows are scanned 16 cells at a time, stopping only where a cell is
/// above the threshold.
public func heatmapPeaks(_ hm: UnsafeBufferPointer<Float>, channels: Int, height: Int, width: Int,
                         threshold: Float) -> [HeatmapPeak] {
    var peaks: [HeatmapPeak] = []
    guard let base = hm.baseAddress, hm.count >= channels * height * width else { return peaks }
    let raw = UnsafeRawPointer(base)
    let limit = SIMD16<Float>(repeating: threshold)
    for c in 0..<channels {
        let plane = c * height * width
        for y in 0..<height {
            let y0 = max(0, y - 1), y1 = min(height - 1, y + 1)
            let row = plane + y * width
            var x = 0
            while x < width {
                // Most cells are below the threshold: skip 16 at a time when none is above it
                // (NaN compares false, as in the scalar test below).
                if x + 16 <= width {
                    let v16 = raw.loadUnaligned(fromByteOffset: (row + x) * MemoryLayout<Float>.stride, as: SIMD16<Float>.self)
                    if !any(v16 .> limit) { x += 16; continue }
                }
                let end = min(width, x + 16)
                while x < end {
                    defer { x += 1 }
                    let v = base[row + x]
                    guard v > threshold else { continue }
                    let x0 = max(0, x - 1), x1 = min(width - 1, x + 1)
                    var isPeak = true
                    scan: for yy in y0...y1 {
                        for xx in x0...x1 where base[plane + yy * width + xx] > v {
                            isPeak = false
                            break scan
                        }
                    }
                    if isPeak { peaks.append(HeatmapPeak(channel: c, y: y, x: x, score: v)) }
                }
            }
        }
    }
    return peaks
}

/// Reference twin of `heatmapPeaks`: materialises the 3x3 max-pool, then compares.
public func heatmapPeaksReference(_ hm: [Float], channels: Int, height: Int, width: Int, threshold: Float) -> [HeatmapPeak] {
    var pooled = [Float](repeating: -.infinity, count: hm.count)
    for c in 0..<channels {
        for y in 0..<height {
            for x in 0..<width {
                var m = -Float.infinity
                for dy in -1...1 {
                    for dx in -1...1 {
                        let yy = y + dy, xx = x + dx
                        if yy >= 0, yy < height, xx >= 0, xx < width { m = max(m, hm[(c * height + yy) * width + xx]) }
                    }
                }
                pooled[(c * height + y) * width + x] = m
            }
        }
    }
    var out: [HeatmapPeak] = []
    for i in hm.indices where hm[i] == pooled[i] && hm[i] > threshold {
        out.append(HeatmapPeak(channel: i / (height * width), y: (i / width) % height, x: i % width, score: hm[i]))
    }
    return out
}

/// Decoding parameters of a CenterNet head (from the model card).
public struct CenterNetConfig: Sendable, Equatable, Codable {
    /// Input pixels per heatmap cell.
    public var stride: Int
    /// Heatmap channel -> class.
    public var classes: [ObjectClass]
    public var scoreThreshold: Float
    public var topK: Int

    public init(stride: Int = 8, classes: [ObjectClass] = ObjectClass.allCases, scoreThreshold: Float = 0.3, topK: Int = 100) {
        self.stride = stride; self.classes = classes; self.scoreThreshold = scoreThreshold; self.topK = topK
    }

    func validate() throws {
        guard stride > 0 else { throw PerceptionError.invalidParameter(name: "stride", expected: "> 0", found: "\(stride)") }
        guard topK > 0 else { throw PerceptionError.invalidParameter(name: "top_k", expected: "> 0", found: "\(topK)") }
        guard !classes.isEmpty else { throw PerceptionError.invalidParameter(name: "classes", expected: "non-empty", found: "[]") }
    }
}

public struct CenterNetDecoder: Sendable {
    public var config: CenterNetConfig
    public init(config: CenterNetConfig) throws {
        try config.validate()
        self.config = config
    }

    /// heatmap: C x H x W sigmoid scores; size: 2 x H x W (w, h) in cells; offset: 2 x H x W (dx, dy) in cells.
    /// Returns at most top-K detections, best first (ties: channel, row, column), in frame pixels.
    public func decode(heatmap: UnsafeBufferPointer<Float>, size: UnsafeBufferPointer<Float>,
                       offset: UnsafeBufferPointer<Float>, height: Int, width: Int,
                       mapping: InputMapping) throws -> [Detection] {
        let c = config.classes.count, plane = height * width
        guard heatmap.count == c * plane else {
            throw PerceptionError.wrongShape(tensor: "heatmap", expected: [1, c, height, width], found: [heatmap.count])
        }
        guard size.count == 2 * plane else {
            throw PerceptionError.wrongShape(tensor: "box_size", expected: [1, 2, height, width], found: [size.count])
        }
        guard offset.count == 2 * plane else {
            throw PerceptionError.wrongShape(tensor: "box_offset", expected: [1, 2, height, width], found: [offset.count])
        }
        var peaks = heatmapPeaks(heatmap, channels: c, height: height, width: width, threshold: config.scoreThreshold)
        // stable: equal scores keep channel/row/column order
        peaks = peaks.enumerated().sorted { $0.element.score > $1.element.score || ($0.element.score == $1.element.score && $0.offset < $1.offset) }
            .prefix(config.topK).map { $0.element }
        let s = Float(config.stride)
        return peaks.map { p in
            let i = p.y * width + p.x
            let cx = (Float(p.x) + offset[i]) * s, cy = (Float(p.y) + offset[plane + i]) * s
            let w = max(size[i], 0) * s, h = max(size[plane + i], 0) * s
            let box = mapping.toFrame(x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2)
            return Detection(box: box, objectClass: config.classes[p.channel], score: p.score)
        }
    }

    /// Convenience over arrays.
    public func decode(heatmap: [Float], size: [Float], offset: [Float], height: Int, width: Int,
                       mapping: InputMapping) throws -> [Detection] {
        try heatmap.withUnsafeBufferPointer { hm in
            try size.withUnsafeBufferPointer { sz in
                try offset.withUnsafeBufferPointer { of in
                    try decode(heatmap: hm, size: sz, offset: of, height: height, width: width, mapping: mapping)
                }
            }
        }
    }
}
