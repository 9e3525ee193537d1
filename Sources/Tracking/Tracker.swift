// Multi-object tracker: predict every track (constant-velocity Kalman per coordinate), associate
// detections per class with the Hungarian algorithm on an IoU + ground-distance cost with gating,
// then run the life cycle (tentative → confirmed → coasting → deleted).
//
// Determinism: tracks are kept in id order, detections in input order; the assignment depends
// only on the cost matrix; new ids are handed out in detection order. Same inputs, same ids.

import Geometry
import Messages

public struct Tracker: Sendable {
    public let config: TrackerConfig
    /// Live tracks (tentative, confirmed, coasting, lost), in id order.
    public private(set) var tracks: [Track] = []
    public private(set) var counters = TrackerCounters()
    private var nextId = 1
    private var lastTimeNs: Int64?
    /// Confirmed tracks deleted recently: (class, last box, last ground, frame), for fragmentation.
    private var recentlyLost: [(cls: ObjectClass, box: BoundingBox, ground: GroundPoint?, frame: Int)] = []

    public init(config: TrackerConfig = TrackerConfig()) { self.config = config }

    /// Feed one frame's detections; returns the live tracks after the update (all statuses, id order;
    /// use `isConfirmed` to keep the ones worth acting on: confirmed and coasting). `camera` projects boxes to the road; without
    /// it association uses IoU only and tracks have no ground state.
    public mutating func update(detections: [Detection], frame: FrameInfo, camera: GroundCamera?) -> [Track] {
        let c = config
        counters.frames += 1
        counters.detections += detections.count

        // 1. time step
        var dt = c.nominalDtS
        if let last = lastTimeNs {
            let d = Double(frame.captureTimeNs - last) / 1e9
            if d > 0 { dt = min(d, c.maxDtS) }
        }
        lastTimeNs = frame.captureTimeNs

        // 2. predict
        for i in tracks.indices { tracks[i].predict(dt: dt, config: c) }

        // 3. detections that count, with their ground points
        let dets = detections.filter { $0.score >= c.minScore }
        counters.detectionsBelowScore += detections.count - dets.count
        let detGround = dets.map { groundPoint(of: $0.box, camera: camera) }

        // 4. cost matrix and assignment
        let big = 1e6
        let nT = tracks.count, nD = dets.count
        var cost = [Double](repeating: big, count: nT * nD)
        var nearRefused = [Bool](repeating: false, count: nT * nD)  // candidate pairs the gate refused
        let predicted = tracks.map { ($0.predictedBox, $0.predictedGround) }
        for t in 0..<nT {
            for d in 0..<nD where tracks[t].objectClass == dets[d].objectClass {
                let iou = predicted[t].0.iou(dets[d].box)
                var dist: Double? = nil, gate = 0.0
                if let pg = predicted[t].1, let dg = detGround[d] {
                    dist = pg.distance(to: dg)
                    gate = c.groundGate(at: dg) + c.gateGrowthPerMissM * Double(tracks[t].misses)
                }
                let passIoU = iou >= c.minIoU
                let passGround = dist.map { $0 <= gate } ?? false
                if passIoU || passGround {
                    var k = 1 - Double(iou)
                    if let dist { k += c.groundWeight * min(dist / gate, 1) } else { k += c.groundWeight }
                    if tracks[t].status == .tentative { k += c.tentativePenalty }
                    cost[t * nD + d] = k
                } else if iou > 0 || (dist.map { $0 <= 2 * gate } ?? false) {
                    nearRefused[t * nD + d] = true
                }
            }
        }
        // Cascade: confirmed and coasting tracks choose first; tentative and lost tracks share what is
        // left. (One joint assignment maximises the number of pairs, so a drifting lost track could
        // pull a confirmed track off its object onto a spurious box.)
        var detMatched = [Bool](repeating: false, count: nD)
        var trackMatch = [Int?](repeating: nil, count: nT)
        let stages: [[Int]] = [tracks.indices.filter { tracks[$0].isConfirmed },
                               tracks.indices.filter { !tracks[$0].isConfirmed }]
        for rows in stages where !rows.isEmpty {
            let cols = (0..<nD).filter { !detMatched[$0] }
            guard !cols.isEmpty else { break }
            var sub = [Double](repeating: big, count: rows.count * cols.count)
            for (a, t) in rows.enumerated() { for (b, d) in cols.enumerated() { sub[a * cols.count + b] = cost[t * nD + d] } }
            let assignment = Assignment.hungarian(cost: sub, rows: rows.count, cols: cols.count)
            for (a, t) in rows.enumerated() {
                if let b = assignment[a], sub[a * cols.count + b] < big / 2 {
                    trackMatch[t] = cols[b]; detMatched[cols[b]] = true
                }
            }
        }
        // gate rejections: an unmatched detection with an unmatched nearby track the gate refused
        for d in 0..<nD where !detMatched[d] {
            if (0..<nT).contains(where: { trackMatch[$0] == nil && nearRefused[$0 * nD + d] }) {
                counters.gateRejections += 1
            }
        }

        // 5. life cycle
        var survivors: [Track] = []
        survivors.reserveCapacity(nT + nD)
        for t in 0..<nT {
            var tr = tracks[t]
            if let d = trackMatch[t] {
                tr.correct(with: dets[d], ground: detGround[d], config: c)
                tr.hits += 1; tr.misses = 0; tr.lastFrame = frame.index
                if tr.status == .tentative && tr.hits >= c.confirmHits {
                    tr.status = .confirmed
                    counters.tracksConfirmed += 1
                    noteConfirmed(tr, frame: frame.index)
                } else if tr.status == .coasting || tr.status == .lost {
                    tr.status = .confirmed
                }
                tr.publish(frame: frame.index, timeNs: frame.captureTimeNs, measured: true,
                           historyLength: c.historyLength)
                survivors.append(tr)
            } else {
                tr.misses += 1
                let leaving = camera.map { outsideFraction(tr.predictedBox, $0.camera) > c.maxOutsideFraction } ?? false
                if tr.status == .tentative || tr.misses > c.maxMisses || leaving {
                    counters.tracksDeleted += 1
                    if tr.status != .tentative && !leaving {
                        recentlyLost.append((tr.objectClass, tr.predictedBox, tr.predictedGround, frame.index))
                    }
                    continue
                }
                tr.status = tr.misses <= c.coastFrames ? .coasting : .lost
                tr.publish(frame: frame.index, timeNs: frame.captureTimeNs, measured: false,
                           historyLength: c.historyLength)
                survivors.append(tr)
            }
        }
        // Births: unmatched detections, except those lying mostly inside a box matched to a confirmed
        // track this frame (detectors often add a second, partial box on the same vehicle).
        let matchedConfirmedBoxes = (0..<nT).compactMap { t in
            trackMatch[t].flatMap { tracks[t].isConfirmed ? dets[$0].box : nil }
        }
        for d in 0..<nD where !detMatched[d] {
            let b = dets[d].box
            if b.area > 0, matchedConfirmedBoxes.contains(where: { intersectionArea(b, $0) >= c.birthSuppressionIoA * b.area }) {
                counters.birthsSuppressed += 1
                continue
            }
            var tr = Track(id: nextId, detection: dets[d], ground: detGround[d], frame: frame.index,
                           timeNs: frame.captureTimeNs, config: c)
            nextId += 1
            counters.tracksCreated += 1
            if c.confirmHits <= 1 {
                tr.status = .confirmed
                counters.tracksConfirmed += 1
                noteConfirmed(tr, frame: frame.index)
            }
            survivors.append(tr)
        }
        recentlyLost.removeAll { frame.index - $0.frame > c.fragmentationWindowFrames }
        tracks = survivors
        counters.maxLiveTracks = max(counters.maxLiveTracks, tracks.count)
        return tracks
    }

