// CLEAR-MOT evaluation for the scripted scenarios: per frame, ground-truth objects are matched to
// tracker outputs at IoU >= 0.5, keeping last frame's correspondences when still valid, the rest by
// the Hungarian algorithm; MOTA = 1 - (FN + FP + IDSW) / GT. Ground-truth objects flagged `ignored`
// (hidden behind a nearer object) are don't-care regions, as in the MOTChallenge evaluation: they
// count neither as misses nor as matches, and a hypothesis left unmatched after the matching that
// overlaps one (IoU >= 0.5) is dropped instead of counted as a false positive.

import Messages
@testable import Tracking

struct MOTEvaluator {
    var gtCount = 0, falseNegatives = 0, falsePositives = 0, idSwitches = 0, matches = 0
    /// Fragmentations: a ground-truth trajectory's coverage interrupted and resumed.
    var fragmentations = 0
    private var lastMatch: [Int: Int] = [:]     // gt id → hyp id (last ever)
    private var wasTracked: [Int: Bool] = [:]   // gt id → matched in the previous frame it existed
    /// Every hypothesis id each gt object was matched to.
    private(set) var idsPerObject: [Int: Set<Int>] = [:]

    var mota: Double { gtCount == 0 ? 1 : 1 - Double(falseNegatives + falsePositives + idSwitches) / Double(gtCount) }

    mutating func add(gt all: [(id: Int, box: BoundingBox, ignored: Bool)], hyp allHyp: [(id: Int, box: BoundingBox)]) {
        let ignored = all.filter(\.ignored)
        let gt = all.filter { !$0.ignored }.map { (id: $0.id, box: $0.box) }
        gtCount += gt.count
        let hyp = allHyp
        var gtMatched = [Int?](repeating: nil, count: gt.count)   // index into hyp
        var hypUsed = [Bool](repeating: false, count: hyp.count)
        // keep previous correspondences
        for (g, o) in gt.enumerated() {
            if let h = lastMatch[o.id], let j = hyp.firstIndex(where: { $0.id == h }), !hypUsed[j],
               o.box.iou(hyp[j].box) >= 0.5 {
                gtMatched[g] = j; hypUsed[j] = true
            }
        }
        // the rest by minimum cost
        let gi = gt.indices.filter { gtMatched[$0] == nil }, hj = hyp.indices.filter { !hypUsed[$0] }
        var cost = [Double](repeating: 1e6, count: gi.count * hj.count)
        for (a, g) in gi.enumerated() {
            for (b, j) in hj.enumerated() {
                let iou = gt[g].box.iou(hyp[j].box)
                if iou >= 0.5 { cost[a * hj.count + b] = 1 - Double(iou) }
            }
        }
        let asg = Assignment.hungarian(cost: cost, rows: gi.count, cols: hj.count)
        for (a, b) in asg.enumerated() {
            if let b, cost[a * hj.count + b] < 1e5 { gtMatched[gi[a]] = hj[b]; hypUsed[hj[b]] = true }
        }
        for (g, o) in gt.enumerated() {
            if let j = gtMatched[g] {
                matches += 1
                let h = hyp[j].id
                if let prev = lastMatch[o.id], prev != h { idSwitches += 1 }
                if wasTracked[o.id] == false && lastMatch[o.id] != nil { fragmentations += 1 }
                lastMatch[o.id] = h
                idsPerObject[o.id, default: []].insert(h)
                wasTracked[o.id] = true
            } else {
                falseNegatives += 1
                wasTracked[o.id] = false
            }
        }
        // unmatched hypotheses on an ignored (hidden) object are dropped, not false positives
        for j in hyp.indices where !hypUsed[j] {
            if !ignored.contains(where: { $0.box.iou(hyp[j].box) >= 0.5 }) { falsePositives += 1 }
        }
    }

    var summary: String {
        "MOTA=\(mota) GT=\(gtCount) FN=\(falseNegatives) FP=\(falsePositives) IDSW=\(idSwitches) Frag=\(fragmentations)"
    }
}
