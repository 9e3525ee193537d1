// DecisionOutput: how a planned frame is written on stdout (one NDJSON decision line): the
// contract fields first (steering_angle_rad, acceleration_mps2, mode), then the explanation
// (lead track, distance, time to collision, lane offset and heading, reason) and a compact view
// of what perception saw (tracks with ids, lane pixels found). Absent values are explicit nulls so
// every decision line has the same keys in the same order.
import Messages
import Planning
import Tracking

extension PlannedFrame: DecisionRecord {
    public func writeFields(into line: inout JSONLine) {
        let d = decision
        line.add("steering_angle_rad", d.steeringAngleRad)
        line.add("acceleration_mps2", d.accelerationMps2)
        line.add("mode", d.mode.rawValue)
        line.add("ego_speed_mps", d.egoSpeedMps)
        optional(&line, "lead_track_id", d.leadTrackId.map(Double.init), integer: true)
        optional(&line, "lead_distance_m", d.leadDistanceM)
        optional(&line, "lead_relative_speed_mps", d.leadRelativeSpeedMps)
        optional(&line, "ttc_s", d.ttcS)
        optional(&line, "lane_offset_m", d.laneOffsetM)
        optional(&line, "heading_rad", d.headingRad)
        line.add("lane_source", d.laneSource.rawValue)
        line.add("reason", d.reason)
        let confirmed = perceived.tracks.filter { $0.isConfirmed }
        line.add("detections", perceived.detections.count)
        line.add("tracks", objects: confirmed.count) { i, o in
            let t = confirmed[i]
            o.add("id", t.id)
            o.add("class", t.objectClass.rawValue)
            o.add("box", [Double(t.box.x1), Double(t.box.y1), Double(t.box.x2), Double(t.box.y2)])
            if let g = t.ground { o.add("ground_m", [g.x, g.y]) } else { o.addNull("ground_m") }
        }
    }

    private func optional(_ line: inout JSONLine, _ key: String, _ v: Double?, integer: Bool = false) {
        guard let v else { line.addNull(key); return }
        if integer { line.add(key, Int(v)) } else { line.add(key, v) }
    }
}
