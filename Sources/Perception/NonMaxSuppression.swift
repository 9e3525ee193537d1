// Greedy IoU non-maximum suppression (used by the YOLO decoder; CenterNet needs none).

import Messages

/// Keeps the highest-scoring box of every cluster whose IoU exceeds `iouThreshold`.
/// Input order breaks score ties (stable sort). Returns kept detections, best first.
public func greedyNMS(_ dets: [Detection], iouThreshold: Float) -> [Detection] {
    let order = dets.indices.sorted { dets[$0].score > dets[$1].score || (dets[$0].score == dets[$1].score && $0 < $1) }
    var kept: [Detection] = []
    for i in order {
        let d = dets[i]
        if kept.allSatisfy({ $0.box.iou(d.box) <= iouThreshold }) { kept.append(d) }
    }
    return kept
}

/// NMS separately within each class, then all classes merged best first (class order breaks ties).
public func perClassNMS(_ dets: [Detection], iouThreshold: Float) -> [Detection] {
    var out: [Detection] = []
    for c in ObjectClass.allCases {
        out += greedyNMS(dets.filter { $0.objectClass == c }, iouThreshold: iouThreshold)
    }
    return out.enumerated().sorted { $0.element.score > $1.element.score || ($0.element.score == $1.element.score && $0.offset < $1.offset) }
        .map { $0.element }
}
