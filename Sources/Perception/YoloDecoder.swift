// YOLO (darknet v3-style) decoding driven by a sidecar JSON such as the teacher's
// yolo-fastest-1.1.json: per output [A*(5+C), H, W] raw logits; sigmoid x/y/objectness/classes,
// exp(w/h) x anchor; score = sigmoid(obj) * sigmoid(cls); per-class greedy NMS.

import Foundation
import Messages

/// The parts of the sidecar JSON the decoder needs.
public struct YoloSpec: Sendable, Codable, Equatable {
    public struct Input: Sendable, Codable, Equatable { public var width: Int; public var height: Int }
    public struct Output: Sendable, Codable, Equatable {
        public var name: String
        /// [W, H]
        public var grid: [Int]
        public var stride: Int
        /// Anchors (w, h) in input pixels.
        public var anchors: [[Float]]
    }
    public struct Defaults: Sendable, Codable, Equatable {
        public var conf_thresh: Float
        public var nms_iou: Float
    }
    public struct Decoding: Sendable, Codable, Equatable { public var darknet_defaults: Defaults }

    public var input: Input
    public var num_classes: Int
    public var num_anchors_per_output: Int
    public var outputs: [Output]
    public var decoding: Decoding
    public var class_names: [String]

    public static func load(path: String) throws -> YoloSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PerceptionError.badSidecar(path: path, reason: "cannot read file")
        }
        do { return try JSONDecoder().decode(YoloSpec.self, from: data) } catch {
            throw PerceptionError.badSidecar(path: path, reason: "\(error)")
        }
    }
}

/// COCO names -> DrivePipe classes (others are dropped).
public let cocoToObjectClass: [String: ObjectClass] = [
    "car": .vehicle, "bus": .vehicle, "truck": .vehicle, "motorbike": .vehicle, "motorcycle": .vehicle,
    "person": .pedestrian, "bicycle": .cyclist, "traffic light": .trafficLight,
]

public struct YoloDecoder: Sendable {
    public var spec: YoloSpec
    public var confThreshold: Float
    public var nmsIoU: Float
    /// Class index -> DrivePipe class, nil = dropped.
    public let classMap: [ObjectClass?]

    public init(spec: YoloSpec, confThreshold: Float? = nil, nmsIoU: Float? = nil,
                nameMap: [String: ObjectClass] = cocoToObjectClass) throws {
        guard spec.class_names.count == spec.num_classes else {
            throw PerceptionError.invalidParameter(name: "class_names", expected: "\(spec.num_classes) names",
                                                   found: "\(spec.class_names.count)")
        }
        for o in spec.outputs where o.grid.count != 2 || o.anchors.count != spec.num_anchors_per_output || o.anchors.contains(where: { $0.count != 2 }) {
            throw PerceptionError.invalidParameter(name: "outputs[\(o.name)]", expected: "grid [W,H] and \(spec.num_anchors_per_output) anchors (w,h)",
                                                   found: "grid \(o.grid), anchors \(o.anchors)")
        }
        self.spec = spec
        self.confThreshold = confThreshold ?? spec.decoding.darknet_defaults.conf_thresh
        self.nmsIoU = nmsIoU ?? spec.decoding.darknet_defaults.nms_iou
        self.classMap = spec.class_names.map { nameMap[$0] }
    }

    @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// outputs: name -> raw head buffer (A*(5+C) x H x W). Detections in frame pixels, per-class NMS, best first.
    public func decode(_ outputs: [String: UnsafeBufferPointer<Float>], mapping: InputMapping) throws -> [Detection] {
        let a = spec.num_anchors_per_output, c = spec.num_classes
        let iw = Float(spec.input.width), ih = Float(spec.input.height)
        var dets: [Detection] = []
        for o in spec.outputs {
            guard let t = outputs[o.name] else {
                throw PerceptionError.missingTensor(name: o.name, available: outputs.keys.sorted())
            }
            let w = o.grid[0], h = o.grid[1], plane = w * h
            guard t.count == a * (5 + c) * plane else {
                throw PerceptionError.wrongShape(tensor: o.name, expected: [1, a * (5 + c), h, w], found: [t.count])
            }
            for k in 0..<a {
                let base = k * (5 + c) * plane
                var cells: [(i: Int, obj: Float, box: BoundingBox)] = []
                for i in 0..<plane {
                    let obj = Self.sigmoid(t[base + 4 * plane + i])
                    guard obj > confThreshold else { continue }
                    let row = i / w, col = i % w
                    let cx = (Float(col) + Self.sigmoid(t[base + i])) / Float(w)
                    let cy = (Float(row) + Self.sigmoid(t[base + plane + i])) / Float(h)
                    let bw = exp(t[base + 2 * plane + i]) * o.anchors[k][0] / iw
                    let bh = exp(t[base + 3 * plane + i]) * o.anchors[k][1] / ih
                    let box = mapping.toFrame(x1: (cx - bw / 2) * iw, y1: (cy - bh / 2) * ih,
                                              x2: (cx + bw / 2) * iw, y2: (cy + bh / 2) * ih)
                    cells.append((i, obj, box))
                }
                for cls in 0..<c {
                    guard let oc = classMap[cls] else { continue }
                    for cell in cells {
                        let score = cell.obj * Self.sigmoid(t[base + (5 + cls) * plane + cell.i])
                        if score > confThreshold { dets.append(Detection(box: cell.box, objectClass: oc, score: score)) }
                    }
                }
            }
        }
        return perClassNMS(dets, iouThreshold: nmsIoU)
    }
}
