// Segmentation: one class label per pixel.

/// Per-pixel class labels, row-major, `width*height` bytes.
/// Labels: 0 background, 1 drivable area, 2 lane line (see `SegmentationClass`).
public struct SegmentationMask: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var labels: [UInt8]
    public init(width: Int, height: Int, labels: [UInt8]) {
        precondition(labels.count == width * height, "mask size")
        self.width = width; self.height = height; self.labels = labels
    }
    public subscript(x: Int, y: Int) -> UInt8 { labels[y * width + x] }
}

public enum SegmentationClass: UInt8, Sendable, CaseIterable {
    case background = 0, drivable = 1, laneLine = 2
}
