// Output records: fixed key order, fixed float format, escaping; one line per outcome.
import Foundation
import Messages
import Pipeline
import Planning
import Testing
@testable import DrivePipe

@Suite struct OutputFormatTests {
    @Test func jsonLineKeyOrderFloatsAndEscapes() {
        var l = JSONLine(decimals: 3)
        l.add("type", "decision")
        l.add("frame", 7)
        l.add("x", -0.0001)
        l.add("y", 2.0 / 3.0)
        l.add("nan", Double.nan)
        l.add("s", "a\"b\\c\nd\u{01}é")
        l.add("v", [1.0, -2.5])
        l.add("o") { $0.add("k", true) }
        #expect(l.string == #"{"type":"decision","frame":7,"x":0.000,"y":0.667,"nan":null,"s":"a\"b\\c\nd\u0001é","v":[1.000,-2.500],"o":{"k":true}}"#)
        #expect(l.line().last == 0x0a)
    }

    /// The float format against its reference twin, Foundation's `String(format:)`.
    @Test func floatFormatMatchesStringFormat() {
        var g = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 1, -1, 0.5, 2.5, -2.5, 1e-7, -1e-7, 0.0005, 0.00049999, 123456789.123456789,
                                -98765.4321, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 1e15, 1e22]
        for _ in 0..<2_000 {
            values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &g)))
            values.append(Double.random(in: -100...100, using: &g))
        }
        for v in values where v.isFinite {
            for d in [0, 1, 2, 3, 6, 12] {
                var ref = String(format: "%.\(d)f", v)
                if ref.hasPrefix("-"), ref.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { ref.removeFirst() }
                #expect(JSONLine.format(v, decimals: d) == ref, "\(v) with \(d) places")
            }
        }
        #expect(JSONLine.format(.nan, decimals: 6) == "null" && JSONLine.format(-.infinity, decimals: 6) == "null")
    }

    @Test func sinkWritesOneLinePerOutcome() throws {
        let dir = Scratch()
        let path = dir.path + "/out.ndjson"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let sink = NDJSONSink<PlannedFrame>(writer: OutputWriter(fd: fd))
        let decision = Decision(mode: .follow, steeringAngleRad: -0.01, accelerationMps2: 0.5, egoSpeedMps: 25, leadTrackId: 3,
                                leadDistanceM: 30, leadRelativeSpeedMps: -1, ttcS: nil, laneOffsetM: 0.25, headingRad: 0.01,
                                laneSource: .laneLines, reason: "keep the gap")
        let perceived = PerceivedFrame(detections: [], tracks: [], forecasts: [],
                                       mask: SegmentationMask(width: 1, height: 1, labels: [0]), image: nil)
        func info(_ i: Int) -> FrameInfo { FrameInfo(index: i, source: "\(i).jpg", captureTimeNs: 1_000 + Int64(i)) }
        sink.consume(Envelope(info: info(0), acceptedAtNs: 0, payload: .value(PlannedFrame(decision: decision, perceived: perceived))))
        sink.consume(Envelope(info: info(1), acceptedAtNs: 0, payload: .failed(StageFailure(stage: "decode", message: "truncated \"JPEG\""))))
        sink.consume(Envelope(info: info(2), acceptedAtNs: 0, payload: .dropped(DropNotice(edge: "preprocess->image_grid", reason: "latest_only"))))
        sink.finish()
        close(fd)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == """
        {"type":"decision","frame":0,"source":"0.jpg","t_ns":1000,"steering_angle_rad":-0.010000,"acceleration_mps2":0.500000,"mode":"follow","ego_speed_mps":25.000000,"lead_track_id":3,"lead_distance_m":30.000000,"lead_relative_speed_mps":-1.000000,"ttc_s":null,"lane_offset_m":0.250000,"heading_rad":0.010000,"lane_source":"lane_lines","reason":"keep the gap","detections":0,"tracks":[]}
        {"type":"error","frame":1,"source":"1.jpg","t_ns":1001,"stage":"decode","error":"truncated \\"JPEG\\""}
        {"type":"drop","frame":2,"source":"2.jpg","t_ns":1002,"edge":"preprocess->image_grid","reason":"latest_only"}

        """)
        #expect(sink.tally == { var t = SinkTally(); t.decisions = 1; t.errors = 1; t.drops = 1; return t }())
    }

    @Test func timingAddsLatencyAndEmissionTime() throws {
        // --timing: latency_ms = sink time - acceptance, emitted_ms = sink time - the sink's creation.
        let dir = Scratch()
        let path = dir.path + "/out.ndjson"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let clock = ManualClock(startNs: 5_000_000)
        let sink = NDJSONSink<PlannedFrame>(writer: OutputWriter(fd: fd), timing: true, decimals: 3, clock: clock)
        clock.advance(byNs: 2_000_000)
        let info = FrameInfo(index: 0, source: "0.jpg", captureTimeNs: 0)
        sink.consume(Envelope(info: info, acceptedAtNs: 6_000_000, payload: .failed(StageFailure(stage: "decode", message: "x"))))
        sink.finish()
        close(fd)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == """
        {"type":"error","frame":0,"source":"0.jpg","t_ns":0,"stage":"decode","error":"x","latency_ms":1.000,"emitted_ms":2.000}

        """)
    }
}
