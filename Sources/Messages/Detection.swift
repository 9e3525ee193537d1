// Detections: what the detection head says about one frame, in frame pixels.

/// Axis-aligned box in frame pixel coordinates (x right, y down), corners inclusive-exclusive.
public struct BoundingBox: Sendable, Equatable, Hashable, Codable {
    public var x1: Float, y1: Float, x2: Float, y2: Float
    public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
    }
    public var width: Float { max(0, x2 - x1) }
    public var height: Float { max(0, y2 - y1) }
    public var area: Float { width * height }
    /// Centre of the bottom edge: where the object touches the ground.
    public var bottomCenter: (x: Float, y: Float) { ((x1 + x2) / 2, y2) }

    /// Intersection over union; 0 for empty boxes.
    public func iou(_ o: BoundingBox) -> Float {
        let iw = max(0, min(x2, o.x2) - max(x1, o.x1))
        let ih = max(0, min(y2, o.y2) - max(y1, o.y1))
        let inter = iw * ih
        let union = area + o.area - inter
        return union > 0 ? inter / union : 0
    }
}

/// The object classes DrivePipe reasons about (COCO teachers' classes are mapped onto these).
public enum ObjectClass: String, Sendable, Codable, CaseIterable {
    case vehicle, pedestrian, cyclist
    case trafficLight = "traffic_light"
}

/// One detected object.
public struct Detection: Sendable, Equatable, Codable {
    public var box: BoundingBox
    public var objectClass: ObjectClass
    public var score: Float
    public init(box: BoundingBox, objectClass: ObjectClass, score: Float) {
        self.box = box; self.objectClass = objectClass; self.score = score
    }
}