    /// Ground point of a box's bottom centre, if it lands on the road within range.
    public func groundPoint(of box: BoundingBox, camera: GroundCamera?) -> GroundPoint? {
        guard let camera else { return nil }
        let bc = box.bottomCenter
        guard let g = try? camera.groundPoint(of: PixelPoint(x: Double(bc.x), y: Double(bc.y))),
              g.x > 0, g.range <= config.maxGroundRangeM else { return nil }
        return g
    }

    private mutating func noteConfirmed(_ tr: Track, frame: Int) {
        // Was a same-class confirmed track lost near here recently? Then this is a fragmentation.
        let birth = tr.history.first?.box ?? tr.box
        if let k = recentlyLost.firstIndex(where: { lost in
            guard lost.cls == tr.objectClass else { return false }
            if lost.box.iou(birth) > 0 { return true }
            if let a = lost.ground, let b = tr.predictedGround { return a.distance(to: b) <= 2 * config.groundGate(at: b) }
            return false
        }) {
            counters.fragmentations += 1
            recentlyLost.remove(at: k)
        }
    }

    private func intersectionArea(_ a: BoundingBox, _ b: BoundingBox) -> Float {
        max(0, min(a.x2, b.x2) - max(a.x1, b.x1)) * max(0, min(a.y2, b.y2) - max(a.y1, b.y1))
    }

    private func outsideFraction(_ b: BoundingBox, _ cam: PinholeCamera) -> Float {
        guard b.area > 0 else { return 1 }
        let inside = BoundingBox(x1: max(0, b.x1), y1: max(0, b.y1), x2: min(Float(cam.width), b.x2),
                                 y2: min(Float(cam.height), b.y2))
        return 1 - inside.area / b.area
    }
}
